package suites

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// tamper returns variants of tok that must not be accepted: one character in the middle
// changed (in a JWT, the payload) and the last character dropped. They are registered for
// redaction, as they are most of a token.
func (t *checker) tamper(tok string) []string {
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

// protectedRequest is a GET of the protected path with the given Authorization header
// value ("" for none).
func protectedRequest(st *runState, step, authorization string) request {
	h := headers("Accept", jsonType)
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	return request{step: step, method: http.MethodGet, path: st.cfg.ProtectedPath, header: h}
}

// protected sends a GET to the protected path with the given Authorization header
// value ("" for none).
func (t *checker) protected(step, authorization string) *reply {
	return t.send(protectedRequest(t.st, step, authorization))
}

// withToken calls the protected path with tok; the run's token reuses the preflight's
// call.
func (t *checker) withToken(tok string) *reply {
	if tok == t.st.token.value {
		return t.shared(keyProtected, func() *reply { return t.protected("with the token", "Bearer "+tok) })
	}
	return t.protected("with the token", "Bearer "+tok)
}

// noAuthorization sends, once per run, the protected path without Authorization.
func (t *checker) noAuthorization() *reply {
	return t.shared(keyNoAuth, func() *reply { return t.protected("no Authorization", "") })
}

// expectRefused fails unless the protected path answered 401.
func (t *checker) expectRefused(resp *reply, what string) {
	t.expectStatus(resp, http.StatusUnauthorized, what+" on the protected path")
}

// reuseSpread is how long the reuse check spreads its calls at most.
const reuseSpread = time.Second

func bearerSpecs() {
	check("TOKEN-BEARER-001", func(t *checker) {
		tok, _ := t.token()
		t.expectStatus(t.withToken(tok), http.StatusOK, "Authorization: Bearer <the issued token> on the protected path")
	})

	check("TOKEN-BEARER-002", func(t *checker) {
		t.expectRefused(t.noAuthorization(), "a request without Authorization")
	})

	check("TOKEN-BEARER-003", func(t *checker) {
		a := t.st.cfg.Account
		basic := base64.StdEncoding.EncodeToString([]byte(a.ClientID + ":" + a.ClientSecret))
		t.st.red.Add(basic)
		t.expectRefused(t.protected("Basic scheme", "Basic "+basic), "Authorization: Basic <client_id:client_secret>")
	})

	check("TOKEN-BEARER-004", func(t *checker) {
		tok, _ := t.token()
		t.expectRefused(t.protected("token without the Bearer prefix", tok), "Authorization: <the token> without \"Bearer \"")
	})

	check("TOKEN-BEARER-005", func(t *checker) {
		tok, _ := t.token()
		for _, bad := range t.tamper(tok) {
			t.expectRefused(t.protected("tampered token", "Bearer "+bad), "Authorization: Bearer <the issued token, tampered>")
		}
	})

	check("TOKEN-BEARER-006", func(t *checker) {
		tok, _ := t.token()
		for _, probe := range []struct {
			step string
			resp func() *reply
		}{
			{"no Authorization", t.noAuthorization},
			{"tampered token", func() *reply { return t.protected("tampered token", "Bearer "+t.tamper(tok)[0]) }},
		} {
			resp := probe.resp()
			if resp.Err != nil || resp.Status != http.StatusUnauthorized {
				t.blockedBy("TOKEN-BEARER-002", "the protected path did not answer 401 (%s): TOKEN-BEARER-002 and -005 judge that", probe.step)
			}
			challenge := resp.Header.Get("WWW-Authenticate")
			scheme, _, _ := strings.Cut(strings.TrimSpace(challenge), " ")
			t.Expect(strings.EqualFold(scheme, "Bearer"), "a WWW-Authenticate: Bearer challenge on the 401 (%s); it is %q", probe.step, challenge)
			t.Saw("WWW-Authenticate: Bearer on the 401 (%s)", probe.step)
		}
	})

	check("TOKEN-BEARER-007", func(t *checker) {
		tok, _ := t.token()
		t.reuse(tok)
	})
}

// reuse calls the protected path three times with one token, spread over reuseSpread —
// or, for a token whose announced life ends sooner, over what is left before the end-of-
// life margin. With a control API the target's clock is moved instead of waiting.
func (t *checker) reuse(tok string) {
	spread := reuseSpread
	if tok == t.st.token.value && t.st.token.life > 0 {
		spread = min(spread, t.st.token.left()-endOfLifeMargin)
	}
	if spread < 0 {
		spread = 0
	}
	c := t.Control()
	start := time.Now()
	for i := range 3 {
		if i > 0 {
			step := spread / 2
			if c != nil {
				t.control("advance the clock", c.Advance(t.ctx, step))
			} else {
				t.sleepUntil(start.Add(time.Duration(i)*step), "spreading the calls of one token")
			}
		}
		resp := t.protected("the same token again", "Bearer "+tok)
		t.Expect(resp.Err == nil && resp.Status == http.StatusOK, "200 for call %d of 3 with the same token (it can be used for all subsequent requests)", i+1)
		if tok == t.st.token.value && c == nil {
			t.st.acceptedAt = max(t.st.acceptedAt, time.Since(t.st.token.sent)) // for the expiry checks
		}
	}
	how := "waited"
	if c != nil {
		how = "clock advanced"
	}
	t.Saw("3 calls with one token, 200 each, spread over %s (%s)", spread.Round(10*time.Millisecond), how)
}
