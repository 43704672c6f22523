package reports

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

func parseHTML(t *testing.T, r Result) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(render(t, WriteHTML, r)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

func byID(doc *html.Node, id string) *html.Node {
	var found *html.Node
	walk(doc, func(n *html.Node) {
		if v, _ := attr(n, "id"); v == id && found == nil {
			found = n
		}
	})
	return found
}

func TestHTMLStructure(t *testing.T) {
	r := sampleResult()
	doc := parseHTML(t, r)

	v := byID(doc, "verdict")
	if v == nil {
		t.Fatal("no #verdict element")
	}
	if got := text(v); !strings.HasPrefix(got, "NOT CONFORMANT") || !strings.Contains(got, "2 gating failures") {
		t.Errorf("verdict text = %q", got)
	}
	if class, _ := attr(v, "class"); !strings.Contains(class, "fail") {
		t.Errorf("verdict class = %q, want fail", class)
	}
	for _, id := range []string{"by-level", "by-area", "requirements"} {
		if byID(doc, id) == nil {
			t.Errorf("no #%s element", id)
		}
	}

	// One element per check, with its status and level, failures first (gating first).
	var ids, statuses []string
	walk(doc, func(n *html.Node) {
		if st, ok := attr(n, "data-status"); ok && n.Data == "article" {
			id, _ := attr(n, "data-id")
			lv, _ := attr(n, "data-level")
			if lv == "" {
				t.Errorf("check %s has no data-level", id)
			}
			ids = append(ids, id)
			statuses = append(statuses, st)
		}
	})
	want := "TOKEN-FORM-004 BEARER-USE-001 TOKEN-OK-003 BEARER-USE-002 BEARER-USE-003 TOKEN-EXP-002 TOKEN-EXP-004 TOKEN-FORM-001 TOKEN-OK-004"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("check order = %s\nwant           %s", got, want)
	}
	if got := strings.Join(statuses, " "); got != "failed failed failed blocked blocked not_judged not_applicable passed passed" {
		t.Errorf("statuses in order = %s", got)
	}

	// Self-contained: no external resource, links only to anchors and public RFC sections.
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if _, ok := attr(n, "src"); ok {
			t.Errorf("<%s src=…>: the report must not load anything", n.Data)
		}
		switch n.Data {
		case "link", "img", "iframe", "object", "embed", "base", "form":
			t.Errorf("unexpected <%s> element", n.Data)
		}
		if href, ok := attr(n, "href"); ok && !strings.HasPrefix(href, "#") && !strings.HasPrefix(href, "https://www.rfc-editor.org/rfc/rfc") {
			t.Errorf("external link %q", href)
		}
	})
	page := string(render(t, WriteHTML, r))
	for _, bad := range []string{"@import", "url(", "<script>alert", "http://evil.example\""} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert") {
		t.Error("the hostile response body should be shown, escaped")
	}

	// Failures show their evidence open; passed checks keep it in a closed <details>.
	if d := byID(doc, "check-TOKEN-FORM-004"); d == nil || strings.Contains(render1(d), "<details") || !strings.Contains(text(d), "Request sent") {
		t.Error("a failure's evidence should be shown open")
	}
	if d := byID(doc, "check-TOKEN-FORM-001"); d == nil || !strings.Contains(render1(d), "<details class=\"evidence\">") {
		t.Error("a passed check's evidence should be collapsed in <details>")
	}
	if got := text(byID(doc, "check-TOKEN-OK-003")); !strings.Contains(got, "NOT MET (not gating)") {
		t.Errorf("non-gating failure text = %q", got)
	}
	if got := text(byID(doc, "check-TOKEN-EXP-002")); !strings.Contains(got, "Not judged: needs a token lifetime") {
		t.Errorf("a check not judged should show its reason: %q", got)
	}
	if got := text(byID(doc, "check-BEARER-USE-002")); !strings.Contains(got, "Blocked by BEARER-USE-001: no token was obtained") {
		t.Errorf("a blocked check should name what blocks it: %q", got)
	}
	if got := text(byID(doc, "check-TOKEN-EXP-004")); !strings.Contains(got, "Not applicable: the target's tokens never expire") {
		t.Errorf("a check not applicable should say why: %q", got)
	}
	if got := text(byID(doc, "check-TOKEN-FORM-001")); !strings.Contains(got, "Compared: 200 ✓, application/json ✓") {
		t.Errorf("a pass should show what it compared: %q", got)
	}
	// A failure card: level, kind, source, quote, expected and got, a curl block per exchange.
	card := byID(doc, "check-TOKEN-FORM-004")
	for _, want := range []string{"MUST", "docs", "Source: docs: Create Token", "Content-Type: application/x-www-form-urlencoded",
		"Expectedstatus 400 with error=invalid_requestGot200 text/html", "Reproduce with curl", "$APIOPS_CLIENT_SECRET"} {
		if !strings.Contains(text(card), want) {
			t.Errorf("the failure card does not show %q: %s", want, text(card))
		}
	}
	if got := text(byID(doc, "footprint")); !strings.Contains(got, "47 requests, 5 tokens created") || !strings.Contains(got, "Personal API Access Tokens") {
		t.Errorf("footprint = %q", got)
	}
	if byID(doc, "embedded") != nil || byID(doc, "comparison") != nil {
		t.Error("no embedded note and no comparison unless asked")
	}
	// A contract violation is shown under the exchange's response, whole when it fits.
	if got := text(byID(doc, "check-TOKEN-OK-003")); !strings.Contains(got, "Contract (spec/token.yaml): the response does not match") ||
		!strings.Contains(got, `Error at "/expires_in": value must be an integer`) || !strings.Contains(got, `"3600"`) {
		t.Errorf("contract violation not shown: %q", got)
	}
	if strings.Contains(text(byID(doc, "check-TOKEN-FORM-001")), "Contract") {
		t.Error("an exchange without a violation shows no contract block")
	}
}

