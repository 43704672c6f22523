package reports

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Change is one check as it was in an old result and is in a new one. A status is empty
// where the check does not exist (added or removed checks).
type Change struct {
	ID    string
	Level string
	Title string
	Old   Status
	New   Status
	// OldGating and NewGating tell whether the failure gated in each result.
	OldGating bool
	NewGating bool
	// Message is the new result's message (the old one for removed checks).
	Message string
}

// Diff is what changed between two results, each list in the new result's catalog order
// (removed checks in the old result's order).
type Diff struct {
	NewlyFailing []Change // failed now, did not fail before (including checks new and failing)
	Fixed        []Change // failed before, passed now
	StillFailing []Change // failed in both
	// NewlyUnjudged are checks not judged or blocked now that were judged before.
	NewlyUnjudged []Change
	Added         []Change // absent before
	Removed       []Change // absent now
	// NewErrors are suite errors of the new result that the old one did not have.
	NewErrors []string
	// RequireAll is the new result's: a MUST check newly not judged is a regression too.
	RequireAll bool
	// NewRun is how the new run ended; unless complete there is nothing to compare.
	NewRun RunStatus
}

// Compare compares two results by check ID.
func Compare(old, new Result) Diff {
	d := Diff{RequireAll: new.RequireAll, NewRun: new.Run}
	if d.NewRun.Status == "" {
		d.NewRun.Status = RunComplete
	}
	before := map[string]Check{}
	for _, c := range old.Checks {
		before[c.ID] = c
	}
	seen := map[string]bool{}
	for _, c := range new.Checks {
		seen[c.ID] = true
		o, existed := before[c.ID]
		ch := Change{ID: c.ID, Level: c.Level, Title: c.Title, New: c.Status, NewGating: c.Gating, Message: c.Message}
		if existed {
			ch.Old, ch.OldGating = o.Status, o.Gating
		} else {
			d.Added = append(d.Added, ch)
		}
		switch {
		case c.Status == Failed && ch.Old == Failed:
			d.StillFailing = append(d.StillFailing, ch)
		case c.Status == Failed:
			d.NewlyFailing = append(d.NewlyFailing, ch)
		case ch.Old == Failed && c.Status == Passed:
			d.Fixed = append(d.Fixed, ch)
		case unjudged(c.Status) && existed && !unjudged(ch.Old):
			d.NewlyUnjudged = append(d.NewlyUnjudged, ch)
		}
	}
	for _, c := range old.Checks {
		if !seen[c.ID] {
			d.Removed = append(d.Removed, Change{ID: c.ID, Level: c.Level, Title: c.Title, Old: c.Status, OldGating: c.Gating, Message: c.Message})
		}
	}
	for _, e := range new.Errors {
		if !slices.Contains(old.Errors, e) {
			d.NewErrors = append(d.NewErrors, e)
		}
	}
	return d
}

// unjudged reports whether a status is not judged or blocked (or "skipped", in a result
// of version 1 built by hand rather than read through ReadJSON).
func unjudged(s Status) bool { return s == NotJudged || s == Blocked || s == Skipped }

// Regressions returns the changes that make the new result fail a gate the old one did not:
// checks failing and gating now that were not failing and gating before (newly failing,
// or a failure that became gating, e.g. under --strict), and with RequireAll the MUST
// checks not judged now that were judged (or absent) before.
func (d Diff) Regressions() []Change {
	var out []Change
	for _, c := range slices.Concat(d.NewlyFailing, d.StillFailing) {
		if c.NewGating && !(c.Old == Failed && c.OldGating) {
			out = append(out, c)
		}
	}
	if d.RequireAll {
		for _, c := range slices.Concat(d.NewlyUnjudged, d.Added) {
			if c.Level == "MUST" && unjudged(c.New) {
				out = append(out, c)
			}
		}
	}
	return out
}

// isRegression reports whether c is one of d's regressions.
func (d Diff) isRegression(c Change) bool {
	return slices.ContainsFunc(d.Regressions(), func(r Change) bool { return r.ID == c.ID })
}

// Judged reports whether the new run judged its target (it was neither interrupted nor
// unable to judge). `report --compare` exits 3 when it did not.
func (d Diff) Judged() bool { return d.NewRun.Status == RunComplete || d.NewRun.Status == "" }

