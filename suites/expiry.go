package suites

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"time"
)

// The expiry timeline, measured on the run's token (issued by the preflight, so the wait
// overlaps the rest of the run). Servers round: one announces expires_in 1 for a token
// that lives 2 s, another keeps a whole-second clock and refuses a 2 s token after 1 to
// 2 s. So the token is probed once endOfLifeMargin before its announced end (not when
// that comes sooner than minBeforeProbe after issue) and must be accepted, and once
// expiryGrace after it and must be refused.
const (
	endOfLifeMargin = 1200 * time.Millisecond
	minBeforeProbe  = 500 * time.Millisecond
	expiryGrace     = time.Second + 300*time.Millisecond // rounding up, plus latency
	lateProbe       = 150 * time.Millisecond             // how late the probe before the end may come
	neverExpires    = 10 * 365 * 24 * time.Hour          // how far the clock is moved to show a token lasts
)

// lifetime returns the token's expires_in (0 when absent) and whether it is usable: an
// invalid expires_in is TOKEN-SUCCESS-005's to judge.
func lifetime(resp *reply) (time.Duration, bool) {
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

// usableLifetime is lifetime, the check blocked by TOKEN-SUCCESS-005 when expires_in is
// invalid.
func (t *checker) usableLifetime(resp *reply) time.Duration {
	ttl, ok := lifetime(resp)
	if !ok {
		t.blockedBy("TOKEN-SUCCESS-005", "expires_in is not a positive integer, so expiry cannot be judged: TOKEN-SUCCESS-005 judges it")
	}
	return ttl
}

// issued returns the token for the expiry checks with its timeline: the run's token when
// there is one (its clock started with the preflight), else a fresh one.
func (t *checker) issued() (tok string, sent, got time.Time, ttl time.Duration) {
	if st := t.st; st.token.ok && st.token.lifeOK {
		// This very token, however little of its life is left: its timeline is measured.
		t.shared(keyDocumented, func() *reply { return t.obtain(t.documented("documented request")) })
		t.Saw("the run's token (issued %s ago)", time.Since(st.token.got).Round(10*time.Millisecond))
		return st.token.value, st.token.sent, st.token.got, st.token.life
	}
	sent = time.Now()
	tok, resp := t.token()
	return tok, sent, time.Now(), t.usableLifetime(resp)
}

// neverExpiringToken has the target, whose tokens carry expires_in ttl, issue a token
// without expires_in through its Control, and returns it. A target that still sends
// expires_in after the Control call fails the check as a harness failure: the control
// API did not do what it answered it did.
func (t *checker) neverExpiringToken() string {
	c := t.Control() // registers a Reset, which restores the target's token lifetime
	t.control("make the target issue never-expiring tokens (token-ttl 0s)", c.SetTokenTTL(t.ctx, 0))
	resp := t.obtain(t.documented("obtain a token (the control API set token-ttl 0s)"))
	tok, ok := resp.AccessToken()
	t.Expect(ok, "a 200 answer with an access_token to the documented token request (needed by this check)")
	if again, ok := lifetime(resp); !ok || again > 0 {
		t.control("issue a token without expires_in", fmt.Errorf("the next token still has expires_in (is --control-url the control API of this target?)"))
	}
	return tok
}

func expirySpecs() {
	check("TOKEN-EXP-001", func(t *checker) {
		tok, sent, _, ttl := t.issued()
		t.expectStatus(t.withToken(tok), http.StatusOK, "the fresh token on the protected path")
		if ttl == 0 {
			t.Saw("no expires_in: the token never expires (TOKEN-EXP-003)")
			return
		}
		probe := sent.Add(ttl - endOfLifeMargin)
		if c := t.Control(); c != nil {
			t.control("advance the clock", c.Advance(t.ctx, ttl/2))
			t.expectStatus(t.protected("token at half its lifetime", "Bearer "+tok), http.StatusOK, "the token after half its expires_in ("+(ttl/2).String()+", clock advanced)")
			// The target's clock now reads now+ttl/2; move it on to the end-of-life probe.
			if more := time.Until(probe) - ttl/2; more > 0 {
				t.control("advance the clock", c.Advance(t.ctx, more))
				t.expectStatus(t.protected("token shortly before its end of life", "Bearer "+tok), http.StatusOK,
					fmt.Sprintf("the token %s before its expires_in ends (clock advanced)", endOfLifeMargin))
			}
			return
		}
		switch {
		case ttl-endOfLifeMargin < minBeforeProbe:
			t.Saw("no probe before the end of life: expires_in %s leaves less than %s before its margin", ttl, minBeforeProbe)
			return
		case time.Until(probe) > t.st.cfg.MaxExpiryWait:
			t.Saw("no probe before the end of life: it would wait %s, beyond --max-expiry-wait %s", time.Until(probe).Round(time.Second), t.st.cfg.MaxExpiryWait)
			return
		case time.Now().After(probe.Add(lateProbe)):
			// Too late to probe safely (a whole-second clock may already refuse); the
			// reuse check's calls with this token may have come at the right time.
			if at := t.st.acceptedAt; at >= ttl-endOfLifeMargin-lateProbe {
				t.Saw("accepted %s after the request by TOKEN-BEARER-007's calls, %s before its announced end (expires_in %s)",
					at.Round(10*time.Millisecond), (ttl - at).Round(10*time.Millisecond), ttl)
				return
			}
			t.Saw("no probe before the end of life: the run passed that instant before this check")
			return
		}
		t.sleepUntil(probe, fmt.Sprintf("probing the token %s before its announced end of life", endOfLifeMargin))
		at := time.Since(sent)
		resp := t.protected("token shortly before its end of life", "Bearer "+tok)
		t.Expect(resp.Err == nil && resp.Status == http.StatusOK, "200 for the token %s after it was requested, before its expires_in %s ends", at.Round(10*time.Millisecond), ttl)
		t.st.acceptedAt = at
		t.Saw("accepted %s after the request, %s before its announced end (expires_in %s)", at.Round(10*time.Millisecond), (ttl - at).Round(10*time.Millisecond), ttl)
	})

	check("TOKEN-EXP-002", func(t *checker) {
		tok, sent, got, ttl := t.issued()
		if ttl == 0 {
			t.notApplicable("the token has no expires_in, so it never expires: TOKEN-EXP-003 judges that")
		}
		if c := t.Control(); c != nil {
			t.control("advance the clock", c.Advance(t.ctx, ttl+time.Second))
			t.expectStatus(t.protected("expired token", "Bearer "+tok), http.StatusUnauthorized,
				"the token "+(ttl+time.Second).String()+" after it was issued with expires_in "+ttl.String()+" (clock advanced)")
			return
		}
		t.sleepUntil(got.Add(ttl+expiryGrace), "waiting for the token to expire")
		at := time.Since(sent)
		resp := t.protected("expired token", "Bearer "+tok)
		t.Expect(resp.Err == nil && resp.Status == http.StatusUnauthorized, "401 for the token %s after it was requested with expires_in %s", at.Round(10*time.Millisecond), ttl)
		t.Saw("refused %s after the request (expires_in %s)%s", at.Round(10*time.Millisecond), ttl, t.window(at))
	})

	check("TOKEN-EXP-003", func(t *checker) {
		tok, _, _, ttl := t.issued()
		c := t.Control()
		if ttl > 0 { // the catalog's need: a control API issues one
			tok = t.neverExpiringToken()
		}
		t.expectStatus(t.protected("never-expiring token", "Bearer "+tok), http.StatusOK, "the token without expires_in on the protected path")
		if c == nil {
			t.Saw("later instants not provoked (a mock's --control-url moves its clock)")
			return
		}
		t.control("advance the clock", c.Advance(t.ctx, neverExpires))
		t.expectStatus(t.protected("never-expiring token, 10 years on", "Bearer "+tok), http.StatusOK,
			"the token without expires_in 10 years later (clock advanced)")
	})

	check("TOKEN-EXP-004", func(t *checker) {
		tok := t.revocable()
		t.expectStatus(t.protected("token before revocation", "Bearer "+tok), http.StatusOK, "the token before revocation")
		t.revoke(tok)
		t.expectStatus(t.protected("revoked token", "Bearer "+tok), http.StatusUnauthorized, "the revoked token")
	})
}

// window describes the lifetime the expiry checks observed for the run's token: from
// the latest instant it was accepted to the first it was refused.
func (t *checker) window(refused time.Duration) string {
	if t.st.acceptedAt == 0 {
		return ""
	}
	return fmt.Sprintf("; observed lifetime window: accepted at %s, refused at %s", t.st.acceptedAt.Round(10*time.Millisecond), refused.Round(10*time.Millisecond))
}

// limitedBuffer keeps the first 4 KiB written to it.
type limitedBuffer struct{ b strings.Builder }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return l.b.String() }

