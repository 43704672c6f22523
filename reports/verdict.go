package reports

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

// The exit statuses of a result: the CI contract. (2, for usage and configuration errors,
// is decided before a run starts.)
const (
	ExitConformant    = 0
	ExitNotConformant = 1
	ExitCouldNotJudge = 3
	ExitInterrupted   = 130
)

// ExitCode is the CI contract, decided here only: 130 when the run was interrupted; 3 when
// the target could not be judged; 1 on any gating failure, any suite error, or — with
// RequireAll — a MUST check not judged or blocked; 0 otherwise.
func (r Result) ExitCode() int {
	switch {
	case r.Run.Status == RunInterrupted:
		return ExitInterrupted
	case r.Run.Status == RunCouldNotJudge:
		return ExitCouldNotJudge
	case r.Summary.GatingFailed > 0 || len(r.Errors) > 0:
		return ExitNotConformant
	case r.RequireAll && len(r.Summary.MustNotJudged) > 0:
		return ExitNotConformant
	}
	return ExitConformant
}

// scope is the effective scope of --strict: StrictScope, or all for a result that only
// says Strict.
func (r Result) scope() catalog.Scope {
	if r.StrictScope == catalog.ScopeOff && r.Strict {
		return catalog.ScopeAll
	}
	return r.StrictScope
}

// Conformant reports whether the run judged the target and nothing fails it.
func (r Result) Conformant() bool { return r.ExitCode() == ExitConformant }

// Verdict is the judgement every format shows, worded once here so that the console,
// Markdown, HTML and JUnit agree.
type Verdict struct {
	// ExitCode is Result.ExitCode.
	ExitCode int
	// Conformant is true when ExitCode is 0.
	Conformant bool
	// Tone is how a reader should take it: "pass", "fail" or "incomplete" (conformant
	// with MUST checks not judged, or nothing judged at all).
	Tone string
	// Headline is short and upper-case: "CONFORMANT (MUST)", "CONFORMANT (MUST, SHOULD)"
	// (nothing failed and SHOULD checks ran), "CONFORMANT (MUST, SHOULD (docs) gating)",
	// "NOT CONFORMANT", "NOT CONFORMANT (--require-all: 3 MUST checks not judged)",
	// "NOT JUDGED — could not judge the target" or "INTERRUPTED — not judged".
	Headline string
	// Coverage says how many checks were judged and names the MUST checks that were not:
	// "40 of 43 checks judged; not judged: TOKEN-ERR-009, TOKEN-EXP-003 (MUST)".
	Coverage string
	// Sentence explains it, e.g. "Conformant at MUST level; 2 SHOULD recommendations not
	// met (not gating)." For a target that could not be judged it is the run's reason.
	Sentence string
}

// Line is the one-line verdict: the headline and, when there is one, the coverage.
func (v Verdict) Line() string {
	switch {
	case v.Coverage == "":
		return v.Headline
	case strings.Contains(v.Headline, " — "):
		return v.Headline + "; " + v.Coverage
	}
	return v.Headline + " — " + v.Coverage
}

// maxListedIDs bounds the MUST checks named in a coverage line.
const maxListedIDs = 8

// VerdictOf words the verdict of r.
func VerdictOf(r Result) Verdict {
	s := r.Summary
	v := Verdict{ExitCode: r.ExitCode()}
	v.Conformant = v.ExitCode == ExitConformant
	switch r.Run.Status {
	case RunInterrupted:
		v.Tone, v.Headline = "incomplete", "INTERRUPTED — not judged"
		v.Coverage = fmt.Sprintf("%d of %d checks judged before the interruption (%d passed, %d failed)", s.Judged(), s.Total(), s.Passed, s.Failed)
		v.Sentence = "The run was interrupted before it ended; nothing is concluded from the checks that ran."
		if r.Run.Reason != "" {
			v.Sentence = asSentence(r.Run.Reason) + " " + v.Sentence
		}
		return v
	case RunCouldNotJudge:
		v.Tone, v.Headline = "incomplete", "NOT JUDGED — could not judge the target"
		v.Sentence = asSentence(orDefault(r.Run.Reason, "the target could not be judged (no reason was recorded)"))
		return v
	}
	v.Coverage = coverage(s)
	levels, levelWords := scopeWords(r.scope())
	nonGating := s.Failed - s.GatingFailed
	unjudged := len(s.MustNotJudged)
	var notes []string
	if nonGating > 0 {
		notes = append(notes, notMet(r, nonGating))
	}

	if v.Conformant {
		v.Tone = "pass"
		if unjudged > 0 || s.Judged() == 0 {
			v.Tone = "incomplete"
		}
		if r.scope() == catalog.ScopeOff && s.Failed == 0 && ran(r, "SHOULD") {
			// Nothing failed at all: say that the recommendations are met too, which
			// "CONFORMANT (MUST)" alone would undersell.
			v.Headline = "CONFORMANT (MUST, SHOULD)"
			v.Sentence = "Conformant at MUST level; every SHOULD recommendation that ran is met"
		} else {
			v.Headline = "CONFORMANT (" + levels + ")"
			v.Sentence = "Conformant at " + levelWords
		}
		if len(notes) > 0 {
			v.Sentence += "; " + strings.Join(notes, "; ")
		}
		if s.Judged() == 0 {
			v.Sentence += ", but no check was judged"
		}
		v.Sentence += "."
		if unjudged > 0 {
			v.Sentence += " " + plural(unjudged, "MUST check was", "MUST checks were") +
				" not judged: the verdict covers only what was judged (--require-all makes this fail the run)."
		}
		return v
	}

	v.Tone = "fail"
	var why []string
	if s.GatingFailed > 0 {
		w := plural(s.GatingFailed, "gating failure", "gating failures")
		if lv := failedLevels(r, true); lv != "" {
			w += " (" + lv + ")"
		}
		why = append(why, w)
	}
	if n := len(r.Errors); n > 0 {
		why = append(why, plural(n, "suite error", "suite errors"))
	}
	requireAll := r.RequireAll && unjudged > 0
	if requireAll {
		why = append(why, plural(unjudged, "MUST check", "MUST checks")+" not judged under --require-all")
	}
	v.Headline = "NOT CONFORMANT"
	if requireAll && s.GatingFailed == 0 && len(r.Errors) == 0 {
		v.Headline = "NOT CONFORMANT (--require-all: " + plural(unjudged, "MUST check", "MUST checks") + " not judged)"
	}
	v.Sentence = "Not conformant at " + levelWords + ": " + strings.Join(why, ", ")
	if len(notes) > 0 {
		v.Sentence += "; " + strings.Join(notes, "; ")
	}
	v.Sentence += "."
	if unjudged > 0 && !requireAll {
		v.Sentence += " " + plural(unjudged, "MUST check was", "MUST checks were") + " not judged besides."
	}
	return v
}

