package suites

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

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

// wrongGrant sends the documented request with grant_type=password.
func (t *T) wrongGrant() *Resp {
	a := t.st.cfg.Account
	return t.send(tokenRequest("grant_type=password", form(field{"grant_type", "password"}, field{"client_id", a.ClientID}, field{"client_secret", a.ClientSecret})))
}

// wrongPassword sends the configured user with a made-up password (registered for redaction).
func (t *T) wrongPassword() *Resp {
	a := Account{t.st.cfg.Account.ClientID, "wrong-" + nonce()}
	t.st.red.Add(a.ClientSecret)
	return t.send(tokenRequest("wrong password", form(credentials(a)...)))
}

// badCredentials checks a 401 unauthorized_client answer.
func (t *T) badCredentials(resp *Resp, what string) spec.ErrorBody {
	return t.errorBody(resp, http.StatusUnauthorized, what, codeUnauthorizedClient)
}

// serverError provokes a 500 through the control API or --fault-header, or skips.
func (t *T) serverError() *Resp {
	if c := t.Control(); c != nil {
		t.control("make the next token request fail", c.FailNextTokens(t.ctx, 1))
		return t.send(t.documented("documented request, failure injected through the control API"))
	}
	if t.st.cfg.FaultHeader != "" {
		name, value, _ := ParseHeader(t.st.cfg.FaultHeader)
		r := t.documented("documented request with the fault header")
		r.header.Set(name, value)
		return t.send(r)
	}
	t.Skip("no way to make the target fail: give --fault-header 'Name: value' (a header that makes it answer 500) or --control-url (a mock's control API)")
	return nil
}

// wording checks an error_description against the documented text. It judges only
// answers with the documented code: other answers are the MUST check's to judge.
func (t *T) wording(resp *Resp, status int, name spec.ErrorName, mustID string) {
	doc := spec.Error(name)
	m, err := resp.Object()
	if resp.Err != nil || resp.Status != status || err != nil || m["error"] != doc.Error {
		t.Skip("no %d %q answer to judge the wording of: judged by %s", status, doc.Error, mustID)
	}
	got, _ := m["error_description"].(string)
	t.Expect(got == doc.Description, "\"error_description\": %q as documented; it is %s", doc.Description, jsonText(m["error_description"]))
}

func errorSpecs() {
	check("TOKEN-ERR-001", func(t *T) {
		t.errorBody(t.wrongGrant(), http.StatusBadRequest, "grant_type=password", codeUnsupportedGrant)
	})

	check("TOKEN-ERR-002", func(t *T) {
		t.wording(t.wrongGrant(), http.StatusBadRequest, spec.UnsupportedGrantType, "TOKEN-ERR-001")
	})

	check("TOKEN-ERR-003", func(t *T) {
		a := t.st.cfg.Account
		resp := t.send(tokenRequest("no grant_type", form(field{"client_id", a.ClientID}, field{"client_secret", a.ClientSecret})))
		t.errorBody(resp, http.StatusBadRequest, "a request without grant_type", codeUnsupportedGrant, codeInvalidRequest)
	})

	check("TOKEN-ERR-004", func(t *T) {
		t.badCredentials(t.wrongPassword(), "a wrong password")
	})

	check("TOKEN-ERR-005", func(t *T) {
		a := Account{"apiops-no-such-user-" + nonce(), "any-password-" + nonce()}
		t.st.red.Add(a.ClientSecret)
		t.badCredentials(t.send(tokenRequest("unknown user", form(credentials(a)...))), "an unknown user")
	})

	check("TOKEN-ERR-006", func(t *T) {
		a := Account{t.st.cfg.Account.ClientID, ""}
		t.badCredentials(t.send(tokenRequest("empty client_secret", form(credentials(a)...))), "an empty client_secret")
	})

	check("TOKEN-ERR-007", func(t *T) {
		a := t.st.cfg.Account
		resp := t.send(tokenRequest("no client_id", form(field{"grant_type", "client_credentials"}, field{"client_secret", a.ClientSecret})))
		t.badCredentials(resp, "a request without client_id")
	})

	check("TOKEN-ERR-008", func(t *T) {
		a := t.st.cfg.Disabled
		if !a.Given() {
			t.Skip("no disabled account: give --disabled-client-id/--disabled-client-secret")
		}
		t.badCredentials(t.send(tokenRequest("disabled account", form(credentials(a)...))), "a disabled account with its correct password")
	})

	check("TOKEN-ERR-009", func(t *T) {
		a := t.st.cfg.Locked
		if !a.Given() {
			t.Skip("no locked account: give --locked-client-id/--locked-client-secret")
		}
		t.badCredentials(t.send(tokenRequest("locked account", form(credentials(a)...))), "a locked account with its correct password")
	})

	check("TOKEN-ERR-010", func(t *T) {
		t.wording(t.wrongPassword(), http.StatusUnauthorized, spec.BadCredentials, "TOKEN-ERR-004")
	})

	check("TOKEN-ERR-011", func(t *T) {
		t.errorBody(t.serverError(), http.StatusInternalServerError, "a server failure", codeServerError)
	})

	check("TOKEN-ERR-012", func(t *T) {
		t.wording(t.serverError(), http.StatusInternalServerError, spec.ServerError, "TOKEN-ERR-011")
	})
}
