// Package suites holds the conformance suites: one Ginkgo spec per requirement of the
// catalog (package catalog), in ordinary files so the apiops-conformance CLI can run them
// in-process with Run, and `go test ./suites/` or `ginkgo` can run them against a target
// named by APIOPS_* environment variables.
//
// Every spec records its requirement, every exchange it made (redacted, bounded) and,
// for a SHOULD or MAY violation outside strict mode, a finding — the report entries named
// in package evidence. Every answer that the OpenAPI contract (package spec) describes is
// validated against it: a deviation is recorded in the exchange's evidence
// (Exchange.Contract) by every check, and fails the TOKEN-SPEC-* checks, which send a
// battery of documented requests for that purpose.
package suites

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// suiteName is the Ginkgo suite description.
const suiteName = "apiops-conformance"

// serverLabel labels the container of the server checks: Run selects them with it.
const serverLabel = "server"

// The whole suite is one top-level container, so Ginkgo's shuffling of top-level
// containers cannot reorder the checks. They run in an order chosen for live targets
// (reports order them by catalog): the error responses first, so the deliberate failed
// logins come before the probes a lenient target may also refuse; expiry last, because
// without a control API its checks wait for the run's token to reach the end of its life,
// and that wait overlaps everything else.
var _ = Describe("Apinizer token endpoint", Label(serverLabel), func() {
	Describe("error responses", errorSpecs)
	Describe("form encoding", formSpecs)
	Describe("200 response", successSpecs)
	Describe("Bearer usage", bearerSpecs)
	Describe("robustness and security", robustnessSpecs)
	Describe("OpenAPI contract", contractSpecs)
	Describe("expiry and revocation", expirySpecs)
})

// After each check: remember how it ended (for the checks that depend on it) and print
// one progress line when the run asked for it.
var _ = ReportAfterEach(func(r SpecReport) {
	if state == nil || r.LeafNodeType != types.NodeTypeIt || len(r.ReportEntries) == 0 {
		return
	}
	state.results[specID(r)] = resultOf(r)
	if state.progress != nil {
		fmt.Fprintln(state.progress, state.red.String(progressLine(r)))
	}
})

// specID is the catalog ID among a spec's labels.
func specID(r SpecReport) string {
	for _, l := range r.Labels() {
		if _, ok := catalog.Lookup(l); ok {
			return l
		}
	}
	return r.LeafNodeText
}

// outcomeOf returns the outcome entry of a spec, if any.
func outcomeOf(r SpecReport) (evidence.Outcome, bool) {
	for _, e := range r.ReportEntries {
		if e.Name == evidence.EntryOutcome {
			if o, ok := e.GetRawValue().(evidence.Outcome); ok {
				return o, true
			}
		}
	}
	return evidence.Outcome{}, false
}

// resultOf is how a spec ended, for prerequisites: failed (or a finding), blocked, or
// neither.
func resultOf(r SpecReport) result {
	if r.State.Is(types.SpecStateFailureStates) {
		return result{failed: true}
	}
	for _, e := range r.ReportEntries {
		if e.Name == evidence.EntryFinding {
			return result{failed: true}
		}
	}
	if o, ok := outcomeOf(r); ok && o.Status == evidence.Blocked {
		return result{blockedBy: o.BlockedBy}
	}
	return result{}
}

// captured is the report of the last RunSpecs, handed over by ReportAfterSuite.
var captured types.Report

var _ = ReportAfterSuite("capture the report", func(r Report) { captured = r })

func progressLine(r SpecReport) string {
	id := specID(r)
	req, _ := catalog.Lookup(id)
	mark, note := "✓", ""
	switch o, ok := outcomeOf(r); {
	case r.State == types.SpecStateSkipped && ok:
		mark, note = "-", strings.ReplaceAll(string(o.Status), "_", " ")+": "+firstLine(o.Reason)
		if o.Status == evidence.Blocked {
			mark = "~"
		}
	case r.State == types.SpecStateSkipped:
		mark, note = "-", "not judged: "+firstLine(r.Failure.Message)
	case r.State == types.SpecStateInterrupted || state.ended() != "":
		mark, note = "-", "not judged: "+orDefault(state.ended(), "the run was interrupted")
	case r.State.Is(types.SpecStateFailureStates):
		mark, note = "✗", keyLines(r.Failure.Message)
	default:
		for _, e := range r.ReportEntries {
			if e.Name == evidence.EntryFinding {
				mark, note = "!", "finding: "+keyLines(e.StringRepresentation())
			}
		}
	}
	line := fmt.Sprintf("%s %-17s %-6s %s (%dms)", mark, id, req.Level, req.Title, r.RunTime.Milliseconds())
	if note != "" {
		line += "\n    " + note
	}
	return line
}