// TestHTMLContractBounded: a long kin-openapi message is cut, with a note, in report.html.
func TestHTMLContractBounded(t *testing.T) {
	r := sampleResult()
	long := strings.Repeat("schema line <x>\n", 100)
	r.Checks[1].Evidence[0].Contract = long
	got := text(byID(parseHTML(t, r), "check-TOKEN-FORM-004"))
	if n := strings.Count(got, "schema line <x>"); n != maxContractLines {
		t.Errorf("shows %d lines of the violation, want %d", n, maxContractLines)
	}
	if !strings.Contains(got, "Cut to 40 of 100 lines") || !strings.Contains(got, "conformance.json has the whole text") {
		t.Errorf("no cut note: %q", got)
	}
}

func TestBoundText(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		cut      bool
	}{
		{"a\nb\nc", "a\nb\nc", false},
		{"a\nb\nc\nd", "a\nb\nc", true},
		{"abcdefghij", "abcdefgh", true},
		{"abcdefgü", "abcdefg", true}, // never inside a rune
		{"", "", false},
	} {
		got, note := boundText(tc.in, 3, 8)
		if got != tc.want || (note != "") != tc.cut {
			t.Errorf("boundText(%q) = %q, %q; want %q, cut %v", tc.in, got, note, tc.want, tc.cut)
		}
	}
}

func render1(n *html.Node) string {
	var b bytes.Buffer
	_ = html.Render(&b, n)
	return b.String()
}

