package suites

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// Content types used by the requests.
const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// Bounds of the waits the harness accepts from a rate-limiting target: at most
// maxRateWait per wait, at most maxRateRetries waits for one request.
const (
	maxRateWait    = 5 * time.Second
	maxRateRetries = 4
	livenessWait   = 2 * time.Second // the timeout of the liveness probe
	maxNonAnswers  = 3               // requests without an answer before the target is taken for gone
)

// request is one request a check sends.
type request struct {
	step   string // what it is for, e.g. "documented request"
	method string
	path   string // below the base URL, may carry a query
	header http.Header
	body   string
	// purpose is what a token request is meant to do, for the footprint budget.
	purpose purpose
}

// sharedAnswer is the answer to a request that several checks share.
type sharedAnswer struct {
	resp *reply
	x    evidence.Exchange
	sent string // the request on one line, redacted
}

// do sends r to the target and returns the answer and its evidence (redacted, bounded,
// checked against the OpenAPI contract). It paces requests (--max-rps), waits as a
// rate-limiting target asks (429, or 503 with Retry-After) and sends the request again,
// and counts the footprint. A token in a 200 answer is registered for redaction before
// anything is recorded.
func (st *runState) do(ctx context.Context, r request, timeout time.Duration) (*reply, evidence.Exchange, string) {
	target := st.cfg.BaseURL + r.path
	start := time.Now()
	var resp *reply
	var header http.Header
	for attempt := 0; ; attempt++ {
		if err := st.pace(ctx); err != nil {
			resp = &reply{Err: fmt.Errorf("not sent: %w", err)}
			break
		}
		req, err := http.NewRequestWithContext(ctx, r.method, target, strings.NewReader(r.body))
		if err != nil {
			resp = &reply{Err: fmt.Errorf("cannot build the request: %w", err)}
			break
		}
		if r.body == "" {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		for name, values := range r.header {
			req.Header[name] = values
		}
		header = req.Header
		st.foot.totals.Requests++
		resp = fetch(ctx, st.client, req, timeout)
		wait, limited := rateLimited(resp)
		if !limited {
			break
		}
		st.foot.totals.RateLimited++
		if attempt == maxRateRetries {
			resp.RateLimited = true
			break
		}
		st.say("  … rate limited (%d): waiting %s as the target asks, then sending %q again", resp.Status, wait, r.step)
		if sleepCtx(ctx, wait) != nil {
			break
		}
	}
	elapsed := time.Since(start)
	st.foot.count(r, resp)
	if tok, ok := resp.AccessToken(); ok {
		st.red.Add(tok)
		st.issued[tok] = true
	}
	red := st.red
	x := evidence.Exchange{
		Step: r.step,
		Request: evidence.Request{
			Method: r.method,
			URL:    red.String(target),
			Header: red.Header(header),
			Body:   cut(red, r.body, evidence.MaxBody),
		},
		Curl: st.reproduce(r, target, header),
	}
	x.Duration(elapsed)
	if resp.Status != 0 {
		x.Response.Status = resp.Status
		x.Response.Header = red.Header(resp.Header)
		x.Response.Body, x.Response.BodyTruncated = red.Excerpt(resp.Body)
	}
	if resp.Err != nil {
		x.Response.Error = red.String(resp.Err.Error())
	}
	if resp.Err == nil {
		if err := st.validate(ctx, r, resp); err != nil {
			x.Contract = red.String(err.Error())
		}
	}
	return resp, x, cut(red, describeRequest(r, target), 240)
}

// reproduce returns the curl command that replays a request, secrets and tokens as
// environment references; a call made with an issued token gets the token request first.
func (st *runState) reproduce(r request, target string, header http.Header) string {
	req := evidence.CurlRequest{Method: r.method, URL: target, Header: header, Body: r.body}
	tok, isBearer := strings.CutPrefix(header.Get("Authorization"), "Bearer ")
	if !isBearer || !st.issued[tok] {
		return st.curl.Command(req)
	}
	st.curl.Env("TOKEN", tok)
	get := tokenRequest("", form(credentials(st.cfg.Account)...))
	return st.curl.WithToken(evidence.CurlRequest{Method: get.method, URL: st.cfg.BaseURL + get.path, Header: get.header, Body: get.body}, req)
}

// send sends r for the check and records the exchange. A check whose request finds the
// run over (interrupted, deadline) or the target gone ends as not judged, never failed:
// an outage is not a verdict. A request that gets no answer is followed by one short
// liveness probe; when the target does not answer that either, or after maxNonAnswers
// unanswered requests, the target is taken for gone and the rest of the run is not judged.
func (t *checker) send(r request) *reply {
	st := t.st
	if why := st.ended(); why != "" {
		t.notJudged("%s", why)
	}
	t.guardLogin(r)
	resp, x, sent := st.do(t.ctx, r, st.cfg.Timeout)
	t.record(x, resp, sent)
	if why := st.ended(); why != "" {
		t.notJudged("%s (%s was cut)", why, r.step)
	}
	if resp.RateLimited {
		t.notJudged("the target kept answering %d (rate limited) after %d waits: give --max-rps to pace the run", resp.Status, maxRateRetries)
	}
	if resp.Status == 0 && resp.Err != nil {
		if why := t.alive(); why != "" {
			t.notJudged("%s", why)
		}
	}
	return resp
}

// alive counts an unanswered request and probes the target once, shortly, with an
// unknown user's token request (no token, no account's failed login). It returns why the
// target is taken for gone, or "".
func (t *checker) alive() string {
	st := t.st
	st.nonAnswers++
	probe := tokenRequest("liveness probe (an unknown user; any answer will do)", form(unknownUser()...))
	resp, x, sent := st.do(t.ctx, probe, livenessWait)
	t.record(x, resp, sent)
	switch {
	case resp.Status == 0:
		st.stopped = fmt.Sprintf("the target stopped answering: a request got no answer (%s), and neither did a %s liveness probe", t.exchanges[len(t.exchanges)-2].Response.Error, livenessWait)
	case st.nonAnswers >= maxNonAnswers:
		st.stopped = fmt.Sprintf("the target stopped answering reliably: %d requests of the run got no answer", st.nonAnswers)
	}
	return st.stopped
}

// record attaches an exchange to the check's evidence and remembers it for messages.
func (t *checker) record(x evidence.Exchange, resp *reply, sent string) {
	AddReportEntry(evidence.EntryExchange, x, types.ReportEntryVisibilityNever)
	t.last, t.sent = resp, sent
	t.exchanges = append(t.exchanges, x)
}

// shared returns the answer kept under key, sending it with send the first time in the
// run: later checks get the same answer, and its exchange in their evidence, marked as
// shared. A nil send only looks the answer up (it must be there).
func (t *checker) shared(key string, send func() *reply) *reply {
	if a, ok := t.st.memo[key]; ok {
		x := a.x
		x.Step += " (sent once for the run, shared)"
		t.record(x, a.resp, a.sent)
		return a.resp
	}
	resp := send()
	t.st.memo[key] = &sharedAnswer{resp: resp, x: t.exchanges[len(t.exchanges)-1], sent: t.sent}
	return resp
}

// pace waits until the next request may go out under --max-rps.
func (st *runState) pace(ctx context.Context) error {
	if st.cfg.MaxRPS <= 0 {
		return nil
	}
	now := time.Now()
	if st.next.After(now) {
		if err := sleepCtx(ctx, st.next.Sub(now)); err != nil {
			return err
		}
		now = st.next
	}
	st.next = now.Add(time.Duration(float64(time.Second) / st.cfg.MaxRPS))
	return nil
}

// rateLimited reports whether the answer asks the harness to come back later (429, or
// 503 with Retry-After) and how long to wait: as the target says (seconds or an HTTP
// date), at most maxRateWait, one second when it does not say.
func rateLimited(resp *reply) (time.Duration, bool) {
	if resp.Err != nil && resp.Status == 0 {
		return 0, false
	}
	ra := resp.Header.Get("Retry-After")
	if resp.Status != http.StatusTooManyRequests && (resp.Status != http.StatusServiceUnavailable || ra == "") {
		return 0, false
	}
	wait := time.Second
	if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
		wait = time.Duration(secs) * time.Second
	} else if when, err := http.ParseTime(ra); err == nil {
		wait = time.Until(when)
	}
	return min(max(wait, 100*time.Millisecond), maxRateWait), true
}