// keyLines picks the "expected:" and "got:" lines of a failure message, or its first line.
func keyLines(msg string) string {
	var keep []string
	for _, l := range strings.Split(msg, "\n") {
		if strings.HasPrefix(l, "expected:") || strings.HasPrefix(l, "got:") {
			keep = append(keep, firstLine(l))
		}
	}
	if len(keep) == 0 {
		return firstLine(msg)
	}
	return strings.Join(keep, "\n    ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// Options are the parts of a run that are not the target's configuration.
type Options struct {
	// Control drives the target's test hooks. Nil: an HTTPControl for cfg.ControlURL
	// when that is set, else none.
	Control Control
	// LabelFilter selects checks by Ginkgo label expression (IDs, levels, areas).
	LabelFilter string
	// Progress receives one line per check as it ends; nil for none.
	Progress io.Writer
	// GinkgoOutput receives Ginkgo's own reporter output; nil discards it (the
	// Progress lines and the caller's summary replace it).
	GinkgoOutput io.Writer
	// Reporter configures Ginkgo's reporter.
	Reporter types.ReporterConfig
}

// Outcome is what a run produced.
type Outcome struct {
	// Report is Ginkgo's report of the run; reports.FromGinkgo reads it. Empty when the
	// preflight found the target could not be judged.
	Report types.Report
	// Secrets are every secret the run knew of (configured secrets and issued tokens),
	// for redacting anything written from the report.
	Secrets []string
	// CouldNotJudge says why the target could not be judged (the preflight failed, the
	// target stopped answering, the run deadline passed); "" when it was judged.
	CouldNotJudge string
	// Interrupted: the caller's context was cancelled (Ctrl-C) before the run ended.
	Interrupted bool
	// Footprint is what the run cost the target.
	Footprint evidence.Footprint
}

// errRunDeadline is the cause of the run's context ending at --run-timeout.
var errRunDeadline = errors.New("run deadline")

// failer is the GinkgoTestingT of a run outside `go test`.
type failer struct{ failed bool }

func (f *failer) Fail() { f.failed = true }

// Run runs the suites against cfg's target in this process and returns Ginkgo's report.
// Ginkgo allows one run per process: a second call fails. Cancelling ctx cuts every
// request of the run. A failed check is not an error: it is in the report.
func Run(ctx context.Context, cfg Config, opts Options) (Outcome, error) {
	return run(ctx, &failer{}, cfg, opts)
}

func run(ctx context.Context, t GinkgoTestingT, cfg Config, opts Options) (Outcome, error) {
	if state != nil {
		return Outcome{}, errors.New("suites: a run is already in progress")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Check(); err != nil {
		return Outcome{}, err
	}
	if err := CheckLabelFilter(opts.LabelFilter); err != nil {
		return Outcome{}, err
	}
	client, err := NewHTTPClient(cfg)
	if err != nil {
		return Outcome{}, err
	}
	validator, err := spec.NewValidator()
	if err != nil {
		return Outcome{}, fmt.Errorf("suites: %w", err)
	}
	red, curl := credentialsOf(cfg)
	control := opts.Control
	if control == nil && cfg.ControlURL != "" {
		hc := NewHTTPControl(cfg.ControlURL, &http.Client{Transport: client.Transport, Timeout: cfg.Timeout})
		hc.Redactor = red
		control = hc
	}
	runCtx, cancel := context.WithTimeoutCause(ctx, cfg.RunTimeout, errRunDeadline)
	defer cancel()
	st := &runState{cfg: cfg, control: control, client: client, validator: validator,
		red: red, parent: ctx, ctx: runCtx, progress: opts.Progress, budgeted: control == nil,
		foot: newFootprint(cfg, control == nil), memo: map[string]*sharedAnswer{}, results: map[string]result{},
		curl: curl, issued: map[string]bool{}}
	state = st
	defer func() { state = nil }()

	if why := st.preflight(); why != "" || st.ended() != "" {
		return st.outcome(types.Report{}, why), nil
	}

	report := runSpecs(t, within(serverLabel, opts.LabelFilter), opts.GinkgoOutput, opts.Reporter)
	return st.outcome(report, ""), nil
}

// runSpecs runs the specs the label filter selects, Ginkgo's own output going to out
// (nil discards it), and returns the report of the specs that were selected.
func runSpecs(t GinkgoTestingT, filter string, out io.Writer, reporter types.ReporterConfig) types.Report {
	if out == nil {
		out = io.Discard
	}
	saved := formatter.ColorableStdOut
	formatter.ColorableStdOut = out
	defer func() { formatter.ColorableStdOut = saved }()

	suiteCfg, _ := GinkgoConfiguration()
	suiteCfg.LabelFilter = filter
	captured = types.Report{}
	RunSpecs(t, suiteName, suiteCfg, reporter)
	return withoutFiltered(captured, filter)
}

// within restricts a user's label filter to the specs under label ("server", "client").
func within(label, expr string) string {
	if expr == "" {
		return label
	}
	return label + " && (" + expr + ")"
}

// credentialsOf returns a redactor of every form the configured secrets can take (HTTP
// Basic included) and a curl writer that references them as the APIOPS_* variables that
// hold them.
func credentialsOf(cfg Config) (*evidence.Redactor, *evidence.Curl) {
	red := &evidence.Redactor{}
	curl := &evidence.Curl{Redactor: red}
	for _, a := range []struct {
		env string
		acc Account
	}{{EnvPrefix, cfg.Account}, {EnvPrefix + "SPECIAL_", cfg.Special}, {EnvPrefix + "DISABLED_", cfg.Disabled}, {EnvPrefix + "LOCKED_", cfg.Locked}} {
		if a.acc.ClientSecret != "" {
			red.AddCredentials(a.acc.ClientID, a.acc.ClientSecret)
			curl.User(a.env+"CLIENT_ID", a.acc.ClientID)
			curl.Env(a.env+"CLIENT_SECRET", a.acc.ClientSecret)
		}
	}
	return red, curl
}

// outcome assembles what the run produced.
func (st *runState) outcome(report types.Report, couldNotJudge string) Outcome {
	out := Outcome{Report: report, Secrets: st.red.Secrets(), Footprint: st.foot.report(), CouldNotJudge: couldNotJudge}
	switch {
	case st.parent.Err() != nil || interrupted(report):
		out.Interrupted = true
	case out.CouldNotJudge == "" && st.ended() != "":
		out.CouldNotJudge = capitalize(st.ended()) + ": the checks after that point were not judged."
	}
	return out
}

// CheckLabelFilter reports, in one line, a label filter Ginkgo cannot parse (Ginkgo
// itself would exit the process) or one that selects no check.
func CheckLabelFilter(expr string) error {
	reqs, err := Selected(expr)
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		return fmt.Errorf("--label-filter %q selects no check (labels are IDs, must/should/may and areas; see 'apiops-conformance list')", expr)
	}
	return nil
}

// Selected returns the server requirements a label filter selects, in catalog order (all
// of them for an empty filter).
func Selected(expr string) ([]catalog.Requirement, error) {
	match := func([]string) bool { return true }
	if expr != "" {
		m, err := types.ParseLabelFilter(expr)
		if err != nil {
			return nil, fmt.Errorf("--label-filter %q is not a Ginkgo label expression (e.g. 'must && !expiry', 'TOKEN-FORM-001 || bearer')", expr)
		}
		match = m
	}
	var reqs []catalog.Requirement
	for _, r := range catalog.All() {
		if match(r.Labels()) {
			reqs = append(reqs, r)
		}
	}
	return reqs, nil
}

// withoutFiltered drops the specs the label filter left out: Ginkgo reports them as
// skipped, but they were never selected. A selected spec that never started (the run was
// interrupted or ended before it) is kept, with the reason, so it reads as not judged.
func withoutFiltered(r types.Report, filter string) types.Report {
	selected, err := types.ParseLabelFilter(filter)
	if err != nil {
		selected = func([]string) bool { return false }
	}
	specs := r.SpecReports[:0:0]
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt && sr.State == types.SpecStateSkipped && len(sr.ReportEntries) == 0 {
			if !selected(sr.Labels()) {
				continue
			}
			sr.Failure.Message = orDefault(sr.Failure.Message, "the run ended before this check started")
		}
		specs = append(specs, sr)
	}
	r.SpecReports = specs
	return r
}

// interrupted reports whether Ginkgo saw the run interrupted (it may see the signal
// before the run's own context does).
func interrupted(r types.Report) bool {
	for _, sr := range r.SpecReports {
		if sr.State == types.SpecStateInterrupted {
			return true
		}
	}
	return slices.ContainsFunc(r.SpecialSuiteFailureReasons, func(s string) bool { return strings.Contains(s, "Interrupt") })
}