// revocable returns a token the revocation check may revoke: a spare one (a token another
// check obtained and no longer needs) on a live target, else the run's token, else a
// fresh one. With a control API the run's token is fine: the reset after the check
// restores it.
func (t *checker) revocable() string {
	if t.st.control == nil && len(t.st.spare) > 0 {
		tok := t.st.spare[len(t.st.spare)-1]
		t.st.spare = t.st.spare[:len(t.st.spare)-1]
		t.Saw("a spare token of the run (no new token created)")
		return tok
	}
	tok, _ := t.token()
	return tok
}

// revoke revokes tok through the control API or --revoke-command.
func (t *checker) revoke(tok string) {
	if c := t.Control(); c != nil {
		t.control("revoke the token", c.Revoke(t.ctx, tok))
		t.Saw("revoked through the control API")
		return
	}
	out, err := runRevokeCommand(t, tok)
	if err != nil {
		t.notJudged("--revoke-command failed, so revocation cannot be judged: %v; its output: %s", err, t.st.red.String(out))
	}
	t.Saw("revoked by --revoke-command (exit 0)")
}

// runRevokeCommand runs --revoke-command with the token in $APIOPS_TOKEN (never on the
// command line), bounded by --timeout; it returns the command's output, bounded.
func runRevokeCommand(t *checker, tok string) (string, error) {
	ctx, cancel := context.WithTimeout(t.ctx, t.st.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", t.st.cfg.RevokeCommand)
	cmd.Env = append(cmd.Environ(), "APIOPS_TOKEN="+tok)
	var out limitedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("no exit within --timeout %s", t.st.cfg.Timeout)
	}
	return strings.TrimSpace(out.String()), err
}
