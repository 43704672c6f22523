package suites

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// runState is what the specs know about the run. Ginkgo specs are registered at package
// initialisation and cannot take arguments, so the one package-level variable below
// carries the target's configuration into them; Run sets it before RunSpecs and clears it
// after.
type runState struct {
	cfg       Config
	control   Control
	client    *http.Client
	validator *spec.Validator
	red       *evidence.Redactor
	ctx       context.Context // the caller's context: cancelling it cuts every request
	progress  io.Writer
	// silent counts the latest requests that got no complete answer; after deadAfter in a
	// row the target is taken for dead and further requests are not sent, so a hanging
	// target costs a few timeouts, not one per request.
	silent int
}

// deadAfter is how many requests in a row may go unanswered before the rest are not sent.
const deadAfter = 3

// state is the current run; nil outside Run (for example while Ginkgo only previews).
var state *runState

// T is a check in progress: the requirement it implements and the exchanges it made.
type T struct {
	ctx       context.Context
	req       catalog.Requirement
	st        *runState
	last      *Resp               // the latest answer, for failure messages
	sent      string              // the latest request, redacted, for failure messages
	reset     bool                // a Control reset is registered for the end of the spec
	exchanges []evidence.Exchange // what the check sent and got, redacted
}

// abort unwinds a check after a non-gating finding was recorded.
type abort struct{}

// check registers the Ginkgo spec implementing the catalog requirement id. The spec
// records the requirement as a report entry, then runs body; body reports violations
// through T.Fail, which fails the spec or records a finding depending on the level.
func check(id string, body func(t *T)) {
	req, ok := catalog.Lookup(id)
	if !ok {
		panic(fmt.Sprintf("suites: %s is not in the catalog", id))
	}
	It(req.String(), Label(req.Labels()...), func(sctx SpecContext) {
		AddReportEntry(evidence.EntryRequirement, req, types.ReportEntryVisibilityNever)
		if state == nil {
			Fail("suites: no target configured; run through suites.Run")
		}
		ctx, cancel := context.WithCancel(sctx)
		defer cancel()
		stop := context.AfterFunc(state.ctx, cancel)
		defer stop()
		t := &T{ctx: ctx, req: req, st: state}
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(abort); !ok {
					panic(r)
				}
			}
		}()
		body(t)
	})
}

// Fail reports a violation of the requirement: expected says what should have happened,
// the latest exchange shows what was sent and what came back. A MUST violation (or any
// violation under --strict, except MAY) fails the spec; otherwise it is recorded as a
// finding and the check ends, passing.
func (t *T) Fail(expected string, args ...any) {
	msg := t.message(fmt.Sprintf(expected, args...))
	if t.req.Gating(t.st.cfg.Scope()) {
		Fail(msg, 1)
	}
	AddReportEntry(evidence.EntryFinding, msg, types.ReportEntryVisibilityNever)
	panic(abort{})
}

// Expect calls Fail unless ok.
func (t *T) Expect(ok bool, expected string, args ...any) {
	if !ok {
		t.Fail(expected, args...)
	}
}

// Skip ends the check as skipped, with the reason (what to give to run it).
func (t *T) Skip(reason string, args ...any) {
	Skip(fmt.Sprintf(reason, args...), 1)
}

func (t *T) message(expected string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s\n", t.req.ID, t.req.Level, t.req.Source)
	fmt.Fprintf(&b, "expected: %s\n", expected)
	if t.sent != "" {
		fmt.Fprintf(&b, "sent:     %s\n", t.sent)
		fmt.Fprintf(&b, "got:      %s\n", t.st.red.String(t.last.Summary()))
	}
	return t.st.red.String(strings.TrimRight(b.String(), "\n"))
}

// Control returns the run's Control, or nil. The first call registers a Reset for the
// end of the spec, so time travel and faults never leak into the next check.
func (t *T) Control() Control {
	c := t.st.control
	if c != nil && !t.reset {
		t.reset = true
		DeferCleanup(func(ctx SpecContext) {
			if err := c.Reset(ctx); err != nil {
				Fail(fmt.Sprintf("%s: resetting the target through its control API: %v", t.req.ID, err))
			}
		})
	}
	return c
}

// control runs a Control operation; an error there fails the check (whatever its level):
// the harness could not do what it needed.
func (t *T) control(what string, err error) {
	if err != nil {
		Fail(fmt.Sprintf("%s: the control API could not %s: %v (is --control-url a running apiops-mock with --control?)", t.req.ID, what, err), 1)
	}
}

// sleep waits d, or less if the run is cancelled.
func (t *T) sleep(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.ctx.Done():
		Fail(fmt.Sprintf("%s: cancelled while waiting %s for the token to expire", t.req.ID, d), 1)
	}
}
