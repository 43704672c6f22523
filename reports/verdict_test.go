package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// TestExitCodeAndVerdict: one exit code per result, and every format shows the same
// verdict line.
func TestExitCodeAndVerdict(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Result
		code int
		line string
	}{
		{"conformant, all judged", judgedOnly(conformantResult()), 0, "CONFORMANT (MUST) — 6 of 6 checks judged"},
		{"conformant, MUST not judged", conformantResult(), 0,
			"CONFORMANT (MUST) — 6 of 9 checks judged; not judged: TOKEN-EXP-002, BEARER-USE-003 (MUST)"},
		{"gating failure", sampleResult(), 1,
			"NOT CONFORMANT — 6 of 9 checks judged; not judged: TOKEN-EXP-002, BEARER-USE-003 (MUST)"},
		{"require-all", requireAllResult(), 1,
			"NOT CONFORMANT (--require-all: 2 MUST checks not judged) — 6 of 9 checks judged; not judged: TOKEN-EXP-002, BEARER-USE-003 (MUST)"},
		{"require-all, all judged", func() Result { r := judgedOnly(conformantResult()); r.RequireAll = true; return r }(), 0,
			"CONFORMANT (MUST) — 6 of 6 checks judged"},
		{"suite error", func() Result { r := judgedOnly(conformantResult()); r.Errors = []string{"BeforeSuite: boom"}; return r }(), 1,
			"NOT CONFORMANT — 6 of 6 checks judged"},
		{"could not judge", notJudgedResult(), 3, "NOT JUDGED — could not judge the target"},
		{"could not judge beats failures", func() Result { r := sampleResult(); r.Run.Status = RunCouldNotJudge; return r }(), 3,
			"NOT JUDGED — could not judge the target"},
		{"interrupted", interruptedResult(), 130,
			"INTERRUPTED — not judged; 6 of 9 checks judged before the interruption (2 passed, 3 failed)"},
		{"strict=docs", embeddedResult(), 0,
			"CONFORMANT (MUST, SHOULD (docs) gating) — 6 of 9 checks judged; not judged: TOKEN-EXP-002, BEARER-USE-003 (MUST)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.ExitCode(); got != tc.code {
				t.Errorf("ExitCode = %d, want %d", got, tc.code)
			}
			v := VerdictOf(tc.r)
			if v.Line() != tc.line || v.ExitCode != tc.code || v.Conformant != (tc.code == 0) {
				t.Errorf("verdict = %q (exit %d)\nwant      %q", v.Line(), v.ExitCode, tc.line)
			}
			for name, f := range map[string]Renderer{"console": console, "md": WriteMarkdown, "html": WriteHTML, "junit": WriteJUnit} {
				out := string(render(t, f, tc.r))
				want := v.Line()
				if name == "html" || name == "junit" {
					want = strings.NewReplacer("'", "&#39;", `"`, "&#34;").Replace(v.Headline)
				}
				if name == "md" {
					want = mdEscape(want)
				}
				if !strings.Contains(out, want) {
					t.Errorf("%s does not show the verdict %q", name, want)
				}
			}
		})
	}
}

func TestManyMustNotJudgedAreCut(t *testing.T) {
	var reqs []catalog.Requirement
	for _, id := range strings.Fields("A-001 A-002 A-003 A-004 A-005 A-006 A-007 A-008 A-009 A-010") {
		reqs = append(reqs, catalog.Requirement{ID: id, Level: catalog.Must})
	}
	r := NotJudgedResult(Meta{Tool: Tool{Name: "x"}}, reqs, "r")
	r.Run.Status = RunComplete
	if got := VerdictOf(r).Coverage; got != "0 of 10 checks judged; not judged: A-001, A-002, A-003, A-004, A-005, A-006, A-007, A-008 and 2 more (MUST)" {
		t.Errorf("coverage = %q", got)
	}
}

func TestNotJudgedResult(t *testing.T) {
	reqs := catalog.All()
	if len(reqs) == 0 {
		t.Skip("empty catalog")
	}
	secret := "s3cr3t-" + passwordCore
	r := NotJudgedResult(Meta{Tool: Tool{Name: "x"}, Target: "https://m.example", RequireAll: true, Secrets: []string{secret},
		Footprint: &evidence.Footprint{Requests: 1}}, reqs, "the preflight was refused for "+secret)
	if r.Run.Status != RunCouldNotJudge || r.ExitCode() != ExitCouldNotJudge || len(r.Checks) != len(reqs) || r.SchemaVersion != SchemaVersion {
		t.Fatalf("run %+v, exit %d, %d checks", r.Run, r.ExitCode(), len(r.Checks))
	}
	for _, c := range r.Checks {
		if c.Status != NotJudged || c.Reason != r.Run.Reason || strings.Contains(c.Reason, passwordCore) {
			t.Errorf("%s: %s %q", c.ID, c.Status, c.Reason)
		}
	}
	if r.Summary.NotJudged != len(reqs) || r.Summary.Passed+r.Summary.Failed != 0 || r.Footprint == nil || !r.RequireAll {
		t.Errorf("summary %+v", r.Summary)
	}
	var buf bytes.Buffer
	WriteConsole(&buf, r, ConsoleOptions{})
	out := buf.String()
	if !strings.HasSuffix(out, "The preflight was refused for "+evidence.Redacted+".\nNOT JUDGED — could not judge the target\n") {
		t.Errorf("console ends:\n%s", out[max(0, len(out)-300):])
	}
	if strings.Count(out, "preflight") != 2 {
		t.Errorf("the reason should be said once in the list and once as the explanation:\n%s", out)
	}
}

