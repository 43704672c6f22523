package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxConsoleExchanges bounds the evidence lines printed per failed check.
const maxConsoleExchanges = 3

// WriteConsole writes the end-of-run summary for a terminal: failures first (gating before
// non-gating), each with its ID, level, source, message and a compact line per exchange
// (plus one for the exchange's contract violation, if any);
// then the skipped checks with their reasons; then suite errors, the counts and the
// verdict as the last line. Plain text, no colour; write errors are ignored, as for fmt.Print.
func WriteConsole(w io.Writer, r Result) {
	r = sanitize(r)
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("%s %s — %s — %s (%s)\n", orUnknown(r.Tool.Name), r.Tool.Version, orUnknown(r.Target), when(r.Started), formatDuration(r.DurationMS))

	checks := readingOrder(r.Checks)
	heading := -1
	for _, c := range checks {
		g := group(c)
		if g > 2 {
			break
		}
		if g != heading {
			heading = g
			p("\n%s\n", consoleHeading(g, r.Strict))
		}
		switch c.Status {
		case Failed:
			mark := "✗"
			if !c.Gating {
				mark = "!"
			}
			p("  %s %s [%s] %s\n", mark, c.ID, c.Level, c.Title)
			if c.Source != "" {
				p("      source: %s\n", c.Source)
			}
			for l := range strings.SplitSeq(strings.TrimRight(c.Message, "\n"), "\n") {
				p("      %s\n", l)
			}
			for i, x := range c.Evidence {
				if i == maxConsoleExchanges {
					p("      … %d more exchanges in report.html\n", len(c.Evidence)-i)
					break
				}
				p("      %s\n", exchangeLine(x))
				if l := contractLine(x); l != "" {
					p("        %s\n", l)
				}
			}
		case Skipped:
			p("  - %s [%s] %s\n", c.ID, c.Level, shorten(orDefault(firstLine(c.Message), "no reason given"), 100))
		}
	}
	if len(r.Errors) > 0 {
		p("\nSUITE ERRORS (outside any check)\n")
		for _, e := range r.Errors {
			for i, l := range strings.Split(strings.TrimRight(e, "\n"), "\n") {
				if i == 0 {
					p("  ✗ %s\n", l)
				} else {
					p("    %s\n", l)
				}
			}
		}
	}
	v := VerdictOf(r)
	p("\n%s\n", v.Sentence)
	line := v.Headline + " — " + r.Summary.String()
	if !v.Conformant && r.Summary.GatingFailed > 0 {
		line = v.Headline + " — " + plural(r.Summary.GatingFailed, "gating failure", "gating failures") + "; " + r.Summary.String()
	}
	p("%s\n", line)
}

func consoleHeading(g int, strict bool) string {
	switch {
	case g == 0:
		return "FAILED — gating"
	case g == 1 && strict:
		return "FAILED — not gating (MAY)"
	case g == 1:
		return "FAILED — not gating (recommendations; --strict makes SHOULD gating)"
	default:
		return "SKIPPED"
	}
}

func orUnknown(s string) string { return orDefault(s, "unknown") }

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
