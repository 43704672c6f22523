package suites

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
)

// Error codes the checks expect (RFC 6749 §5.2, as the docs show them).
const (
	codeUnsupportedGrant   = "unsupported_grant_type"
	codeInvalidRequest     = "invalid_request"
	codeUnauthorizedClient = "unauthorized_client"
	codeServerError        = "server_error"
)

// nonce returns a random suffix for made-up users and passwords.
func nonce() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// wrongGrant sends, once per run, the documented request with grant_type=password.
func (t *checker) wrongGrant() *reply {
	a := t.st.cfg.Account
	return t.shared(keyWrongGrant, func() *reply {
		return t.send(tokenRequest("grant_type=password", form(field{"grant_type", "password"}, field{"client_id", a.ClientID}, field{"client_secret", a.ClientSecret})))
	})
}

// wrongPassword sends, once per run, the configured user with a made-up password
// (registered for redaction): a failed login, within the footprint budget.
func (t *checker) wrongPassword() *reply {
	return t.shared(keyWrongPassword, func() *reply {
		a := Account{t.st.cfg.Account.ClientID, "wrong-" + nonce()}
		t.st.red.Add(a.ClientSecret)
		t.st.wrongSecret = a.ClientSecret
		return t.failLogin(t.st.cfg.Account, tokenRequest("wrong password", form(credentials(a)...)))
	})
}

// unknownUserAnswer sends, once per run, a made-up user's token request.
func (t *checker) unknownUserAnswer() *reply {
	return t.shared(keyUnknownUser, func() *reply {
		fields := unknownUser()
		t.st.red.Add(fields[2].value)
		return t.send(tokenRequest("unknown user", form(fields...)))
	})
}

// emptySecret sends, once per run, an account's client_id with an empty client_secret:
// the special account's when given (so the main account never has two failed logins in a
// row), else the main account's.
func (t *checker) emptySecret() *reply {
	return t.shared(keyEmptySecret, func() *reply {
		a := t.st.cfg.Account
		if t.st.cfg.Special.Given() {
			a = t.st.cfg.Special
		}
		return t.failLogin(a, tokenRequest("empty client_secret", form(credentials(Account{a.ClientID, ""})...)))
	})
}

// refusedAccount sends, once per run, the documented request of a disabled or locked
// account with its correct password.
func (t *checker) refusedAccount(key string, a Account) *reply {
	return t.shared(key, func() *reply {
		return t.failLogin(a, tokenRequest(key+" account", form(credentials(a)...)))
	})
}

// serverError provokes, once per run, a 500 through the control API or --fault-header.
// The catalog declares the need, so the check is not judged without either.
func (t *checker) serverError() *reply {
	return t.shared(keyServerError, func() *reply {
		if c := t.Control(); c != nil {
			t.control("make the next token request fail", c.FailNextTokens(t.ctx, 1))
			return t.send(t.documented("documented request, failure injected through the control API"))
		}
		name, value, _ := parseHeader(t.st.cfg.FaultHeader)
		r := t.documented("documented request with the fault header")
		r.header.Set(name, value)
		return t.send(r)
	})
}

// errorBody checks an error answer: the status, a JSON media type, an "error" code among
// codes and an error_description string. The accepted (status, codes) pairs are
// alternatives: where the docs are silent and the RFC allows several answers, each is
// right. It returns the decoded body and says which alternative it saw.
func (t *checker) errorBody(resp *reply, what string, accepted ...answer) spec.ErrorBody {
	var want []string
	for _, a := range accepted {
		want = append(want, fmt.Sprintf("%d %s", a.status, quoteAll(a.codes)))
	}
	expected := fmt.Sprintf("%s with a JSON error body {\"error\": …, \"error_description\": \"…\"} for %s", strings.Join(want, " or "), what)
	var match *answer
	for i, a := range accepted {
		if resp.Err == nil && resp.Status == a.status {
			match = &accepted[i]
		}
	}
	t.Expect(match != nil, "%s", expected)
	t.Expect(resp.IsJSON(), "%s; the Content-Type is not JSON", expected)
	m, err := resp.Object()
	t.Expect(err == nil, "%s; the %v", expected, err)
	code, _ := m["error"].(string)
	t.Expect(slices.Contains(match.codes, code), "%s; \"error\" is %s", expected, jsonText(m["error"]))
	desc, ok := m["error_description"].(string)
	t.Expect(ok, "%s; \"error_description\" is %s, not a string", expected, jsonText(m["error_description"]))
	t.Saw("%d %q with an error_description (%s), for %s", resp.Status, code, resp.MediaType(), what)
	return spec.ErrorBody{Error: code, Description: desc}
}

// answer is one acceptable error answer: a status and the error codes allowed with it.
type answer struct {
	status int
	codes  []string
}

func badCredentials() answer {
	return answer{http.StatusUnauthorized, []string{codeUnauthorizedClient}}
}

func invalidRequest() answer { return answer{http.StatusBadRequest, []string{codeInvalidRequest}} }

func quoteAll(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = fmt.Sprintf("%q", c)
	}
	return strings.Join(q, " or ")
}

