package suites

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// clientT is a client check in progress.
type clientT struct {
	ctx      context.Context
	req      catalog.Requirement
	st       *clientState
	violated bool
	attached int // exchanges attached so far
}

// clientAbort unwinds a client check after a non-gating finding was recorded.
type clientAbort struct{}

// scenarioBlocking marks the checks that decide themselves whether a failed
// prerequisite blocks them: only when the requests of their own scenario break it.
var scenarioBlocking = map[string]bool{"CLIENT-FLOW-001": true}

// maxAttached bounds the exchanges one check attaches as evidence.
const maxAttached = 8

// clientCheck registers the Ginkgo spec implementing the client requirement id. A check
// whose prerequisite (Requirement.After) was violated is skipped as blocked by it.
func clientCheck(id string, body func(t *clientT)) {
	req, ok := catalog.Lookup(id)
	if !ok {
		panic(fmt.Sprintf("suites: %s is not in the catalog", id))
	}
	// Offset(1): the spec's code location is its line in clients.go, so Ginkgo, which orders
	// specs by location, runs them in catalog order.
	It(req.String(), Label(req.Labels()...), Offset(1), func(sctx SpecContext) {
		st := clientSt
		if st == nil {
			// Not a client run (a server run that did not filter by label): skipped
			// without report entries, which reports read as "not selected".
			Skip("a client check: apiops-conformance client -- CMD judges it")
		}
		AddReportEntry(evidence.EntryRequirement, req, types.ReportEntryVisibilityNever)
		t := &clientT{req: req, st: st}
		for _, dep := range req.After {
			if root := st.roots[dep]; root != "" && !scenarioBlocking[req.ID] {
				reason := "blocked by " + root + ", which failed"
				if root != dep {
					reason = "blocked by " + root + ", which failed (through " + dep + ")"
				}
				t.blocked(root, reason)
			}
		}
		ctx, cancel := context.WithCancel(sctx)
		defer cancel()
		stop := context.AfterFunc(st.ctx, cancel)
		defer stop()
		t.ctx = ctx
		defer func() {
			if t.violated {
				st.roots[req.ID] = req.ID
			}
			if r := recover(); r != nil {
				if _, ok := r.(clientAbort); !ok {
					panic(r)
				}
			}
		}()
		body(t)
	})
}

// fail reports a violation: what was expected, what the client sent, what happened. A
// gating violation fails the spec; any other is recorded as a finding and ends the check.
func (t *clientT) fail(expected, sent, got string) {
	t.violated = true
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s\n", t.req.ID, t.req.Level, t.req.Source)
	fmt.Fprintf(&b, "expected: %s\n", expected)
	if sent != "" {
		fmt.Fprintf(&b, "sent:     %s\n", sent)
	}
	fmt.Fprintf(&b, "got:      %s", got)
	msg := t.st.red.String(b.String())
	if t.req.Gating(t.st.cfg.Scope) {
		Fail(msg, 1)
	}
	AddReportEntry(evidence.EntryFinding, msg, types.ReportEntryVisibilityNever)
	panic(clientAbort{})
}

// harness fails the check because the harness could not do its part (the mock's control
// API failed): whatever the level, the check could not judge the client.
func (t *clientT) harness(run *clientRun) {
	Fail(t.st.red.String(fmt.Sprintf("%s: scenario %q: the harness could not %v", t.req.ID, run.name, run.actionErr)), 1)
}

// notJudged ends the check as not judged, with the reason (what the client must do).
func (t *clientT) notJudged(reason string) {
	reason = t.st.red.String(reason)
	AddReportEntry(evidence.EntryOutcome, evidence.Outcome{Status: evidence.NotJudged, Reason: reason}, types.ReportEntryVisibilityNever)
	Skip(reason, 1)
}

// blocked ends the check as blocked by the check id, which becomes its root cause too.
func (t *clientT) blocked(id, reason string) {
	t.st.roots[t.req.ID] = id
	AddReportEntry(evidence.EntryOutcome, evidence.Outcome{Status: evidence.Blocked, Reason: reason, BlockedBy: id}, types.ReportEntryVisibilityNever)
	Skip(reason, 1)
}

// compared records what the check compared.
func (t *clientT) compared(format string, args ...any) {
	AddReportEntry(evidence.EntryCompared, t.st.red.String(fmt.Sprintf(format, args...)), types.ReportEntryVisibilityNever)
}

// evidence attaches recorded requests, redacted, as exchanges (at most maxAttached).
func (t *clientT) evidence(run *clientRun, recs ...Recorded) {
	red := t.st.red
	for _, rec := range recs {
		if t.attached >= maxAttached {
			return
		}
		t.attached++
		u := rec.Path
		if rec.RawQuery != "" {
			u += "?" + rec.RawQuery
		}
		body, _ := red.Excerpt(rec.Body)
		respBody, cutResp := red.Excerpt(rec.RespBody)
		x := evidence.Exchange{
			Step:     fmt.Sprintf("scenario %q (%s)", run.name, run.account.ClientID),
			Request:  evidence.Request{Method: rec.Method, URL: red.String(u), Header: red.Header(rec.Header), Body: body},
			Response: evidence.Response{Status: rec.Status, Body: respBody, BodyTruncated: cutResp},
		}
		AddReportEntry(evidence.EntryExchange, x, types.ReportEntryVisibilityNever)
	}
}

// sent describes a recorded request in one line, redacted, for a failure message.
func (t *clientT) sent(run *clientRun, rec Recorded) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %q (%s): %s %s", run.name, run.account.ClientID, rec.Method, rec.Path)
	if rec.RawQuery != "" {
		b.WriteString("?" + rec.RawQuery)
	}
	if ct := rec.Header.Get("Content-Type"); ct != "" {
		fmt.Fprintf(&b, ", Content-Type: %s", ct)
	}
	if auth := rec.Header.Get("Authorization"); auth != "" {
		fmt.Fprintf(&b, ", Authorization: %s", t.st.red.Header(http.Header{"Authorization": {auth}}).Get("Authorization"))
	}
	if len(rec.Body) > 0 {
		body, _ := t.st.red.Excerpt(rec.Body)
		fmt.Fprintf(&b, ", body %s", clCut(body, 160))
	}
	return t.st.red.String(b.String())
}

// scenario runs (or returns) the named scenario.
func (t *clientT) scenario(name string) *clientRun { return t.st.scenario(t.ctx, name) }
