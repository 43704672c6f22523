package reports

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// update rewrites the golden files: go test ./reports -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -run Golden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; rerun with -update if the change is intended):\n%s", path, diff)
	}
}

func render(t *testing.T, render Renderer, r Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := render(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func console(w io.Writer, r Result) error { WriteConsole(w, r, ConsoleOptions{}); return nil }

// consoleAll is the console with every option but colour.
func consoleAll(w io.Writer, r Result) error {
	WriteConsole(w, r, ConsoleOptions{ShowCurl: true, Verbose: true})
	return nil
}

func strictResult() Result {
	r := sampleResult()
	r.Strict, r.StrictScope = true, catalog.ScopeAll
	for i, c := range r.Checks {
		if c.Status == Failed && c.Level == "SHOULD" {
			r.Checks[i].Gating = true
		}
	}
	return r.summarized()
}

// embeddedResult is the conformant result of a run against the embedded mock, judged
// under --strict=docs, with a MUST check not judged.
func embeddedResult() Result {
	r := conformantResult()
	r.Embedded, r.Strict, r.StrictScope = true, true, catalog.Scope(catalog.Docs)
	r.Target = "http://127.0.0.1:41234"
	r.Footprint = &evidence.Footprint{Requests: 120, Tokens: 30, NeverExpiring: 1}
	return r.summarized()
}

// requireAllResult is the conformant result run with --require-all.
func requireAllResult() Result {
	r := conformantResult()
	r.RequireAll = true
	return r.summarized()
}

// notJudgedResult is a run whose preflight could not reach the target.
func notJudgedResult() Result {
	reqs := []catalog.Requirement{
		{ID: "TOKEN-FORM-001", Level: catalog.Must, Area: "form", Kind: catalog.Docs, Source: "docs: Create Token", Title: "obtains a token"},
		{ID: "TOKEN-SUCCESS-004", Level: catalog.Should, Area: "success", Kind: catalog.Docs, Source: "docs: Create Token", Title: "token_type is exactly Bearer"},
	}
	r := NotJudgedResult(Meta{Tool: Tool{Name: "apiops-conformance", Version: "v0.1.0"}, Target: "https://manager.example"},
		reqs, "the preflight could not reach https://manager.example: dial tcp: connection refused")
	r.Started = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	return r
}

// interruptedResult is sampleResult of a run interrupted by SIGINT.
func interruptedResult() Result {
	r := sampleResult()
	r.Run = RunStatus{Status: RunInterrupted, Reason: "interrupted by SIGINT"}
	return r
}

func TestGolden(t *testing.T) {
	results := []struct {
		name string
		r    Result
	}{
		{"sample", sampleResult()},
		{"conformant", conformantResult()},
		{"strict", strictResult()},
		{"allmet", allMetResult()},
		{"embedded", embeddedResult()},
		{"requireall", requireAllResult()},
		{"notjudged", notJudgedResult()},
		{"interrupted", interruptedResult()},
		{"errors", func() Result {
			r := conformantResult()
			r.Errors = []string{"BeforeSuite: could not reach http://127.0.0.1:8080: connection refused\nsecond line"}
			return r
		}()},
	}
	formats := []struct {
		ext    string
		render Renderer
	}{
		{"console.golden", console},
		{"console-all.golden", consoleAll},
		{"md.golden", WriteMarkdown},
		{"junit.golden", WriteJUnit},
		{"html.golden", WriteHTML},
	}
	for _, res := range results {
		for _, f := range formats {
			if (res.name != "sample" && res.name != "embedded" && f.ext == "html.golden") ||
				(res.name != "sample" && f.ext == "console-all.golden") {
				continue // a few HTML and verbose goldens are enough; the structure tests cover the rest
			}
			t.Run(res.name+"."+f.ext, func(t *testing.T) {
				golden(t, res.name+"."+f.ext, render(t, f.render, res.r))
			})
		}
	}
	// The JSON golden doubles as the sample for the screenshot script and the CLI.
	t.Run("sample.json", func(t *testing.T) {
		golden(t, "sample.json", render(t, WriteJSON, sampleResult()))
	})
}

func TestGoldenCompare(t *testing.T) {
	var buf bytes.Buffer
	d := Compare(conformantResult(), sampleResult())
	WriteDiff(&buf, d)
	buf.WriteString("----\n")
	if err := WriteDiffMarkdown(&buf, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden", buf.Bytes())
	golden(t, "compare.html.golden", render(t, HTMLWithDiff(d), sampleResult()))
}

// TestRenderingIsDeterministic renders twice: map iteration (config, headers) must not leak
// into the output order.
func TestRenderingIsDeterministic(t *testing.T) {
	for _, f := range []Renderer{WriteJSON, WriteJUnit, WriteMarkdown, WriteHTML, console, consoleAll} {
		a, b := render(t, f, sampleResult()), render(t, f, sampleResult())
		for range 5 {
			if !bytes.Equal(a, b) {
				t.Fatal("two renderings of the same result differ")
			}
			b = render(t, f, sampleResult())
		}
	}
}
