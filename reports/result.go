// Package reports turns a Ginkgo report of the suites into one result model and writes it
// for machines (conformance.json, junit.xml) and people (console summary, summary.md,
// report.html).
package reports

import (
	"time"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// SchemaVersion is the version of conformance.json this package writes. ReadJSON reads it
// and version 1 (no schema_version field).
const SchemaVersion = 2

// Status is the outcome of one check.
type Status string

// The statuses of a check.
const (
	// Passed: the check compared what it names and found it as required.
	Passed Status = "passed"
	// Failed: the target does not meet the requirement. Check.Gating says whether that
	// fails the run.
	Failed Status = "failed"
	// NotJudged: the check could not be judged (a need was not given, the run ended
	// first, the footprint budget did not allow it); Check.Reason says why.
	NotJudged Status = "not_judged"
	// Blocked: a check it depends on failed; Check.BlockedBy names it.
	Blocked Status = "blocked"
	// NotApplicable: the requirement does not apply to this target; Check.Reason says why.
	NotApplicable Status = "not_applicable"

	// Skipped is the status of schema version 1 for what is now NotJudged. ReadJSON maps
	// it; this package never writes it.
	Skipped Status = "skipped"
)

// Statuses lists the statuses in reading order: failures first, passes last.
var Statuses = []Status{Failed, Blocked, NotJudged, NotApplicable, Passed}

// Label is the status as people read it: "passed", "failed", "not judged", "blocked",
// "not applicable".
func (s Status) Label() string {
	switch s {
	case NotJudged:
		return "not judged"
	case NotApplicable:
		return "not applicable"
	}
	return string(s)
}

// Judged reports whether the check reached a judgement (passed, failed or not applicable).
func (s Status) Judged() bool { return s == Passed || s == Failed || s == NotApplicable }

// Tool names the program that produced a result.
type Tool struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"go_version,omitempty"`
}

// RunState is how a run ended.
type RunState string

// The states of a run.
const (
	// RunComplete: every selected check ended (passed, failed or not judged with a reason).
	RunComplete RunState = "complete"
	// RunCouldNotJudge: the target could not be judged at all (unreachable, TLS untrusted,
	// credentials refused in the preflight, it stopped answering, the run deadline passed).
	RunCouldNotJudge RunState = "could_not_judge"
	// RunInterrupted: the run was interrupted (SIGINT, SIGTERM) before it ended.
	RunInterrupted RunState = "interrupted"
)

// RunStatus is how the run ended and, unless complete, why.
type RunStatus struct {
	Status RunState `json:"status"`
	Reason string   `json:"reason,omitempty"`
}

// Summary counts checks by status. GatingFailed counts the failed checks that fail the run;
// MustNotJudged lists the MUST checks that were not judged or blocked, in catalog order.
type Summary struct {
	Passed        int      `json:"passed"`
	Failed        int      `json:"failed"`
	NotJudged     int      `json:"not_judged"`
	Blocked       int      `json:"blocked"`
	NotApplicable int      `json:"not_applicable"`
	GatingFailed  int      `json:"gating_failed"`
	MustNotJudged []string `json:"must_not_judged"`
	// Skipped is kept for readers of schema version 1: the checks neither passed nor
	// failed (not judged, blocked or not applicable).
	Skipped int `json:"skipped"`
}

// Total is the number of checks counted.
func (s Summary) Total() int {
	return s.Passed + s.Failed + s.NotJudged + s.Blocked + s.NotApplicable
}

// Judged is the number of checks that reached a judgement (passed, failed, not applicable).
func (s Summary) Judged() int { return s.Passed + s.Failed + s.NotApplicable }

// Check is the result of one requirement.
type Check struct {
	ID    string `json:"id"`
	Level string `json:"level"`
	Area  string `json:"area"`
	// Kind is the kind of source: docs, rfc or owasp.
	Kind   string `json:"kind,omitempty"`
	Title  string `json:"title"`
	Source string `json:"source"`
	// Quote is the sentence of the source that requires it.
	Quote  string `json:"quote,omitempty"`
	Status Status `json:"status"`
	// Gating is true for a failed check that fails the run (MUST, or SHOULD in the scope
	// of --strict).
	Gating bool `json:"gating"`
	// Reason says why a check was not judged, is blocked or does not apply.
	Reason string `json:"reason,omitempty"`
	// BlockedBy names the failed check that blocks this one.
	BlockedBy string `json:"blocked_by,omitempty"`
	// Compared says what the check compared and what it could not provoke.
	Compared string `json:"compared,omitempty"`
	// Message is a failure's text: "expected: …", "sent: …", "got: …" lines.
	Message    string              `json:"message,omitempty"`
	DurationMS int64               `json:"duration_ms"`
	Evidence   []evidence.Exchange `json:"evidence,omitempty"`
}

// Result is the one result model every report is written from. Its JSON form is the
// stable machine contract (conformance.json), described in docs/reports.md.
type Result struct {
	SchemaVersion int    `json:"schema_version"`
	Tool          Tool   `json:"tool"`
	Target        string `json:"target"`
	// Embedded is true when the embedded demo mock was judged, not the user's deployment.
	Embedded   bool      `json:"embedded"`
	Started    time.Time `json:"started"`
	DurationMS int64     `json:"duration_ms"`
	Run        RunStatus `json:"run"`
	// Strict is true when some SHOULD failures gate (StrictScope is set); kept for readers
	// of schema version 1.
	Strict bool `json:"strict"`
	// StrictScope is the scope of --strict: "" (MUST only), all, docs, rfc or owasp.
	StrictScope catalog.Scope `json:"strict_scope,omitempty"`
	// RequireAll: a MUST check not judged or blocked fails the run.
	RequireAll bool `json:"require_all"`
	// Config echoes the run's configuration, secrets redacted.
	Config map[string]string `json:"config,omitempty"`
	// Footprint is what the run cost its target; nil when unknown.
	Footprint *evidence.Footprint `json:"footprint,omitempty"`
	Summary   Summary             `json:"summary"`
	// Errors are failures outside any check (for example a suite setup that failed).
	// Any error fails the run.
	Errors []string `json:"errors,omitempty"`
	Checks []Check  `json:"checks"`
}

// Meta is what a result needs beyond the Ginkgo report.
type Meta struct {
	Tool   Tool
	Target string
	// StrictScope is the scope of --strict. Strict (the flag of schema version 1) is
	// read as catalog.ScopeAll when StrictScope is empty.
	StrictScope catalog.Scope
	Strict      bool
	// RequireAll: with --require-all a MUST check not judged or blocked fails the run.
	RequireAll bool
	// Embedded: the embedded demo mock was judged, not the user's deployment.
	Embedded bool
	// Footprint is the run's footprint on the target (suites.Outcome.Footprint).
	Footprint *evidence.Footprint
	// Run is how the run ended; the zero value is a complete run.
	Run    RunStatus
	Config map[string]string
	// Secrets are removed from every text of the result, whatever the suites already did.
	Secrets []string
}

// scope is the effective scope of --strict.
func (m Meta) scope() catalog.Scope {
	if m.StrictScope == catalog.ScopeOff && m.Strict {
		return catalog.ScopeAll
	}
	return m.StrictScope
}

// Summarize counts checks by status and lists the MUST checks not judged or blocked.
func Summarize(checks []Check) Summary {
	s := Summary{MustNotJudged: []string{}}
	for _, c := range checks {
		switch c.Status {
		case Passed:
			s.Passed++
		case Failed:
			s.Failed++
			if c.Gating {
				s.GatingFailed++
			}
		case NotJudged:
			s.NotJudged++
		case Blocked:
			s.Blocked++
		case NotApplicable:
			s.NotApplicable++
		}
		if c.Status != Passed && c.Status != Failed {
			s.Skipped++
		}
		if (c.Status == NotJudged || c.Status == Blocked) && c.Level == string(catalog.Must) {
			s.MustNotJudged = append(s.MustNotJudged, c.ID)
		}
	}
	return s
}