// Regressed reports whether the new result gates on something new: a regression or a new
// suite error. `apiops-conformance report --compare` exits 1 exactly when this is true.
func (d Diff) Regressed() bool {
	return len(d.Regressions()) > 0 || len(d.NewErrors) > 0
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool {
	return len(d.NewlyFailing)+len(d.Fixed)+len(d.NewlyUnjudged)+len(d.Added)+len(d.Removed)+len(d.NewErrors) == 0
}

func (d Diff) sections() []diffSection {
	return []diffSection{
		{"Newly failing", d.NewlyFailing},
		{"Fixed", d.Fixed},
		{"Still failing", d.StillFailing},
		{"Newly not judged", d.NewlyUnjudged},
		{"New checks", d.Added},
		{"Removed checks", d.Removed},
	}
}

type diffSection struct {
	title   string
	changes []Change
}

// WriteDiff writes d for a terminal: each non-empty section, one line per check, then a
// closing line saying whether the new result regressed.
func WriteDiff(w io.Writer, d Diff) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	for _, s := range d.sections() {
		if len(s.changes) == 0 {
			continue
		}
		fmt.Fprintf(bw, "%s (%d)\n", s.title, len(s.changes))
		for _, c := range s.changes {
			fmt.Fprintf(bw, "%s\n", cleanTerminal(fmt.Sprintf("  %s [%s] %s: %s%s", c.ID, c.Level, c.Title, transition(c), gateNote(c))))
			if c.New == Failed && s.title == "Newly failing" {
				for _, l := range changeLines(c) {
					fmt.Fprintf(bw, "      %s\n", cleanTerminal(shorten(l, 300)))
				}
			}
		}
	}
	if len(d.NewErrors) > 0 {
		fmt.Fprintf(bw, "New suite errors (%d)\n", len(d.NewErrors))
		for _, e := range d.NewErrors {
			fmt.Fprintf(bw, "  %s\n", cleanTerminal(shorten(firstLine(e), 160)))
		}
	}
	fmt.Fprintf(bw, "%s\n", diffVerdict(d))
}

// WriteDiffMarkdown writes d as a Markdown section for a pull request comment.
func WriteDiffMarkdown(w io.Writer, d Diff) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### Changes since the previous run\n\n%s\n\n", mdEscape(diffVerdict(d)))
	for _, s := range d.sections() {
		if len(s.changes) == 0 {
			continue
		}
		fmt.Fprintf(bw, "**%s (%d)**\n\n", s.title, len(s.changes))
		for _, c := range s.changes {
			fmt.Fprintf(bw, "- %s **%s** %s: %s%s\n", mdCode(c.ID), mdEscape(c.Level), mdEscape(c.Title), mdEscape(transition(c)), mdEscape(gateNote(c)))
			if c.New == Failed && s.title == "Newly failing" {
				for _, l := range changeLines(c) {
					fmt.Fprintf(bw, "  - %s\n", mdEscape(shorten(l, 300)))
				}
			}
		}
		fmt.Fprintln(bw)
	}
	for _, e := range d.NewErrors {
		fmt.Fprintf(bw, "- new suite error: %s\n", mdEscape(shorten(firstLine(e), 160)))
	}
	return bw.Flush()
}

// changeLines are the "expected: …" and "got: …" lines of a new failure (or its message's
// first line when it has neither).
func changeLines(c Change) []string {
	var out []string
	for _, key := range []string{"expected:", "got:"} {
		if v := keyLine(c.Message, key); v != "" {
			out = append(out, key+" "+v)
		}
	}
	if len(out) == 0 && c.Message != "" {
		out = append(out, firstLine(c.Message))
	}
	return out
}

func transition(c Change) string {
	return orDefault(c.Old.Label(), "absent") + " → " + orDefault(c.New.Label(), "absent")
}

func gateNote(c Change) string {
	if c.New == Failed && c.NewGating {
		return " (gating)"
	}
	if c.New == Failed {
		return " (not gating)"
	}
	return ""
}

func diffVerdict(d Diff) string {
	switch {
	case !d.Judged():
		return "NOT JUDGED — the new run did not judge its target (" + string(d.NewRun.Status) + "); nothing to compare."
	case d.Regressed():
		n := len(d.Regressions())
		msg := "REGRESSED — " + plural(n, "new gating failure", "new gating failures")
		if len(d.NewErrors) > 0 {
			msg += ", " + plural(len(d.NewErrors), "new suite error", "new suite errors")
		}
		return msg
	case d.Empty():
		return "NO CHANGE in check statuses."
	default:
		return fmt.Sprintf("NO REGRESSION — %d fixed, %d newly failing (not gating), %d still failing.", len(d.Fixed), len(d.NewlyFailing), len(d.StillFailing))
	}
}

// htmlDiff is the comparison section of report.html.
type htmlDiff struct {
	Verdict   string
	Regressed bool
	Sections  []htmlDiffSection
	NewErrors []string
}

type htmlDiffSection struct {
	Title   string
	Changes []htmlChange
}

type htmlChange struct {
	Change
	Anchor     string // of the check in this report; "" for a removed check
	Transition string
	Note       string
	Regression bool
	Lines      []string // expected and got of a new failure
}

func newHTMLDiff(d Diff) *htmlDiff {
	h := &htmlDiff{Verdict: diffVerdict(d), Regressed: d.Regressed(), NewErrors: d.NewErrors}
	for _, s := range d.sections() {
		if len(s.changes) == 0 {
			continue
		}
		hs := htmlDiffSection{Title: s.title}
		for _, c := range s.changes {
			hc := htmlChange{Change: c, Transition: transition(c), Note: strings.Trim(gateNote(c), " ()"), Regression: d.isRegression(c)}
			if c.New != "" {
				hc.Anchor = anchorOf(c.ID)
			}
			if c.New == Failed && s.title == "Newly failing" {
				hc.Lines = changeLines(c)
			}
			hs.Changes = append(hs.Changes, hc)
		}
		h.Sections = append(h.Sections, hs)
	}
	return h
}
