package reports

import (
	"bufio"
	"fmt"
	"io"
	"slices"
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
	NewlySkipped []Change // skipped now, ran before
	Added        []Change // absent before
	Removed      []Change // absent now
	// NewErrors are suite errors of the new result that the old one did not have.
	NewErrors []string
}

// Compare compares two results by check ID.
func Compare(old, new Result) Diff {
	var d Diff
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
		case c.Status == Skipped && existed && ch.Old != Skipped:
			d.NewlySkipped = append(d.NewlySkipped, ch)
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

// Regressions returns the changes that make the new result fail a gate the old one did not:
// checks failing and gating now that were not failing and gating before (newly failing,
// or a failure that became gating, e.g. under --strict).
func (d Diff) Regressions() []Change {
	var out []Change
	for _, c := range slices.Concat(d.NewlyFailing, d.StillFailing) {
		if c.NewGating && !(c.Old == Failed && c.OldGating) {
			out = append(out, c)
		}
	}
	return out
}

// Regressed reports whether the new result gates on something new: a regression or a new
// suite error. `apiops-conformance report --compare` exits 1 exactly when this is true.
func (d Diff) Regressed() bool {
	return len(d.Regressions()) > 0 || len(d.NewErrors) > 0
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool {
	return len(d.NewlyFailing)+len(d.Fixed)+len(d.NewlySkipped)+len(d.Added)+len(d.Removed)+len(d.NewErrors) == 0
}

func (d Diff) sections() []diffSection {
	return []diffSection{
		{"Newly failing", d.NewlyFailing},
		{"Fixed", d.Fixed},
		{"Still failing", d.StillFailing},
		{"Newly skipped", d.NewlySkipped},
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
			fmt.Fprintf(bw, "  %s [%s] %s: %s%s\n", c.ID, c.Level, c.Title, transition(c), gateNote(c))
			if c.New == Failed && c.Message != "" && s.title == "Newly failing" {
				fmt.Fprintf(bw, "      %s\n", shorten(firstLine(c.Message), 160))
			}
		}
	}
	if len(d.NewErrors) > 0 {
		fmt.Fprintf(bw, "New suite errors (%d)\n", len(d.NewErrors))
		for _, e := range d.NewErrors {
			fmt.Fprintf(bw, "  %s\n", shorten(firstLine(e), 160))
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
			fmt.Fprintf(bw, "- %s **%s** %s: %s%s\n", mdCode(c.ID), c.Level, mdEscape(c.Title), transition(c), mdEscape(gateNote(c)))
		}
		fmt.Fprintln(bw)
	}
	for _, e := range d.NewErrors {
		fmt.Fprintf(bw, "- new suite error: %s\n", mdEscape(shorten(firstLine(e), 160)))
	}
	return bw.Flush()
}

func transition(c Change) string {
	return orDefault(string(c.Old), "absent") + " → " + orDefault(string(c.New), "absent")
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
