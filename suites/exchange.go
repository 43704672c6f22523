package suites

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// request is one request a check sends.
type request struct {
	step   string // what it is for, e.g. "documented request"
	method string
	path   string // below the base URL, may carry a query
	header http.Header
	body   string
}

// send sends r to the target, records the exchange as evidence (redacted, bounded),
// checks the answer against the OpenAPI contract and returns it. A token in a 200 answer
// is registered for redaction before anything is recorded.
func (t *T) send(r request) *Resp {
	target := t.st.cfg.BaseURL + r.path
	req, err := http.NewRequestWithContext(t.ctx, r.method, target, strings.NewReader(r.body))
	if err != nil {
		Fail(fmt.Sprintf("%s: cannot build the request %s %s: %v", t.req.ID, r.method, t.st.red.String(target), err), 1)
	}
	if r.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	start := time.Now()
	var resp *Resp
	if t.st.silent >= deadAfter {
		resp = &Resp{Err: fmt.Errorf("not sent: the target gave no complete answer to the last %d requests", t.st.silent)}
	} else {
		resp = fetch(t.ctx, t.st.client, req, t.st.cfg.Timeout)
		if resp.Err != nil && !errors.Is(resp.Err, errBodyTooLarge) {
			t.st.silent++
		} else {
			t.st.silent = 0
		}
	}
	elapsed := time.Since(start)
	if tok, ok := resp.AccessToken(); ok {
		t.st.red.Add(tok)
	}
	red := t.st.red
	x := evidence.Exchange{
		Step: r.step,
		Request: evidence.Request{
			Method: r.method,
			URL:    red.String(target),
			Header: red.Header(req.Header),
			Body:   red.String(excerpt(r.body)),
		},
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
		if err := t.st.validate(t.ctx, r, resp); err != nil {
			x.Contract = red.String(err.Error())
		}
	}
	AddReportEntry(evidence.EntryExchange, x, types.ReportEntryVisibilityNever)
	t.last = resp
	t.sent = red.String(describeRequest(r, target))
	t.exchanges = append(t.exchanges, x)
	return resp
}

// excerpt bounds a request body kept as evidence (the oversized-body check sends 1 MiB).
func excerpt(body string) string {
	if len(body) <= evidence.MaxBody {
		return body
	}
	return body[:evidence.MaxBody] + fmt.Sprintf("… (%d bytes in all)", len(body))
}

// describeRequest renders a request on one line for failure messages.
func describeRequest(r request, target string) string {
	s := r.method + " " + target
	if ct := r.header.Get("Content-Type"); ct != "" {
		s += " (" + ct + ")"
	}
	if r.body != "" {
		b := r.body
		if len(b) > 120 {
			b = b[:120] + fmt.Sprintf("… (%d bytes)", len(r.body))
		}
		s += " " + b
	}
	return s
}

// validate checks an answer against the OpenAPI contract when the request is one the
// contract describes: POST to the token endpoint, GET to the protected path (validated as
// spec.ProjectsPath, whatever --protected-path is). Other requests (a GET to the token
// endpoint, for example) have no documented answer and are not validated.
func (st *runState) validate(ctx context.Context, r request, resp *Resp) error {
	path, _, _ := strings.Cut(r.path, "?")
	var specPath string
	switch {
	case r.method == http.MethodPost && path == spec.TokenPath:
		specPath = spec.TokenPath
	case r.method == http.MethodGet && path == st.cfg.ProtectedPath:
		specPath = spec.ProjectsPath
	default:
		return nil
	}
	u := &url.URL{Scheme: "http", Host: "contract.invalid", Path: specPath}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), nil)
	if err != nil {
		return err
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	return st.validator.ValidateResponse(ctx, req, resp.Status, resp.Header, resp.Body)
}
