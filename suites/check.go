package suites

import (
	"context"
	"errors"
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
	parent    context.Context // the caller's context: cancelled means interrupted
	ctx       context.Context // parent bounded by the run deadline: cancelling it cuts every request
	progress  io.Writer

	// budgeted: a live target (no control API), so the footprint budget applies.
	budgeted bool
	foot     *footprint
	// memo holds the answers to requests several checks share (the preflight's, a wrong
	// password, …): each is sent once per run and its exchange shown by every check using it.
	memo map[string]*sharedAnswer
	// results holds the outcome of every check that ran, for prerequisites.
	results map[string]result
	// token is the run's shared token, from the preflight.
	token sharedToken
	// spare are valid tokens that checks obtained and no longer need (revocation uses one).
	spare []string
	// stopped says why the target is taken for gone ("" while it answers); nonAnswers
	// counts the requests that got no answer.
	stopped    string
	nonAnswers int
	next       time.Time // pacing (--max-rps): the earliest time of the next request
	// acceptedAt is the latest instant, after its request, the run's token was seen accepted.
	acceptedAt time.Duration
	// wrongSecret is the made-up password of the shared wrong-password request.
	wrongSecret string
	// curl writes the reproductions of the exchanges; issued holds every token the
	// target issued in the run, so a call with one is reproduced with a token request first.
	curl   *evidence.Curl
	issued map[string]bool
}

// state is the current run; nil outside Run (for example while Ginkgo only previews).
var state *runState

// result is how a check ended, for the checks that depend on it.
type result struct {
	failed    bool
	blockedBy string // the root check that blocked it, if blocked
}

// checker is a check in progress: the requirement it implements and the exchanges it made.
type checker struct {
	ctx       context.Context
	req       catalog.Requirement
	st        *runState
	last      *reply              // the latest answer, for failure messages
	sent      string              // the latest request, redacted, for failure messages
	reset     bool                // a Control reset is registered for the end of the spec
	exchanges []evidence.Exchange // what the check sent and got, redacted
	compared  []string            // what the check compared, for its evidence
}

// abort unwinds a check after a non-gating finding was recorded.
type abort struct{}

// check registers the Ginkgo spec implementing the catalog requirement id. Before body
// runs, the spec decides from the catalog entry whether the check can be judged at all
// (the run still going, its needs met, its prerequisites passed); body reports violations
// through T.Fail and what it compared through T.Saw. A check that compared nothing cannot
// pass.
func check(id string, body func(t *checker)) {
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
		t := &checker{ctx: ctx, req: req, st: state}
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(abort); !ok {
					panic(r)
				}
			}
		}()
		t.gate()
		body(t)
		if len(t.compared) == 0 {
			Fail(t.message("the check to compare what it names: it compared nothing (a harness defect)"), 1)
		}
		AddReportEntry(evidence.EntryCompared, strings.Join(t.compared, "; "), types.ReportEntryVisibilityNever)
	})
}

// gate ends the check before it sends anything when it cannot be judged: the run is over
// (interrupted, deadline, target gone), a prerequisite failed, or a need is not met.
func (t *checker) gate() {
	if why := t.st.ended(); why != "" {
		t.notJudged("%s", why)
	}
	for _, id := range t.req.After {
		if r, ok := t.st.results[id]; ok && r.failed {
			t.outcome(evidence.Blocked, id, fmt.Sprintf("blocked by %s, which failed: this check depends on it", id))
		} else if ok && r.blockedBy != "" {
			t.outcome(evidence.Blocked, r.blockedBy, fmt.Sprintf("blocked by %s (through %s)", r.blockedBy, id))
		}
	}
	for _, n := range t.req.Needs {
		if ok, na := t.st.needMet(n); !ok {
			if na != "" {
				t.outcome(evidence.NotApplicable, "", na)
			}
			t.notJudged("needs %s", n.Describe())
		}
	}
}

// ended says why the run is over, or "" (also outside a server run).
func (st *runState) ended() string {
	if st == nil {
		return ""
	}
	if st.ctx.Err() != nil {
		if errors.Is(context.Cause(st.ctx), errRunDeadline) {
			return fmt.Sprintf("the run deadline passed (--run-timeout %s)", st.cfg.RunTimeout)
		}
		return "the run was interrupted"
	}
	return st.stopped
}

// needMet reports whether the run can give what n stands for; when it cannot because the
// requirement does not apply to this target, na says why.
func (st *runState) needMet(n catalog.Need) (ok bool, na string) {
	switch n {
	case catalog.NeedSpecial:
		return st.cfg.Special.Given(), ""
	case catalog.NeedDisabled:
		return st.cfg.Disabled.Given(), ""
	case catalog.NeedLocked:
		return st.cfg.Locked.Given(), ""
	case catalog.NeedServerError:
		return st.control != nil || st.cfg.FaultHeader != "", ""
	case catalog.NeedRevocation:
		return st.control != nil || st.cfg.RevokeCommand != "", ""
	case catalog.NeedNeverExpire:
		if st.control != nil || !st.token.ok || !st.token.lifeOK || st.token.life == 0 {
			return true, ""
		}
		return false, fmt.Sprintf("the target's tokens carry expires_in (%s): this applies to tokens issued without it (a mock's --control-url can issue some)", st.token.life)
	case catalog.NeedExpiry:
		if st.control != nil || !st.token.ok || !st.token.lifeOK {
			return true, "" // the check itself says what blocks it
		}
		if st.token.life == 0 {
			return false, "the target's tokens carry no expires_in: they never expire (TOKEN-EXP-003 judges that)"
		}
		return st.token.life+expiryGrace <= st.cfg.MaxExpiryWait, ""
	}
	return false, ""
}