// asSentence starts s with a capital letter and ends it with a period.
func asSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if r := []rune(s); unicode.IsLower(r[0]) {
		s = string(unicode.ToUpper(r[0])) + string(r[1:])
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// coverage words how much was judged: "40 of 43 checks judged; not judged: A, B (MUST)".
func coverage(s Summary) string {
	if s.Total() == 0 {
		return "no check ran"
	}
	c := fmt.Sprintf("%d of %d checks judged", s.Judged(), s.Total())
	ids := s.MustNotJudged
	if len(ids) == 0 {
		return c
	}
	list := strings.Join(ids[:min(len(ids), maxListedIDs)], ", ")
	if len(ids) > maxListedIDs {
		list += fmt.Sprintf(" and %d more", len(ids)-maxListedIDs)
	}
	return c + "; not judged: " + list + " (MUST)"
}

// scopeWords names what gates under a scope of --strict, for a headline ("MUST, SHOULD
// (docs) gating") and a sentence ("MUST level and SHOULD (docs) level (--strict=docs)").
func scopeWords(scope catalog.Scope) (string, string) {
	switch scope {
	case catalog.ScopeOff:
		return "MUST", "MUST level"
	case catalog.ScopeAll:
		return "MUST, SHOULD gating", "MUST and SHOULD levels (--strict)"
	}
	return "MUST, SHOULD (" + string(scope) + ") gating", "MUST level and SHOULD (" + string(scope) + ") level (--strict=" + string(scope) + ")"
}

// strictNote says which failures do not gate under a scope, for the heading of the
// non-gating failures.
func strictNote(scope catalog.Scope) string {
	switch scope {
	case catalog.ScopeOff:
		return "recommendations; --strict makes SHOULD gating"
	case catalog.ScopeAll:
		return "MAY"
	}
	return "outside --strict=" + string(scope) + "; --strict=all gates every SHOULD"
}

// notMet words the non-gating failures: "2 SHOULD recommendations not met (not gating)".
func notMet(r Result, n int) string {
	noun := "recommendation"
	if lv := failedLevels(r, false); lv != "" {
		noun = lv + " " + noun
	}
	return plural(n, noun, noun+"s") + " not met (not gating)"
}

// String is the counts line: "41 passed, 1 failed (1 not gating), 2 not judged, 1 blocked";
// the statuses nothing ended in are left out, except passed and failed.
func (s Summary) String() string {
	note := ""
	if n := s.Failed - s.GatingFailed; n > 0 {
		note = fmt.Sprintf(" (%d not gating)", n)
	}
	out := fmt.Sprintf("%d passed, %d failed%s", s.Passed, s.Failed, note)
	for _, x := range []struct {
		n    int
		what string
	}{{s.NotJudged, "not judged"}, {s.Blocked, "blocked"}, {s.NotApplicable, "not applicable"}} {
		if x.n > 0 {
			out += fmt.Sprintf(", %d %s", x.n, x.what)
		}
	}
	return out
}

// failedLevels lists the levels ("MUST", "SHOULD") of the failed checks that are (or are
// not) gating, in level order.
func failedLevels(r Result, gating bool) string {
	var lv []string
	for _, l := range levelOrder {
		for _, c := range r.Checks {
			if c.Status == Failed && c.Gating == gating && c.Level == l {
				lv = append(lv, l)
				break
			}
		}
	}
	return strings.Join(lv, "/")
}

// ran reports whether a check of the given level was judged (passed or failed).
func ran(r Result, level string) bool {
	for _, c := range r.Checks {
		if c.Level == level && (c.Status == Passed || c.Status == Failed) {
			return true
		}
	}
	return false
}

var levelOrder = []string{"MUST", "SHOULD", "MAY"}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
