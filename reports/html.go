package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"lower":          strings.ToLower,
	"maxBody":        func() int { return evidence.MaxBody },
	"contractSource": func() string { return contractSource },
}).Parse(htmlSource))

// WriteHTML writes report.html: one self-contained page (inline CSS, a few lines of inline
// JS only to expand evidence when printing; no external asset) that reads fully with
// JavaScript off and prints cleanly. It shows the verdict, counts by level and area, suite
// errors, then every check — failures first — with its source linked where public and the
// evidence (request and response, as redacted by the runner) open for failures and
// collapsed otherwise. Status and level filters are pure CSS (checkboxes). Every text is
// escaped by html/template.
func WriteHTML(w io.Writer, r Result) error {
	if err := htmlTemplate.Execute(w, newHTMLView(sanitize(r))); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	return nil
}

type htmlView struct {
	R        Result
	Verdict  Verdict
	Started  string
	Duration string
	Mode     string
	Config   []keyValue
	Levels   []countRow
	Areas    []countRow
	Total    countRow
	Filters  []htmlFilter
	Checks   []htmlCheck
}

type keyValue struct{ Key, Value string }

// htmlFilter is one checkbox of the CSS-only filter bar. Attr and Value select the checks
// it hides when unchecked: [data-Attr="Value"].
type htmlFilter struct {
	ID, Group, Label, Attr, Value string
	Count                         int
}

type htmlCheck struct {
	Check
	Anchor      string
	StatusLabel string
	Class       string
	Source      []SourcePart
	Open        bool // evidence shown open (failures), otherwise collapsed in <details>
	Exchanges   []htmlExchange
}

type htmlExchange struct {
	N         int
	Step      string
	Line      string
	Request   string
	Response  string
	Truncated bool
	Failed    bool // no response came back
	// Contract is the response's contract violation (bounded), ContractCut says what the
	// bound left out ("" when nothing was).
	Contract    string
	ContractCut string
}

// Bounds of a contract violation shown in report.html: kin-openapi messages quote the
// schema and the value, which can be long. conformance.json keeps the whole text.
const (
	maxContractLines = 40
	maxContractBytes = 4096
)

func newHTMLView(r Result) htmlView {
	v := htmlView{
		R:        r,
		Verdict:  VerdictOf(r),
		Started:  when(r.Started),
		Duration: formatDuration(r.DurationMS),
		Levels:   countBy(r.Checks, func(c Check) string { return c.Level }, levelOrder),
		Areas:    countBy(r.Checks, func(c Check) string { return c.Area }, nil),
		Total:    countTotal(r.Checks),
		Mode:     "default: MUST failures gate; SHOULD and MAY failures are reported as recommendations",
	}
	if r.Strict {
		v.Mode = "strict: MUST and SHOULD failures gate; MAY failures are reported as recommendations"
	}
	for _, k := range slices.Sorted(maps.Keys(r.Config)) {
		v.Config = append(v.Config, keyValue{k, r.Config[k]})
	}
	for _, f := range []struct{ label, value string }{{"Failed", "failed"}, {"Skipped", "skipped"}, {"Passed", "passed"}} {
		n := 0
		for _, c := range r.Checks {
			if string(c.Status) == f.value {
				n++
			}
		}
		v.Filters = append(v.Filters, htmlFilter{ID: "f-status-" + f.value, Group: "Status", Label: f.label, Attr: "status", Value: f.value, Count: n})
	}
	for _, row := range v.Levels {
		l := strings.ToLower(row.Key)
		v.Filters = append(v.Filters, htmlFilter{ID: "f-level-" + l, Group: "Level", Label: row.Key, Attr: "level", Value: l, Count: row.Total()})
	}
	for _, c := range readingOrder(r.Checks) {
		v.Checks = append(v.Checks, newHTMLCheck(c))
	}
	return v
}

func newHTMLCheck(c Check) htmlCheck {
	h := htmlCheck{
		Check:  c,
		Anchor: "check-" + anchorUnsafe.ReplaceAllString(c.ID, "-"),
		Source: SourceLinks(c.Source),
		Open:   c.Status == Failed,
	}
	switch {
	case c.Status == Failed && c.Gating:
		h.StatusLabel, h.Class = "FAILED", "failed gating"
	case c.Status == Failed:
		h.StatusLabel, h.Class = "NOT MET (not gating)", "failed nongating"
	case c.Status == Skipped:
		h.StatusLabel, h.Class = "SKIPPED", "skipped"
	default:
		h.StatusLabel, h.Class = "PASSED", "passed"
	}
	for i, x := range c.Evidence {
		hx := htmlExchange{
			N:         i + 1,
			Step:      x.Step,
			Line:      exchangeLine(x),
			Request:   requestText(x.Request),
			Response:  responseText(x.Response),
			Truncated: x.Response.BodyTruncated,
			Failed:    x.Response.Error != "",
		}
		hx.Contract, hx.ContractCut = boundText(strings.TrimRight(x.Contract, "\n"), maxContractLines, maxContractBytes)
		h.Exchanges = append(h.Exchanges, hx)
	}
	return h
}

// anchorUnsafe matches what may not appear in a fragment identifier we generate (catalog IDs
// never contain such characters; a spec outside the catalog is named by its text).
var anchorUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// requestText renders a request the way it went on the wire (headers sorted).
func requestText(r evidence.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
	writeHeaders(&b, r.Header)
	if r.Body != "" {
		fmt.Fprintf(&b, "\n%s", r.Body)
	}
	return strings.TrimRight(b.String(), "\n")
}

// responseText renders a response: status line, headers, body excerpt — or the error.
func responseText(r evidence.Response) string {
	if r.Error != "" {
		return "No response: " + r.Error
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s\n", r.Status, http.StatusText(r.Status))
	writeHeaders(&b, r.Header)
	if r.Body != "" {
		fmt.Fprintf(&b, "\n%s", readableBody(r.Body, r.BodyTruncated))
	}
	return strings.TrimRight(b.String(), "\n")
}

// readableBody indents a complete JSON body so it wraps at its structure rather than in
// the middle of a value; any other body (or a cut one) is shown exactly as received.
func readableBody(body string, truncated bool) string {
	var buf bytes.Buffer
	if truncated || !json.Valid([]byte(body)) || json.Indent(&buf, []byte(body), "", "  ") != nil {
		return body
	}
	return buf.String()
}

func writeHeaders(b *strings.Builder, h http.Header) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}

// boundText cuts s to at most maxLines lines and maxBytes bytes (on a UTF-8 boundary) and
// says what was left out, or "" when s fits.
func boundText(s string, maxLines, maxBytes int) (string, string) {
	lines := strings.Count(s, "\n") + 1
	cut := s
	if n := 0; lines > maxLines {
		for i := range len(cut) {
			if cut[i] == '\n' {
				if n++; n == maxLines {
					cut = cut[:i]
					break
				}
			}
		}
	}
	if len(cut) > maxBytes {
		i := maxBytes
		for i > 0 && !utf8.RuneStart(cut[i]) {
			i--
		}
		cut = cut[:i]
	}
	if len(cut) == len(s) {
		return s, ""
	}
	return cut, fmt.Sprintf("Cut to %d of %d lines, %d of %d bytes; conformance.json has the whole text.",
		strings.Count(cut, "\n")+1, lines, len(cut), len(s))
}