// say writes a line on the progress writer, if any.
func (st *runState) say(format string, args ...any) {
	if st.progress != nil {
		fmt.Fprintln(st.progress, st.red.String(fmt.Sprintf(format, args...)))
	}
}

// describeRequest renders a request on one line for failure messages (the caller redacts,
// then cuts it).
func describeRequest(r request, target string) string {
	s := r.method + " " + target
	if ct := r.header.Get("Content-Type"); ct != "" {
		s += " (" + ct + ")"
	}
	if r.body != "" {
		s += " " + r.body
	}
	return s
}

// validate checks an answer against the OpenAPI contract when the request is one the
// contract describes: a POST to the token endpoint; a 200 of a GET to the protected path
// when that is the documented projects path (List Projects' envelope). The protected
// path's 401, and every answer of another --protected-path, are judged by status only:
// the checks assume no body there. Other requests (a GET to the token endpoint, for
// example) have no documented answer and are not validated.
// The media-type rule is the validator's (spec.IsJSONMediaType).
func (st *runState) validate(ctx context.Context, r request, resp *reply) error {
	path, _, _ := strings.Cut(r.path, "?")
	switch {
	case r.method == http.MethodPost && path == spec.TokenPath:
	case r.method == http.MethodGet && path == spec.ProjectsPath && path == st.cfg.ProtectedPath && resp.Status == http.StatusOK:
	default:
		return nil
	}
	u := &url.URL{Scheme: "http", Host: "contract.invalid", Path: path}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), nil)
	if err != nil {
		return err
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	return st.validator.ValidateResponse(ctx, req, resp.Status, resp.Header, resp.Body)
}
