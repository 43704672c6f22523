package suites

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/apiops/apiops-conformance/spec"
)

// Keys of the special account's two requests, shared by TOKEN-FORM-002 and -003.
const (
	keySpecialPlus  = "special-plus"
	keySpecialPct20 = "special-pct20"
	keyVariants     = "variants"
)

// expectToken fails unless resp is a 200 with an access_token, and keeps the token as a
// spare (revocation may use it).
func (t *checker) expectToken(resp *reply, what string) {
	tok, ok := resp.AccessToken()
	t.Expect(ok, "200 with a non-empty access_token for %s", what)
	t.st.spare = append(t.st.spare, tok)
	t.Saw("200 with an access_token for %s", what)
}

// specialRequests are the special account's documented request with a space sent as
// '+' and as '%20' ('+' in the password itself is %2B in both).
func specialRequests(a Account) (plus, pct20 request) {
	body := form(credentials(a)...)
	return tokenRequest("special account, space as '+'", body),
		tokenRequest("special account, space as '%20'", strings.ReplaceAll(body, "+", "%20"))
}

// judgeSpecial judges one encoding of the special account's credentials. When the
// account gets no token in either encoding it is unusable on this target, which says
// nothing about percent-encoding: the check is not judged, and says why. On a live
// target the second encoding is not tried right after a failed first one (never two
// failed logins in a row), so a refused non-ASCII password is taken for unusable there.
func (t *checker) judgeSpecial(key, otherKey string, r, other request, what string) {
	a := t.st.cfg.Special
	_, mine := t.st.memo[key]
	prev, hadOther := t.st.memo[otherKey]
	var resp *reply
	if mine || !t.st.budgeted || !hadOther || prev.resp.Status != http.StatusUnauthorized {
		resp = t.shared(key, func() *reply { return t.obtain(r) })
		if _, ok := resp.AccessToken(); ok || resp.Status != http.StatusUnauthorized {
			t.expectToken(resp, what)
			return
		}
	}
	var otherResp *reply
	switch _, done := t.st.memo[otherKey]; {
	case done:
		otherResp = t.shared(otherKey, nil)
	case !t.st.budgeted:
		otherResp = t.shared(otherKey, func() *reply { return t.obtain(other) })
	}
	if otherResp != nil && resp != nil {
		if _, ok := otherResp.AccessToken(); ok {
			t.expectToken(resp, what) // the other encoding works: this one is mis-decoded
		}
	}
	switch {
	case !isPrintableASCII(a.ClientSecret):
		t.notJudged("the special account got no token (401): it is unusable on this target. Its password has non-ASCII characters, " +
			"and RFC 6749 Appendix A.2 allows only printable ASCII in client_secret, so many servers cannot hold it: " +
			"give a special account whose password has a space, &, =, +, %%, /, ? and # within the characters the server allows")
	case resp == nil:
		t.notJudged("footprint budget: not sent right after the special account's failed login in the other encoding " +
			"(never two failed logins in a row on a live target)")
	case otherResp == nil:
		t.Fail("200 with an access_token for %s; it got 401. (The other encoding was not tried: a second failed login in a row is not sent to a live target.) "+
			"If this account cannot log in at all, fix --special-client-secret", what)
	default:
		t.notJudged("the special account got 401 in both encodings ('+' and '%%20'): it is unusable on this target (a wrong " +
			"--special-client-secret, or a disabled or locked account), so percent-encoding cannot be judged with it")
	}
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return utf8.ValidString(s)
}

func formSpecs() {
	check("TOKEN-FORM-001", func(t *checker) {
		t.expectToken(t.shared(keyDocumented, func() *reply { return t.obtain(t.documented("documented request")) }), "the documented request")
	})

	check("TOKEN-FORM-002", func(t *checker) {
		plus, pct20 := specialRequests(t.st.cfg.Special)
		t.judgeSpecial(keySpecialPlus, keySpecialPct20, plus, pct20, "credentials percent-encoded with a space as '+'")
	})

	check("TOKEN-FORM-003", func(t *checker) {
		plus, pct20 := specialRequests(t.st.cfg.Special)
		t.judgeSpecial(keySpecialPct20, keySpecialPlus, pct20, plus, "credentials percent-encoded with a space as '%20'")
	})

	check("TOKEN-FORM-004", func(t *checker) {
		r := t.documented("Content-Type with charset")
		r.header.Set("Content-Type", formType+"; charset=UTF-8")
		t.variant(r, "Content-Type: application/x-www-form-urlencoded; charset=UTF-8")
	})

	check("TOKEN-FORM-005", func(t *checker) {
		t.expect4xx(t.jsonBody(), "valid credentials sent as a JSON body")
	})

	check("TOKEN-FORM-006", func(t *checker) {
		r := tokenRequest("credentials in the URL query", "")
		r.path += "?" + form(credentials(t.st.cfg.Account)...)
		t.expect4xx(t.send(r), "valid credentials in the URL query and an empty form body")
	})

	check("TOKEN-FORM-007", func(t *checker) {
		q := url.Values{}
		for _, f := range credentials(t.st.cfg.Account) {
			q.Set(f.name, f.value)
		}
		resp := t.send(request{step: "GET with credentials in the query", method: http.MethodGet,
			path: spec.TokenPath + "?" + q.Encode(), header: headers("Accept", jsonType)})
		t.expect4xx(resp, "a GET to the token endpoint with valid credentials in the query")
	})

	check("TOKEN-FORM-008", func(t *checker) {
		r := t.documented("no Accept header")
		r.header.Del("Accept")
		resp := t.variant(r, "the documented request without an Accept header")
		t.Expect(resp.IsJSON(), "a JSON Content-Type without an Accept header")
		t.Saw("a JSON media type (%s)", resp.MediaType())
	})

	check("TOKEN-FORM-009", func(t *checker) {
		t.variant(tokenRequest("unrecognised parameters", form(withUnknownParams(credentials(t.st.cfg.Account))...)),
			"the documented request plus two unrecognised parameters")
	})
}

func withUnknownParams(fields []field) []field {
	return append(fields, field{"apiops_unknown_parameter", "ignored"}, field{"x-conformance", "1"})
}

// variant judges a variation of the documented request that must still obtain a token.
// To keep the footprint small, one request carries all three variations (a charset
// parameter, no Accept header, two unrecognised parameters) and serves TOKEN-FORM-004,
// -008 and -009 alike; only when it gets no token is each variation sent on its own, so
// the failure is the right check's.
func (t *checker) variant(own request, what string) *reply {
	combined := tokenRequest("documented request with a charset parameter, no Accept header and two unrecognised parameters",
		form(withUnknownParams(credentials(t.st.cfg.Account))...))
	combined.header.Set("Content-Type", formType+"; charset=UTF-8")
	combined.header.Del("Accept")
	resp := t.shared(keyVariants, func() *reply { return t.obtain(combined) })
	if _, ok := resp.AccessToken(); ok {
		t.expectToken(resp, what+" (one request carried all three variations)")
		return resp
	}
	resp = t.obtain(own)
	t.expectToken(resp, what)
	return resp
}

// jsonBody sends, once per run, the account's credentials as a JSON body.
func (t *checker) jsonBody() *reply {
	a := t.st.cfg.Account
	body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": a.ClientID, "client_secret": a.ClientSecret})
	return t.shared(keyJSONBody, func() *reply {
		return t.send(request{step: "JSON body", method: http.MethodPost, path: spec.TokenPath,
			header: headers("Content-Type", jsonType, "Accept", jsonType), body: string(body)})
	})
}