// outcome ends the check as not judged, blocked or not applicable, with the reason.
func (t *checker) outcome(status evidence.OutcomeStatus, blockedBy, reason string) {
	AddReportEntry(evidence.EntryOutcome, evidence.Outcome{Status: status, Reason: reason, BlockedBy: blockedBy},
		types.ReportEntryVisibilityNever)
	Skip(reason, 2)
}

// notJudged ends the check as not judged, with the reason (what to give, or why the run
// could not go on).
func (t *checker) notJudged(reason string, args ...any) {
	t.outcome(evidence.NotJudged, "", fmt.Sprintf(reason, args...))
}

// notApplicable ends the check: the requirement does not apply to this target.
func (t *checker) notApplicable(reason string, args ...any) {
	t.outcome(evidence.NotApplicable, "", fmt.Sprintf(reason, args...))
}

// blockedBy ends the check as blocked by the check id, which judges what went wrong.
func (t *checker) blockedBy(id, reason string, args ...any) {
	t.outcome(evidence.Blocked, id, fmt.Sprintf(reason, args...))
}

// Saw records what the check compared, e.g. "401 unauthorized_client ✓". Every pass says
// what it compared; a failure shows it too.
func (t *checker) Saw(format string, args ...any) {
	t.compared = append(t.compared, t.st.red.String(fmt.Sprintf(format, args...)))
}

// Fail reports a violation of the requirement: expected says what should have happened,
// the latest exchange shows what was sent and what came back. A gating violation (MUST,
// or SHOULD within the scope of --strict) fails the spec; otherwise it is recorded as a
// finding and the check ends, passing.
func (t *checker) Fail(expected string, args ...any) {
	msg := t.message(fmt.Sprintf(expected, args...))
	if len(t.compared) > 0 {
		AddReportEntry(evidence.EntryCompared, strings.Join(t.compared, "; "), types.ReportEntryVisibilityNever)
	}
	if t.req.Gating(t.st.cfg.Strict) {
		Fail(msg, 1)
	}
	AddReportEntry(evidence.EntryFinding, msg, types.ReportEntryVisibilityNever)
	panic(abort{})
}

// Expect calls Fail unless ok.
func (t *checker) Expect(ok bool, expected string, args ...any) {
	if !ok {
		t.Fail(expected, args...)
	}
}

func (t *checker) message(expected string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s\n", t.req.ID, t.req.Level, t.req.Source)
	fmt.Fprintf(&b, "expected: %s\n", expected)
	if t.sent != "" {
		fmt.Fprintf(&b, "sent:     %s\n", t.sent)
		fmt.Fprintf(&b, "got:      %s\n", cut(t.st.red, t.last.Summary(), summaryLen))
	}
	return t.st.red.String(strings.TrimRight(b.String(), "\n"))
}

// summaryLen bounds the "got:" line of a failure message.
const summaryLen = 400

// cut redacts s, then cuts it to n bytes, saying so.
func cut(red *evidence.Redactor, s string, n int) string {
	out, cut := red.Cut(s, n)
	if cut {
		out += fmt.Sprintf(" … (%d bytes in all)", len(s))
	}
	return out
}

// Control returns the run's Control, or nil. The first call registers a Reset for the
// end of the spec, so time travel and faults never leak into the next check.
func (t *checker) Control() Control {
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
func (t *checker) control(what string, err error) {
	if err != nil {
		if why := t.st.ended(); why != "" {
			t.notJudged("%s", why)
		}
		Fail(fmt.Sprintf("%s: the control API could not %s: %v (is --control-url a running apiops-mock with --control?)", t.req.ID, what, err), 1)
	}
}

// sleepUntil waits until the instant when, saying why on the progress writer when the wait
// is longer than a second; an interrupt or the run deadline ends the check as not judged.
func (t *checker) sleepUntil(when time.Time, why string) {
	d := time.Until(when)
	if d <= 0 {
		return
	}
	if d > time.Second && t.st.progress != nil {
		fmt.Fprintf(t.st.progress, "  … %s: waiting %s (%s)\n", t.req.ID, d.Round(100*time.Millisecond), why)
	}
	if sleepCtx(t.ctx, d) != nil {
		t.notJudged("%s (while waiting %s: %s)", orDefault(t.st.ended(), "the run was interrupted"), d.Round(100*time.Millisecond), why)
	}
}

// sleepCtx waits d or until ctx ends, returning ctx's error then.
func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