func TestHTMLVerdictWording(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Result
		want string
	}{
		{"conformant", judgedOnly(conformantResult()), "CONFORMANT (MUST) 6 of 6 checks judged Conformant at MUST level; 1 SHOULD recommendation not met (not gating)."},
		{"strict", judgedOnly(strictResult()), "NOT CONFORMANT 6 of 6 checks judged Not conformant at MUST and SHOULD levels (--strict): 3 gating failures (MUST/SHOULD)."},
		{"empty", Result{Tool: Tool{Name: "x"}}, "CONFORMANT (MUST) no check ran Conformant at MUST level, but no check was judged."},
		{"all met", judgedOnly(allMetResult()), "CONFORMANT (MUST, SHOULD) 6 of 6 checks judged Conformant at MUST level; every SHOULD recommendation that ran is met."},
		{"all met, strict", func() Result { r := judgedOnly(allMetResult()); r.Strict = true; return r }(),
			"CONFORMANT (MUST, SHOULD gating) 6 of 6 checks judged Conformant at MUST and SHOULD levels (--strict)."},
		{"all met, strict=rfc", func() Result { r := judgedOnly(allMetResult()); r.StrictScope = catalog.Scope(catalog.RFC); return r }(),
			"CONFORMANT (MUST, SHOULD (rfc) gating) 6 of 6 checks judged Conformant at MUST level and SHOULD (rfc) level (--strict=rfc)."},
		{"all met, no SHOULD ran", func() Result {
			r := judgedOnly(allMetResult())
			for i := range r.Checks {
				if r.Checks[i].Level == "SHOULD" {
					r.Checks[i].Status, r.Checks[i].Reason = NotJudged, "needs a control API"
				}
			}
			return r.summarized()
		}(), "CONFORMANT (MUST) 5 of 6 checks judged Conformant at MUST level."},
		{"MUST not judged", conformantResult(), "CONFORMANT (MUST) 6 of 9 checks judged; not judged: TOKEN-EXP-002, BEARER-USE-003 (MUST) " +
			"Conformant at MUST level; 1 SHOULD recommendation not met (not gating). 2 MUST checks were not judged: the verdict covers only what was judged (--require-all makes this fail the run)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := text(byID(parseHTML(t, tc.r), "verdict")); got != tc.want {
				t.Errorf("verdict = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

// judgedOnly drops the checks of r that were not judged or blocked.
func judgedOnly(r Result) Result {
	r.Checks = slices.DeleteFunc(slices.Clone(r.Checks), func(c Check) bool { return c.Status == NotJudged || c.Status == Blocked })
	return r.summarized()
}

func TestSourceLinks(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []SourcePart
	}{
		{"docs: Create Token, Request Body", []SourcePart{{Text: "docs: Create Token, Request Body"}}},
		{"rfc: RFC 6749 §5.1", []SourcePart{{Text: "rfc: "}, {Text: "RFC 6749 §5.1", URL: "https://www.rfc-editor.org/rfc/rfc6749#section-5.1"}}},
		{"rfc: RFC 6749 Appendix B", []SourcePart{{Text: "rfc: "}, {Text: "RFC 6749 Appendix B", URL: "https://www.rfc-editor.org/rfc/rfc6749#appendix-B"}}},
		{"rfc: RFC 6749 §2.3.1, §5.2; RFC 6750 §3", []SourcePart{
			{Text: "rfc: "}, {Text: "RFC 6749 §2.3.1", URL: "https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1"},
			{Text: ", "}, {Text: "§5.2", URL: "https://www.rfc-editor.org/rfc/rfc6749#section-5.2"},
			{Text: "; "}, {Text: "RFC 6750 §3", URL: "https://www.rfc-editor.org/rfc/rfc6750#section-3"},
		}},
		{"RFC6750", []SourcePart{{Text: "RFC6750", URL: "https://www.rfc-editor.org/rfc/rfc6750"}}},
		{"docs: Errors §4", []SourcePart{{Text: "docs: Errors §4"}}}, // no RFC named: unlinked
		{"", nil},
	} {
		got := SourceLinks(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("SourceLinks(%q) = %+v, want %+v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("SourceLinks(%q)[%d] = %+v, want %+v", tc.in, i, got[i], tc.want[i])
			}
		}
	}
}

// TestHTMLAnchorOfTextID: a spec outside the catalog is named by its text; its anchor must
// still be a clean fragment.
func TestHTMLAnchorOfTextID(t *testing.T) {
	r := Result{Tool: Tool{Name: "x"}, Checks: []Check{{ID: "an <odd> spec", Level: "MUST", Status: Failed, Gating: true}}}.summarized()
	doc := parseHTML(t, r)
	if byID(doc, "check-an-odd-spec") == nil {
		t.Errorf("no #check-an-odd-spec in:\n%s", render(t, WriteHTML, r))
	}
}