// wording checks an error_description against the documented text. It judges only
// answers with the documented code: other answers block it on the MUST check mustID.
func (t *checker) wording(resp *reply, status int, name spec.ErrorName, mustID string) {
	doc := spec.Error(name)
	m, err := resp.Object()
	if resp.Err != nil || resp.Status != status || err != nil || m["error"] != doc.Error {
		t.blockedBy(mustID, "no %d %q answer to judge the wording of: %s judges the answer", status, doc.Error, mustID)
	}
	got, _ := m["error_description"].(string)
	t.Expect(got == doc.Description, "\"error_description\": %q as documented; it is %s", doc.Description, jsonText(m["error_description"]))
	t.Saw("error_description %q as documented", got)
}

func errorSpecs() {
	check("TOKEN-ERR-001", func(t *checker) {
		t.errorBody(t.wrongGrant(), "grant_type=password", answer{http.StatusBadRequest, []string{codeUnsupportedGrant}})
	})

	check("TOKEN-ERR-002", func(t *checker) {
		t.wording(t.wrongGrant(), http.StatusBadRequest, spec.UnsupportedGrantType, "TOKEN-ERR-001")
	})

	check("TOKEN-ERR-003", func(t *checker) {
		a := t.st.cfg.Account
		resp := t.send(tokenRequest("no grant_type", form(field{"client_id", a.ClientID}, field{"client_secret", a.ClientSecret})))
		t.errorBody(resp, "a request without grant_type", answer{http.StatusBadRequest, []string{codeUnsupportedGrant, codeInvalidRequest}})
	})

	check("TOKEN-ERR-004", func(t *checker) {
		t.errorBody(t.wrongPassword(), "a wrong password", badCredentials())
	})

	check("TOKEN-ERR-005", func(t *checker) {
		t.errorBody(t.unknownUserAnswer(), "an unknown user", badCredentials())
	})

	check("TOKEN-ERR-006", func(t *checker) {
		t.errorBody(t.emptySecret(), "an empty client_secret", badCredentials(), invalidRequest())
	})

	check("TOKEN-ERR-007", func(t *checker) {
		a := t.st.cfg.Account
		resp := t.send(tokenRequest("no client_id", form(field{"grant_type", "client_credentials"}, field{"client_secret", a.ClientSecret})))
		t.errorBody(resp, "a request without client_id", invalidRequest(), badCredentials())
	})

	check("TOKEN-ERR-008", func(t *checker) {
		t.errorBody(t.refusedAccount(keyDisabled, t.st.cfg.Disabled), "a disabled account with its correct password", badCredentials())
	})

	check("TOKEN-ERR-009", func(t *checker) {
		t.errorBody(t.refusedAccount(keyLocked, t.st.cfg.Locked), "a locked account with its correct password", badCredentials())
	})

	check("TOKEN-ERR-010", func(t *checker) {
		t.wording(t.wrongPassword(), http.StatusUnauthorized, spec.BadCredentials, "TOKEN-ERR-004")
	})

	check("TOKEN-ERR-011", func(t *checker) {
		t.errorBody(t.serverError(), "a server failure", answer{http.StatusInternalServerError, []string{codeServerError}})
	})

	check("TOKEN-ERR-012", func(t *checker) {
		t.wording(t.serverError(), http.StatusInternalServerError, spec.ServerError, "TOKEN-ERR-011")
	})

	check("TOKEN-ERR-013", func(t *checker) {
		t.sameRefusal()
	})
}

// sameRefusal judges that every 401 of the token endpoint reads the same whatever the
// cause, so an attacker cannot tell a wrong password from an unknown, disabled or locked
// account. It reuses the answers the other checks got.
func (t *checker) sameRefusal() {
	type cause struct {
		what string
		resp *reply
	}
	causes := []cause{{"a wrong password", t.wrongPassword()}, {"an unknown user", t.unknownUserAnswer()}, {"an empty client_secret", t.emptySecret()}}
	if t.st.cfg.Disabled.Given() {
		causes = append(causes, cause{"a disabled account", t.refusedAccount(keyDisabled, t.st.cfg.Disabled)})
	}
	if t.st.cfg.Locked.Given() {
		causes = append(causes, cause{"a locked account", t.refusedAccount(keyLocked, t.st.cfg.Locked)})
	}
	var first *spec.ErrorBody
	var firstWhat string
	var compared, other []string
	for _, c := range causes {
		m, err := c.resp.Object()
		if c.resp.Status != http.StatusUnauthorized || err != nil {
			other = append(other, fmt.Sprintf("%s (%d, not a JSON 401)", c.what, c.resp.Status))
			continue
		}
		code, _ := m["error"].(string)
		desc, _ := m["error_description"].(string)
		body := spec.ErrorBody{Error: code, Description: desc}
		if first == nil {
			first, firstWhat = &body, c.what
		}
		t.Expect(body == *first, "the same 401 for %s as for %s: %q/%q; it is %q/%q", c.what, firstWhat, first.Error, first.Description, code, desc)
		compared = append(compared, c.what)
	}
	if len(compared) < 2 {
		t.blockedBy("TOKEN-ERR-004", "fewer than two 401 answers to compare (%s): TOKEN-ERR-004 to -009 judge them", strings.Join(other, ", "))
	}
	t.Saw("identical 401 %q/%q for %s", first.Error, first.Description, strings.Join(compared, ", "))
	if len(other) > 0 {
		t.Saw("not compared: %s", strings.Join(other, ", "))
	}
}
