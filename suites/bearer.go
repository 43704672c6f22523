package suites

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// tamper returns variants of tok that must not be accepted: one character in the middle
// changed (in a JWT, the payload) and the last character dropped. They are registered for
// redaction, as they are most of a token.
func (t *T) tamper(tok string) []string {
	mid := len(tok) / 2
	c := byte('x')
	if tok[mid] == 'x' {
		c = 'y'
	}
	variants := []string{tok[:mid] + string(c) + tok[mid+1:]}
	if len(tok) > 1 {
		variants = append(variants, tok[:len(tok)-1])
	}
	t.st.red.Add(variants...)
	return variants
}

// expectRefused fails unless the protected path answered 401.
func (t *T) expectRefused(resp *Resp, what string) {
	t.expectStatus(resp, http.StatusUnauthorized, what+" on the protected path")
}

func bearerSpecs() {
	check("TOKEN-BEARER-001", func(t *T) {
		tok, _ := t.token()
		t.expectStatus(t.protected("with the token", "Bearer "+tok), http.StatusOK, "Authorization: Bearer <the issued token> on the protected path")
	})

	check("TOKEN-BEARER-002", func(t *T) {
		t.expectRefused(t.protected("no Authorization", ""), "a request without Authorization")
	})

	check("TOKEN-BEARER-003", func(t *T) {
		a := t.st.cfg.Account
		basic := base64.StdEncoding.EncodeToString([]byte(a.ClientID + ":" + a.ClientSecret))
		t.st.red.Add(basic)
		t.expectRefused(t.protected("Basic scheme", "Basic "+basic), "Authorization: Basic <client_id:client_secret>")
	})

	check("TOKEN-BEARER-004", func(t *T) {
		tok, _ := t.token()
		t.expectRefused(t.protected("token without the Bearer prefix", tok), "Authorization: <the token> without \"Bearer \"")
	})

	check("TOKEN-BEARER-005", func(t *T) {
		tok, _ := t.token()
		for _, bad := range t.tamper(tok) {
			t.expectRefused(t.protected("tampered token", "Bearer "+bad), "Authorization: Bearer <the issued token, tampered>")
		}
	})

	check("TOKEN-BEARER-006", func(t *T) {
		tok, _ := t.token()
		for _, probe := range []struct{ step, auth string }{
			{"no Authorization", ""},
			{"tampered token", "Bearer " + t.tamper(tok)[0]},
		} {
			resp := t.protected(probe.step, probe.auth)
			if resp.Err != nil || resp.Status != http.StatusUnauthorized {
				t.Skip("the protected path did not answer 401 (%s): judged by TOKEN-BEARER-002 and TOKEN-BEARER-005", probe.step)
			}
			challenge := resp.Header.Get("WWW-Authenticate")
			scheme, _, _ := strings.Cut(strings.TrimSpace(challenge), " ")
			t.Expect(strings.EqualFold(scheme, "Bearer"), "a WWW-Authenticate: Bearer challenge on the 401 (%s); it is %q", probe.step, challenge)
		}
	})
}
