package suites

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
)

// expirySkew is added to expires_in before a token must be refused: clocks and
// second-granular expiry times may round up.
const expirySkew = time.Second

// neverExpires is how far the clock is advanced to show a token without expires_in lasts.
const neverExpires = 10 * 365 * 24 * time.Hour

// lifetime returns the token's expires_in (0 when absent) and whether it is usable: an
// invalid expires_in is TOKEN-SUCCESS-005's to judge, so expiry checks skip on it.
func (t *T) lifetime(resp *Resp) (time.Duration, bool) {
	m, err := resp.Object()
	if err != nil {
		return 0, false
	}
	v, present := m["expires_in"]
	if !present {
		return 0, true
	}
	secs, err := expiresIn(v)
	if err != nil {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// usableLifetime is lifetime, skipping the check when expires_in is invalid.
func (t *T) usableLifetime(resp *Resp) time.Duration {
	ttl, ok := t.lifetime(resp)
	if !ok {
		t.Skip("expires_in is not a positive integer, so expiry cannot be judged: judged by TOKEN-SUCCESS-005")
	}
	return ttl
}

// neverExpiringToken has the target, whose tokens carry expires_in ttl, issue a token
// without expires_in through its Control, and returns it; without a Control the check
// skips. A target that still sends expires_in after the Control call fails the check as a
// harness failure: the control API did not do what it answered it did.
func (t *T) neverExpiringToken(ttl time.Duration) string {
	c := t.Control() // registers a Reset, which restores the target's token lifetime
	if c == nil {
		t.Skip("the target issues expiring tokens (expires_in %s): this applies to tokens issued without expires_in; give --control-url of a mock to have it issue some", ttl)
	}
	t.control("make the target issue never-expiring tokens (token-ttl 0s)", c.SetTokenTTL(t.ctx, 0))
	tok, resp := t.token()
	if again, ok := t.lifetime(resp); !ok || again > 0 {
		Fail(t.message("the control API's token lifetime 0s (never expires) to take effect, but the next "+
			"token still has expires_in: a harness or control API failure, not a verdict on the target "+
			"(is --control-url the control API of this target?)"), 1)
	}
	return tok
}

func expirySpecs() {
	check("TOKEN-EXP-001", func(t *T) {
		tok, resp := t.token()
		ttl, _ := t.lifetime(resp)
		t.expectStatus(t.protected("fresh token", "Bearer "+tok), http.StatusOK, "the fresh token on the protected path")
		if c := t.Control(); c != nil && ttl > 0 {
			t.control("advance the clock", c.Advance(t.ctx, ttl/2))
			t.expectStatus(t.protected("token at half its lifetime", "Bearer "+tok), http.StatusOK,
				"the token on the protected path after half its expires_in ("+(ttl/2).String()+", clock advanced)")
		}
	})

	check("TOKEN-EXP-002", func(t *T) {
		tok, resp := t.token()
		ttl := t.usableLifetime(resp)
		if ttl == 0 {
			t.Skip("the token has no expires_in, so it never expires: judged by TOKEN-EXP-003")
		}
		wait := ttl + expirySkew
		switch c := t.Control(); {
		case c != nil:
			t.control("advance the clock", c.Advance(t.ctx, wait))
		case wait <= t.st.cfg.MaxExpiryWait:
			t.sleep(wait)
		default:
			t.Skip("expires_in is %s, longer than --max-expiry-wait %s: give --max-expiry-wait %s, or --control-url of a mock", ttl, t.st.cfg.MaxExpiryWait, wait)
		}
		t.expectStatus(t.protected("expired token", "Bearer "+tok), http.StatusUnauthorized,
			"the token on the protected path "+wait.String()+" after it was issued with expires_in "+ttl.String())
	})

	check("TOKEN-EXP-003", func(t *T) {
		tok, resp := t.token()
		if ttl := t.usableLifetime(resp); ttl > 0 {
			tok = t.neverExpiringToken(ttl)
		}
		t.expectStatus(t.protected("never-expiring token", "Bearer "+tok), http.StatusOK, "the token without expires_in on the protected path")
		if c := t.Control(); c != nil {
			t.control("advance the clock", c.Advance(t.ctx, neverExpires))
			t.expectStatus(t.protected("never-expiring token, 10 years on", "Bearer "+tok), http.StatusOK,
				"the token without expires_in on the protected path 10 years later (clock advanced)")
		}
	})

	check("TOKEN-EXP-004", func(t *T) {
		c := t.Control()
		if c == nil {
			t.Skip("revocation can only be triggered through a mock's control API: give --control-url (revoking in the Management Console is manual)")
		}
		tok, _ := t.token()
		t.expectStatus(t.protected("token before revocation", "Bearer "+tok), http.StatusOK, "the token on the protected path before revocation")
		t.control("revoke the token", c.Revoke(t.ctx, tok))
		t.expectStatus(t.protected("revoked token", "Bearer "+tok), http.StatusUnauthorized, "the revoked token on the protected path")
	})
}
