package suites

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// preflight sends, before any check, the documented token request for the main account
// and, with its token, one call of the protected path. Their answers are shared with the
// checks (TOKEN-FORM-001, TOKEN-BEARER-001 and every check that needs a token), and the
// token's clock starts here. It returns why the target cannot be judged at all — it
// cannot be reached, its TLS certificate is not trusted, it redirects, or it refuses the
// given credentials — as one paragraph saying what went wrong and what to do; "" when the
// checks can run. Any other answer (a 200 of the wrong shape, a 400, a 500) is for the
// checks to judge.
func (st *runState) preflight() string {
	r := tokenRequest("documented request (preflight)", form(credentials(st.cfg.Account)...))
	sent := time.Now()
	resp, x, desc := st.do(st.ctx, r, st.cfg.Timeout)
	st.memo[keyDocumented] = &sharedAnswer{resp: resp, x: x, sent: desc}
	if why := st.unjudgeable("the token endpoint", resp); why != "" {
		return why
	}
	if resp.Status == http.StatusUnauthorized {
		return fmt.Sprintf("The target refused the given credentials: the documented token request for %q got 401. "+
			"Check --client-id and --client-secret (a rotated secret?) and that the account is active and not locked. "+
			"Nothing was judged: a run with credentials the target refuses says nothing about the target.", st.cfg.Account.ClientID)
	}
	tok, ok := resp.AccessToken()
	if !ok {
		return "" // TOKEN-FORM-001 judges the answer; the checks that need a token are blocked by it
	}
	life, lifeOK := lifetime(resp)
	st.token = sharedToken{ok: true, value: tok, resp: resp, sent: sent, got: time.Now(), life: life, lifeOK: lifeOK}
	if life == 0 && lifeOK && st.budgeted {
		st.say("  note: the target's tokens never expire (no expires_in): the tokens of this run stay valid until revoked in the Management Console (My Profile → Personal API Access Tokens)")
	}
	p := protectedRequest(st, "with the token (preflight)", "Bearer "+tok)
	presp, px, pdesc := st.do(st.ctx, p, st.cfg.Timeout)
	st.memo[keyProtected] = &sharedAnswer{resp: presp, x: px, sent: pdesc}
	return st.unjudgeable("the protected path "+st.cfg.ProtectedPath, presp)
}

// unjudgeable says why an answer of the preflight leaves the target unjudgeable, or "".
func (st *runState) unjudgeable(what string, resp *reply) string {
	if st.ctx.Err() != nil {
		return ""
	}
	if resp.Status >= 300 && resp.Status < 400 {
		loc := st.red.String(resp.Header.Get("Location"))
		return fmt.Sprintf("%s answered the documented request with a redirect (%d) to %q. "+
			"Give the base URL it points to as --base-url (for example https:// instead of http://): "+
			"the harness never follows redirects, which would resend the credentials.", capitalize(what), resp.Status, loc)
	}
	if resp.Status != 0 || resp.Err == nil {
		return ""
	}
	err := resp.Err
	var (
		dns     *net.DNSError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		verify  *tls.CertificateVerificationError
		record  tls.RecordHeaderError
	)
	var hint string
	switch {
	case errors.As(err, &unknown), errors.As(err, &verify):
		hint = "The target's TLS certificate is not trusted: give --ca-cert FILE with the CA that signed it (or --insecure, never for production)."
	case errors.As(err, &host):
		hint = "The target's TLS certificate is for another host name: check the host in --base-url."
	case errors.As(err, &record):
		hint = "The target does not speak TLS on that port: check http:// or https:// in --base-url."
	case errors.As(err, &dns):
		hint = "The host name does not resolve: check --base-url."
	case errors.Is(err, syscall.ECONNREFUSED):
		hint = "Nothing accepts connections there: check --base-url and that the manager is running."
	case resp.TimedOut:
		hint = "The target or the network is down or slow: check that the manager is up, or raise --timeout if it is slow."
	default:
		hint = "Check --base-url and that the manager is running."
	}
	return fmt.Sprintf("Could not reach %s of %s: %s. %s Nothing was judged.", what, st.red.String(st.cfg.BaseURL), st.red.String(err.Error()), hint)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
