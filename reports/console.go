package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxConsoleExchanges bounds the evidence lines printed per failed check.
const maxConsoleExchanges = 3

// ConsoleOptions choose what WriteConsole adds to the plain summary.
type ConsoleOptions struct {
	// Color adds ANSI colours. The CLI sets it for a terminal, unless --no-color or the
	// NO_COLOR environment variable says otherwise; files never get colour.
	Color bool
	// ShowCurl prints, under every exchange of a failure, the curl command that
	// reproduces it (secrets as environment references).
	ShowCurl bool
	// Verbose lists the passed checks too, each with what it compared.
	Verbose bool
}

// ANSI escape sequences of the console's colours.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// WriteConsole writes the end-of-run summary for a terminal. When the embedded mock was
// judged its first line says so. Then, in reading order: failures (gating before
// non-gating), each as a card with ID, level, kind, source, quote, the message ("expected:",
// "sent:", "got:") and a compact line per exchange (plus its contract violation, and its curl
// reproduction with ShowCurl); the blocked, not judged and not applicable checks with their
// reasons; passes with Verbose; suite errors; the footprint; the counts, the explanation and
// the verdict line last. Write errors are ignored, as for fmt.Print.
//
// opts is optional (at most one is read): without it the summary is plain, as in a file.
func WriteConsole(w io.Writer, r Result, options ...ConsoleOptions) {
	var opts ConsoleOptions
	if len(options) > 0 {
		opts = options[0]
	}
	r = sanitize(r)
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	// Every text from the result is cleaned of control characters (a hostile response
	// must not drive the terminal); only paint adds escape sequences.
	p := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = cleanTerminal(s)
			}
		}
		fmt.Fprintf(bw, format, args...)
	}
	paint := func(code, s string) painted {
		s = cleanTerminal(s)
		if !opts.Color || s == "" {
			return painted(s)
		}
		return painted(code + s + ansiReset)
	}

	if r.Embedded {
		p("%s\n", paint(ansiBold+ansiYellow, "NOTE: "+embeddedNote))
	}
	p("%s %s — %s — %s (%s)\n", orUnknown(r.Tool.Name), r.Tool.Version, orUnknown(r.Target), when(r.Started), formatDuration(r.DurationMS))

	heading := -1
	for _, c := range readingOrder(r.Checks) {
		g := group(c)
		if g == 5 && !opts.Verbose {
			break
		}
		if g != heading {
			heading = g
			p("\n%s\n", paint(ansiBold, consoleHeading(g, r)))
		}
		switch c.Status {
		case Failed:
			mark, colour := "✗", ansiRed
			if !c.Gating {
				mark, colour = "!", ansiYellow
			}
			p("  %s %s [%s] %s\n", paint(colour, mark), paint(ansiBold, c.ID), levelKind(c), c.Title)
			if c.Source != "" {
				p("      source: %s\n", c.Source)
			}
			if c.Quote != "" {
				p("      quote:  %s\n", paint(ansiDim, "“"+oneLine(c.Quote)+"”"))
			}
			for l := range strings.SplitSeq(strings.TrimRight(c.Message, "\n"), "\n") {
				p("      %s\n", l)
			}
			for i, x := range c.Evidence {
				if i == maxConsoleExchanges {
					p("      … %d more exchanges in %s\n", len(c.Evidence)-i, HTMLFile)
					break
				}
				p("      %s\n", exchangeLine(x))
				if l := contractLine(x); l != "" {
					p("        %s\n", l)
				}
				if opts.ShowCurl && x.Curl != "" {
					for j, l := range strings.Split(strings.TrimRight(x.Curl, "\n"), "\n") {
						prefix := "        $ "
						if j > 0 {
							prefix = "          "
						}
						p("%s%s\n", prefix, paint(ansiDim, l))
					}
				}
			}
		case Passed:
			p("  %s %s [%s] %s\n", paint(ansiGreen, "✓"), c.ID, levelKind(c), c.Title)
			if c.Compared != "" {
				p("      compared: %s\n", oneLine(c.Compared))
			}
		default:
			if r.Run.Status == RunCouldNotJudge && c.Reason == r.Run.Reason {
				continue // said once, below the list
			}
			p("  - %s [%s] %s\n", c.ID, c.Level, shorten(oneLine(reasonText(c)), 160))
		}
	}
	if r.Run.Status == RunCouldNotJudge {
		n := 0
		for _, c := range r.Checks {
			if c.Status == NotJudged && c.Reason == r.Run.Reason {
				n++
			}
		}
		if n > 0 {
			p("  - %s: %s\n", plural(n, "check", "checks"), shorten(oneLine(orDefault(r.Run.Reason, "no reason given")), 300))
		}
	}
	if len(r.Errors) > 0 {
		p("\n%s\n", paint(ansiBold, "SUITE ERRORS (outside any check)"))
		for _, e := range r.Errors {
			for i, l := range strings.Split(strings.TrimRight(e, "\n"), "\n") {
				if i == 0 {
					p("  %s %s\n", paint(ansiRed, "✗"), l)
				} else {
					p("    %s\n", l)
				}
			}
		}
	}
	if lines := footprintText(r.Footprint, r.Embedded); lines != nil {
		p("\n%s\n", paint(ansiBold, "FOOTPRINT on the target"))
		for _, l := range lines {
			p("  %s\n", l)
		}
	}
	v := VerdictOf(r)
	p("\nChecks: %s\n", r.Summary.String())
	p("%s\n", v.Sentence)
	colour := map[string]string{"pass": ansiGreen, "fail": ansiRed}[v.Tone]
	if colour == "" {
		colour = ansiYellow
	}
	p("%s\n", paint(ansiBold+colour, v.Line()))
}

func consoleHeading(g int, r Result) string {
	switch g {
	case 0:
		return "FAILED — gating"
	case 1:
		return "FAILED — not gating (" + strictNote(r.scope()) + ")"
	case 2:
		return "BLOCKED (a check they depend on failed)"
	case 3:
		return "NOT JUDGED"
	case 4:
		return "NOT APPLICABLE"
	default:
		return "PASSED"
	}
}

// painted is console text already cleaned and coloured.
type painted string

// cleanTerminal shows the control characters of s (but newlines and tabs) as escapes, so
// that no text from a target reaches a terminal as a command.
func cleanTerminal(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0)
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func orUnknown(s string) string { return orDefault(s, "unknown") }

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
