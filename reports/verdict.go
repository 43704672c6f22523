package reports

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

// Verdict is the one-line judgement every format shows, worded once here so that the
// console, Markdown, HTML and JUnit agree.
type Verdict struct {
	// Conformant is Result.Conformant: nothing gating failed and no suite error.
	Conformant bool
	// Headline is short and upper-case, e.g. "CONFORMANT (MUST)", "CONFORMANT (MUST, SHOULD)"
	// (nothing failed and SHOULD checks ran) or "NOT CONFORMANT".
	Headline string
	// Sentence explains it, e.g. "Conformant at MUST level; 2 SHOULD recommendations not met."
	Sentence string
}

// VerdictOf words the verdict of r.
func VerdictOf(r Result) Verdict {
	s := r.Summary
	levels := "MUST"
	levelWords := "MUST level"
	if r.Strict {
		levels = "MUST+SHOULD, strict"
		levelWords = "MUST and SHOULD levels (strict mode)"
	}
	nonGating := s.Failed - s.GatingFailed
	if r.Conformant() {
		if !r.Strict && s.Failed == 0 && ran(r, "SHOULD") {
			// Nothing failed at all: say that the recommendations are met too, which
			// "CONFORMANT (MUST)" alone would undersell.
			return Verdict{
				Conformant: true,
				Headline:   "CONFORMANT (MUST, SHOULD)",
				Sentence:   "Conformant at MUST level; every SHOULD recommendation that ran is met.",
			}
		}
		v := Verdict{Conformant: true, Headline: "CONFORMANT (" + levels + ")"}
		v.Sentence = "Conformant at " + levelWords
		if nonGating > 0 {
			v.Sentence += "; " + notMet(r, nonGating)
		}
		if s.Passed == 0 && s.Failed == 0 {
			v.Sentence += ", but no check ran"
		}
		v.Sentence += "."
		return v
	}
	var why []string
	if s.GatingFailed > 0 {
		why = append(why, plural(s.GatingFailed, "gating failure", "gating failures"))
	}
	if n := len(r.Errors); n > 0 {
		why = append(why, plural(n, "suite error", "suite errors"))
	}
	v := Verdict{Headline: "NOT CONFORMANT"}
	v.Sentence = "Not conformant at " + levelWords + ": " + strings.Join(why, " and ")
	if lv := failedLevels(r, true); lv != "" {
		v.Sentence += " (" + lv + ")"
	}
	if nonGating > 0 {
		v.Sentence += "; " + notMet(r, nonGating)
	}
	v.Sentence += "."
	return v
}

// notMet words the non-gating failures: "2 SHOULD recommendations not met (not gating)".
func notMet(r Result, n int) string {
	noun := "recommendation"
	if lv := failedLevels(r, false); lv != "" {
		noun = lv + " " + noun
	}
	return plural(n, noun, noun+"s") + " not met (not gating)"
}

// String is the "41 passed, 0 failed, 2 skipped" part of a verdict line; failures that do
// not gate are marked: "3 failed (1 not gating)".
func (s Summary) String() string {
	note := ""
	if n := s.Failed - s.GatingFailed; n > 0 {
		note = fmt.Sprintf(" (%d not gating)", n)
	}
	return fmt.Sprintf("%d passed, %d failed%s, %d skipped", s.Passed, s.Failed, note, s.Skipped)
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

// ran reports whether a check of the given level ran (passed or failed, not skipped).
func ran(r Result, level string) bool {
	for _, c := range r.Checks {
		if c.Level == level && c.Status != Skipped {
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

// group is the rank of a check in the reading order of people's reports: gating failures,
// then other failures, then skips, then passes.
func group(c Check) int {
	switch {
	case c.Status == Failed && c.Gating:
		return 0
	case c.Status == Failed:
		return 1
	case c.Status == Skipped:
		return 2
	default:
		return 3
	}
}

// readingOrder returns the checks failures first, keeping the catalog order within a group.
func readingOrder(checks []Check) []Check {
	out := slices.Clone(checks)
	slices.SortStableFunc(out, func(a, b Check) int { return group(a) - group(b) })
	return out
}

// sanitize returns a copy of r safe to render even when it was not produced by FromGinkgo
// (a hand-edited conformance.json): sensitive headers (Authorization, Cookie, …) keep only
// their scheme. It adds no secret of its own and never drops information otherwise.
func sanitize(r Result) Result {
	var red evidence.Redactor
	r.Checks = slices.Clone(r.Checks)
	for i := range r.Checks {
		c := &r.Checks[i]
		c.Evidence = slices.Clone(c.Evidence)
		for j := range c.Evidence {
			x := &c.Evidence[j]
			x.Request.Header = red.Header(x.Request.Header)
			x.Response.Header = red.Header(x.Response.Header)
		}
	}
	return r
}

// exchangeLine is the compact form of one exchange:
// "POST /apiops/auth/token → 200 application/json (12 ms)".
func exchangeLine(x evidence.Exchange) string {
	target := x.Request.URL
	if u, err := url.Parse(x.Request.URL); err == nil && u.Path != "" {
		target = u.RequestURI()
	}
	line := strings.TrimSpace(x.Request.Method + " " + target + " → ")
	switch {
	case x.Response.Error != "":
		line += " error: " + firstLine(x.Response.Error)
	case x.Response.Status == 0:
		line += " no response"
	default:
		line += fmt.Sprintf(" %d", x.Response.Status)
		if ct := x.Response.Header.Get("Content-Type"); ct != "" {
			line += " " + ct
		}
	}
	if x.DurationMS > 0 {
		line += fmt.Sprintf(" (%d ms)", x.DurationMS)
	}
	return line
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// formatDuration renders milliseconds for people: "850 ms", "3.2 s", "2m05s".
func formatDuration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", ms)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// when renders the start time in UTC, or "unknown" for a zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// contractSource names the OpenAPI document exchanges are validated against, as reports
// show it next to a contract violation (evidence.Exchange.Contract).
const contractSource = "spec/token.yaml"

// maxContractLine bounds the violation shown on one line (console, JUnit), in runes.
const maxContractLine = 120

// contractPrefix matches the wrapping the spec package puts around a kin-openapi error
// ("spec: 200 response does not match the contract: "): redundant on a line that already
// says "contract", so the compact line drops it to keep the words that matter.
var contractPrefix = regexp.MustCompile(`^spec: (?:\d{3} )?(?:response|request) does not match the contract: `)

// contractLine is the compact form of an exchange's contract violation, "" when none:
// "contract: response header Content-Type has unexpected value: \"text/html\"".
func contractLine(x evidence.Exchange) string {
	v := firstLine(x.Contract)
	if v == "" {
		return ""
	}
	return "contract: " + shorten(contractPrefix.ReplaceAllString(v, ""), maxContractLine)
}
