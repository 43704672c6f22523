package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apiops/apiops-conformance/spec"
)

// field is one form parameter, encoded in order (url.Values would sort and merge them).
type field struct{ name, value string }

// form encodes fields as application/x-www-form-urlencoded, a space as '+'.
func form(fields ...field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = url.QueryEscape(f.name) + "=" + url.QueryEscape(f.value)
	}
	return strings.Join(parts, "&")
}

// credentials returns the documented three fields for an account.
func credentials(a Account) []field {
	return []field{{"grant_type", "client_credentials"}, {"client_id", a.ClientID}, {"client_secret", a.ClientSecret}}
}

// headers builds a header set from name, value pairs.
func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// tokenRequest is a POST of body to the token endpoint with the documented headers.
func tokenRequest(step, body string) request {
	return request{step: step, method: http.MethodPost, path: spec.TokenPath,
		header: headers("Content-Type", formType, "Accept", jsonType), body: body}
}

// documented is the documented request for the configured account.
func (t *checker) documented(step string) request {
	return tokenRequest(step, form(credentials(t.st.cfg.Account)...))
}

// unknownUser returns the fields of a token request for a made-up user: any 401 will
// do, and no given account's failed-login count grows.
func unknownUser() []field {
	return credentials(Account{"apiops-no-such-user-" + nonce(), "any-password-" + nonce()})
}

// Keys of the answers checks share (runState.memo).
const (
	keyDocumented    = "documented"     // the preflight's documented request
	keyProtected     = "protected"      // the preflight's call of the protected path with its token
	keyWrongPassword = "wrong-password" // the main account with a made-up password
	keyWrongGrant    = "wrong-grant"
	keyUnknownUser   = "unknown-user"
	keyEmptySecret   = "empty-secret"
	keyDisabled      = "disabled"
	keyLocked        = "locked"
	keyServerError   = "server-error"
	keyNoAuth        = "no-authorization"
	keyJSONBody      = "json-body"
)

// sharedToken is the run's token: the preflight's, which most checks use, so a run on a
// live target creates few tokens (and, without a control API, the expiry checks wait for
// it while the other checks run).
type sharedToken struct {
	ok     bool
	value  string
	resp   *reply
	sent   time.Time     // when the preflight's request went out
	got    time.Time     // when its answer came back
	life   time.Duration // expires_in; 0 when absent (the token never expires)
	lifeOK bool          // expires_in is absent or a positive integer
}

// left is how much of the announced lifetime is left, counted from when the request went
// out (the earliest the token can have been issued); very long for a never-expiring token.
func (s sharedToken) left() time.Duration {
	if s.life == 0 {
		return neverExpires
	}
	return time.Until(s.sent.Add(s.life))
}

// token returns a valid token for the configured account and the answer that issued it:
// the run's shared token while more than the end-of-life margin of its announced lifetime
// is left, else a fresh one (within the footprint budget). Anything but a 200 with a
// non-empty access_token fails the check.
func (t *checker) token() (string, *reply) {
	st := t.st
	if st.token.ok && st.token.left() > endOfLifeMargin {
		t.shared(keyDocumented, func() *reply { return t.obtain(t.documented("documented request")) })
		t.Saw("the run's token (issued %s ago)", time.Since(st.token.got).Round(10*time.Millisecond))
		return st.token.value, st.token.resp
	}
	resp := t.obtain(t.documented("obtain a fresh token"))
	tok, ok := resp.AccessToken()
	t.Expect(ok, "a 200 answer with an access_token to the documented token request (needed by this check)")
	return tok, resp
}

// expectStatus fails unless the answer arrived with the given status.
func (t *checker) expectStatus(resp *reply, status int, what string) {
	t.Expect(resp.Err == nil && resp.Status == status, "%d %s for %s", status, http.StatusText(status), what)
	t.Saw("%d for %s", status, what)
}

// expect4xx fails unless the answer is a complete 4xx without an access_token.
func (t *checker) expect4xx(resp *reply, what string) {
	_, issued := resp.AccessToken()
	t.Expect(resp.Err == nil && resp.Status >= 400 && resp.Status < 500 && !issued,
		"a 4xx answer, no token and no 5xx, for %s", what)
	t.Saw("%d, no token, for %s", resp.Status, what)
}

// jsonText renders a decoded JSON value for a message; "missing" for an absent one.
func jsonText(v any) string {
	if v == nil {
		return "missing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// errorf is fmt.Errorf, for describing a violation.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
