package reports

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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

func console(w io.Writer, r Result) error { WriteConsole(w, r); return nil }

func strictResult() Result {
	r := sampleResult()
	r.Strict = true
	for i, c := range r.Checks {
		if c.Status == Failed && c.Level == "SHOULD" {
			r.Checks[i].Gating = true
		}
	}
	return r.summarized()
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
		{"md.golden", WriteMarkdown},
		{"junit.golden", WriteJUnit},
		{"html.golden", WriteHTML},
	}
	for _, res := range results {
		for _, f := range formats {
			if res.name != "sample" && f.ext == "html.golden" {
				continue // one HTML golden is enough; the structure test covers the rest
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
}

// TestRenderingIsDeterministic renders twice: map iteration (config, headers) must not leak
// into the output order.
func TestRenderingIsDeterministic(t *testing.T) {
	for _, f := range []Renderer{WriteJSON, WriteJUnit, WriteMarkdown, WriteHTML, console} {
		a, b := render(t, f, sampleResult()), render(t, f, sampleResult())
		for range 5 {
			if !bytes.Equal(a, b) {
				t.Fatal("two renderings of the same result differ")
			}
			b = render(t, f, sampleResult())
		}
	}
}
