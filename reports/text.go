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

// sanitize returns a copy of r safe to render even when it was not produced by FromGinkgo
// (a hand-edited conformance.json): sensitive headers (Authorization, Cookie, …) keep only
// their scheme, and curl reproductions show no literal credential. It adds no secret of
// its own and never drops information otherwise.
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
			x.Curl = redactCurl(x.Curl, nil)
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

// group is the rank of a check in the reading order of people's reports: gating failures,
// other failures, blocked, not judged, not applicable, then passes.
func group(c Check) int {
	switch c.Status {
	case Failed:
		if c.Gating {
			return 0
		}
		return 1
	case Blocked:
		return 2
	case NotApplicable:
		return 4
	case Passed:
		return 5
	}
	return 3 // not judged, or a status this version does not know
}

// readingOrder returns the checks failures first, keeping the catalog order within a group.
func readingOrder(checks []Check) []Check {
	out := slices.Clone(checks)
	slices.SortStableFunc(out, func(a, b Check) int { return group(a) - group(b) })
	return out
}

// reasonText is why a check was not judged, is blocked or does not apply:
// "blocked by TOKEN-FORM-001: no token was obtained".
func reasonText(c Check) string {
	reason := strings.TrimSpace(c.Reason)
	if c.Status == Blocked {
		by := "blocked by " + orDefault(c.BlockedBy, "a failed check")
		if reason == "" {
			return by
		}
		return by + ": " + reason
	}
	return orDefault(reason, "no reason given")
}

// levelKind is "MUST, docs": the level and, when known, the kind of source.
func levelKind(c Check) string {
	if c.Kind == "" {
		return c.Level
	}
	return c.Level + ", " + c.Kind
}

// keyLine returns the text after the first line of msg starting with key ("expected:",
// "got:"), or "".
func keyLine(msg, key string) string {
	for l := range strings.SplitSeq(msg, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), key); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// failureSummary is the one-line form of a failure: "expected: …; got: …" from its
// message, or the message's first line when it has neither.
func failureSummary(c Check) string {
	exp, got := keyLine(c.Message, "expected:"), keyLine(c.Message, "got:")
	switch {
	case exp != "" && got != "":
		return "expected: " + exp + "; got: " + got
	case exp != "":
		return "expected: " + exp
	case got != "":
		return "got: " + got
	}
	return orDefault(firstLine(c.Message), "failed")
}