// TestConsoleColor: escape codes only when asked, and a hostile text never brings its own.
func TestConsoleColor(t *testing.T) {
	r := sampleResult()
	r.Checks[1].Message = "expected: 400\ngot: \x1b[2J\x1b]0;pwned\x07 200"
	r.Embedded = true
	for _, opts := range []ConsoleOptions{{}, {ShowCurl: true, Verbose: true}} {
		var buf bytes.Buffer
		WriteConsole(&buf, r, opts)
		if bytes.ContainsRune(buf.Bytes(), 0x1b) || bytes.ContainsRune(buf.Bytes(), 0x07) {
			t.Errorf("%+v: escape or control characters without Color:\n%q", opts, buf.String())
		}
		if !strings.Contains(buf.String(), `got: \x1b[2J\x1b]0;pwned\x07 200`) {
			t.Errorf("the control characters should be shown as escapes")
		}
	}
	var buf bytes.Buffer
	WriteConsole(&buf, r, ConsoleOptions{Color: true})
	out := buf.String()
	if !strings.Contains(out, ansiRed+"✗"+ansiReset) || !strings.Contains(out, ansiBold+ansiRed+"NOT CONFORMANT") {
		t.Errorf("no colour with Color:\n%q", out)
	}
	if strings.Contains(out, "\x1b[2J") {
		t.Error("a hostile escape sequence reached the terminal")
	}
	if first, _, _ := strings.Cut(out, "\n"); !strings.Contains(first, "the embedded demo mock, not your deployment") {
		t.Errorf("first line = %q", first)
	}
}

// TestFailureCards: every format's failure card has the requirement, its kind, source and
// quote, expected and got; curl reproductions where each format promises them.
func TestFailureCards(t *testing.T) {
	r := sampleResult()
	for name, f := range map[string]Renderer{"console": console, "md": WriteMarkdown, "junit": WriteJUnit} {
		out := string(render(t, f, r))
		for _, want := range []string{"TOKEN-FORM-004", "MUST, docs", "docs: Create Token, Request Body",
			"Content-Type: application/x-www-form-urlencoded", "status 400 with error=", "200 text/html"} {
			if name == "md" {
				want = mdEscape(want)
			}
			if !strings.Contains(out, want) {
				t.Errorf("%s: the failure card does not show %q", name, want)
			}
		}
		hasCurl := strings.Contains(out, "curl -sS")
		if wantCurl := name != "console"; hasCurl != wantCurl {
			t.Errorf("%s: curl shown = %v, want %v", name, hasCurl, wantCurl)
		}
	}
	if out := string(render(t, consoleAll, r)); !strings.Contains(out, "$ curl -sS") || !strings.Contains(out, "compared: 200 ✓") {
		t.Errorf("ShowCurl and Verbose: no curl or compared line:\n%s", out)
	}
	md := string(render(t, WriteMarkdown, r))
	if !strings.Contains(md, "- `BEARER-USE-002` **SHOULD** — blocked by BEARER-USE-001: no token was obtained") {
		t.Errorf("summary.md does not list the blocked check with its reason:\n%s", md)
	}
	if !strings.Contains(md, "<details><summary>Reproduce with curl (1)</summary>\n\n````sh\n") {
		t.Error("the fence of a curl block must be longer than any backtick run in it")
	}
}

func TestRedactCurl(t *testing.T) {
	var red evidence.Redactor
	red.Add("hunter2-secret")
	for in, want := range map[string]string{
		`curl -d "client_secret=$APIOPS_CLIENT_SECRET" -H "Authorization: Bearer $TOKEN"`: `curl -d "client_secret=$APIOPS_CLIENT_SECRET" -H "Authorization: Bearer $TOKEN"`,
		`curl -d 'client_id=a&client_secret=${APIOPS_CLIENT_SECRET}'`:                     `curl -d 'client_id=a&client_secret=${APIOPS_CLIENT_SECRET}'`,
		`curl -d 'client_id=a&client_secret=plain'`:                                       `curl -d 'client_id=a&client_secret=[REDACTED]'`,
		`curl -H 'Authorization: Bearer eyJ.abc.def' -H 'cookie: sid=1'`:                  `curl -H 'Authorization: Bearer [REDACTED]' -H 'cookie: [REDACTED]'`,
		`curl -u alice:hunter2-secret`:                                                    `curl -u alice:[REDACTED]`,
		`curl -H 'Authorization: eyJ.abc.def'`:                                            `curl -H 'Authorization: [REDACTED]'`,
	} {
		if got := redactCurl(in, &red); got != want {
			t.Errorf("redactCurl(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}
