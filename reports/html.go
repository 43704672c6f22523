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
// JavaScript off and prints cleanly. It shows the embedded-mock warning when it applies,
// the verdict, the footprint, counts by level and area, suite errors, then every check —
// failures first — as a card: ID, level, kind, source (linked where public), quote, what
// was expected and what came back, the reason of a check not judged, blocked or not
// applicable, what a pass compared, and the evidence (request, response, contract
// violation, a curl reproduction to copy) open for failures and collapsed otherwise.
// Status and level filters are pure CSS (checkboxes). Every text is escaped by
// html/template.
func WriteHTML(w io.Writer, r Result) error { return writeHTML(w, r, nil) }

// HTMLWithDiff is the renderer of report.html with a section on what changed since an
// older result (regressions, fixes, other changes), as `report --html --compare` writes it.
func HTMLWithDiff(d Diff) Renderer {
	return func(w io.Writer, r Result) error { return writeHTML(w, r, &d) }
}

func writeHTML(w io.Writer, r Result, d *Diff) error {
	v := newHTMLView(sanitize(r))
	if d != nil {
		v.Diff = newHTMLDiff(*d)
	}
	if err := htmlTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	return nil
}

type htmlView struct {
	R         Result
	Verdict   Verdict
	Embedded  string
	Started   string
	Duration  string
	Mode      string
	Run       string
	Config    []keyValue
	Footprint []string
	Levels    []countRow
	Areas     []countRow
	Total     countRow
	Filters   []htmlFilter
	FilterCSS template.CSS
	Checks    []htmlCheck
	Diff      *htmlDiff
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
	Reason      string // why not judged, blocked or not applicable
	BlockedBy   string // anchor of the blocking check
	Expected    string
	Got         string
	Open        bool // evidence shown open (failures), otherwise collapsed in <details>
	Exchanges   []htmlExchange
}

type htmlExchange struct {
	N         int
	Step      string
	Line      string
	Request   string
	Response  string
	Curl      string
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

// statusFilters are the status checkboxes, in reading order.
var statusFilters = []struct {
	label  string
	status Status
}{{"Failed", Failed}, {"Blocked", Blocked}, {"Not judged", NotJudged}, {"Not applicable", NotApplicable}, {"Passed", Passed}}

// cssIdent matches the filter values that may appear in generated CSS.
var cssIdent = regexp.MustCompile(`^[a-z][a-z_]*$`)

func newHTMLView(r Result) htmlView {
	v := htmlView{
		R:         r,
		Verdict:   VerdictOf(r),
		Started:   when(r.Started),
		Duration:  formatDuration(r.DurationMS),
		Footprint: footprintText(r.Footprint, r.Embedded),
		Levels:    countBy(r.Checks, func(c Check) string { return c.Level }, levelOrder),
		Areas:     countBy(r.Checks, func(c Check) string { return c.Area }, nil),
		Total:     countTotal(r.Checks),
		Run:       string(r.Run.Status),
	}
	if r.Embedded {
		v.Embedded = embeddedNote
	}
	levels, _ := scopeWords(r.scope())
	v.Mode = "gating: " + levels + "; other failures are reported as recommendations"
	if r.RequireAll {
		v.Mode += "; --require-all: a MUST check not judged fails the run"
	}
	if r.Run.Reason != "" {
		v.Run += ": " + r.Run.Reason
	}
	for _, k := range slices.Sorted(maps.Keys(r.Config)) {
		v.Config = append(v.Config, keyValue{k, r.Config[k]})
	}
	for _, f := range statusFilters {
		n := 0
		for _, c := range r.Checks {
			if c.Status == f.status {
				n++
			}
		}
		v.Filters = append(v.Filters, htmlFilter{ID: "f-status-" + string(f.status), Group: "Status", Label: f.label, Attr: "status", Value: string(f.status), Count: n})
	}
	for _, row := range v.Levels {
		if l := strings.ToLower(row.Key); cssIdent.MatchString(l) {
			v.Filters = append(v.Filters, htmlFilter{ID: "f-level-" + l, Group: "Level", Label: row.Key, Attr: "level", Value: l, Count: row.Total()})
		}
	}
	v.FilterCSS = filterCSS(v.Filters)
	for _, c := range readingOrder(r.Checks) {
		v.Checks = append(v.Checks, newHTMLCheck(c))
	}
	return v
}

// filterCSS is the CSS of the filter bar: a checked box shows its label as on, an
// unchecked one hides its checks. Filter IDs and values are CSS identifiers (cssIdent).
func filterCSS(fs []htmlFilter) template.CSS {
	var on, mark, hide []string
	for _, f := range fs {
		label := fmt.Sprintf("#%s:checked~.filters label[for=%s]", f.ID, f.ID)
		on = append(on, label)
		mark = append(mark, label+"::before")
		hide = append(hide, fmt.Sprintf("#%s:not(:checked)~.checks .check[data-%s=%s]", f.ID, f.Attr, f.Value))
	}
	return template.CSS(strings.Join(on, ",") + "{background:#fff;color:#1f2328;text-decoration:none;border-color:#8c959f}\n" +
		strings.Join(mark, ",") + "{content:\"☑ \"}\n" +
		strings.Join(hide, ",") + "{display:none}")
}

func newHTMLCheck(c Check) htmlCheck {
	h := htmlCheck{
		Check:  c,
		Anchor: anchorOf(c.ID),
		Source: SourceLinks(c.Source),
		Open:   c.Status == Failed,
	}
	switch {
	case c.Status == Failed && c.Gating:
		h.StatusLabel, h.Class = "FAILED", "failed gating"
	case c.Status == Failed:
		h.StatusLabel, h.Class = "NOT MET (not gating)", "failed nongating"
	case c.Status == Passed:
		h.StatusLabel, h.Class = "PASSED", "passed"
	case c.Status == Blocked:
		h.StatusLabel, h.Class = "BLOCKED", "unjudged blocked"
		h.Reason = strings.TrimSpace(c.Reason)
		if c.BlockedBy != "" {
			h.BlockedBy = anchorOf(c.BlockedBy)
		}
	case c.Status == NotApplicable:
		h.StatusLabel, h.Class = "NOT APPLICABLE", "unjudged notapplicable"
		h.Reason = reasonText(c)
	default:
		h.StatusLabel, h.Class = "NOT JUDGED", "unjudged notjudged"
		h.Reason = reasonText(c)
	}
	if c.Status == Failed {
		h.Expected, h.Got = keyLine(c.Message, "expected:"), keyLine(c.Message, "got:")
	}
	for i, x := range c.Evidence {
		hx := htmlExchange{
			N:         i + 1,
			Step:      x.Step,
			Line:      exchangeLine(x),
			Request:   requestText(x.Request),
			Response:  responseText(x.Response),
			Curl:      strings.TrimRight(x.Curl, "\n"),
			Truncated: x.Response.BodyTruncated,
			Failed:    x.Response.Error != "",
		}
		hx.Contract, hx.ContractCut = boundText(strings.TrimRight(x.Contract, "\n"), maxContractLines, maxContractBytes)
		h.Exchanges = append(h.Exchanges, hx)
	}
	return h
}

func anchorOf(id string) string { return "check-" + anchorUnsafe.ReplaceAllString(id, "-") }

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
