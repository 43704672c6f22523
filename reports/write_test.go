package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/onsi/ginkgo/v2/reporters"
)

func TestWriteFilesAndReadJSONRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "out")
	want := sampleResult()
	if err := WriteFiles(dir, want); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "conformance.json junit.xml report.html summary.md" {
		t.Errorf("files = %s (no temporary file may remain)", got)
	}
	got, err := ReadJSON(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// Writing again replaces the files.
	if err := WriteFiles(dir, conformantResult()); err != nil {
		t.Fatal(err)
	}
	if got, _ := ReadJSON(filepath.Join(dir, JSONFile)); !got.Conformant() {
		t.Error("the second WriteFiles did not replace conformance.json")
	}
}

// TestJSONContract pins the machine contract (docs/reports.md): key names and order.
func TestJSONContract(t *testing.T) {
	out := string(render(t, WriteJSON, sampleResult()))
	order := []string{`"schema_version": 2`, `"tool"`, `"name"`, `"version"`, `"commit"`, `"go_version"`, `"target"`, `"embedded"`,
		`"started": "2026-11-23T01:00:00Z"`, `"duration_ms"`, `"run"`, `"status": "complete"`,
		`"strict"`, `"require_all"`, `"config"`, `"footprint"`, `"requests"`, `"tokens_created"`, `"summary"`, `"passed"`, `"failed"`,
		`"not_judged"`, `"blocked"`, `"not_applicable"`, `"gating_failed"`, `"must_not_judged"`, `"checks"`,
		`"id"`, `"level"`, `"area"`, `"kind"`, `"title"`, `"source"`, `"quote"`, `"status"`, `"gating"`, `"compared"`, `"duration_ms"`, `"evidence"`,
		`"curl"`, `"reason"`, `"blocked_by"`}
	at := 0
	for _, key := range order {
		i := strings.Index(out[at:], key)
		if i < 0 {
			t.Fatalf("conformance.json: %s missing or out of order after offset %d", key, at)
		}
		at += i + len(key)
	}
	var generic map[string]any
	if err := json.Unmarshal([]byte(out), &generic); err != nil {
		t.Fatal(err)
	}
	check := generic["checks"].([]any)[1].(map[string]any)
	if check["status"] != "failed" || check["message"] == nil {
		t.Errorf("a failed check: %v", check)
	}
	if strings.Contains(out, `\u003c`) {
		t.Error("conformance.json should not HTML-escape '<'")
	}
	if got := string(render(t, WriteJSON, Result{Tool: Tool{Name: "x"}})); !strings.Contains(got, `"checks": []`) {
		t.Errorf("no checks must be written as [], got:\n%s", got)
	}
}

func TestReadJSONErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nope.json"), "no such file"},
		{"not JSON", write("junit.xml", "<testsuites/>"), "is not a conformance.json result"},
		{"other JSON", write("other.json", `{"foo": 1}`), "no tool or checks"},
		{"wrong types", write("types.json", `{"tool":{"name":"x"},"checks":"all"}`), "is not a conformance.json result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadJSON(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadJSON: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestWriteFilesErrorsNameThePath(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFiles(file, sampleResult())
	if err == nil || !strings.Contains(err.Error(), "a-file") {
		t.Errorf("WriteFiles into a file: %v", err)
	}
	failing := func(io.Writer, Result) error { return errors.New("boom") }
	path := filepath.Join(t.TempDir(), "x.txt")
	if err := WriteFile(path, sampleResult(), failing); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("WriteFile with a failing renderer: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a failed render must leave no file behind")
	}
}

// TestJUnitSemantics: CI tools decide from <failure>/<error>; only gating failures and suite
// errors may produce them.
func TestJUnitSemantics(t *testing.T) {
	r := sampleResult()
	r.Errors = []string{"BeforeSuite: boom"}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(render(t, WriteJUnit, r), &suites); err != nil {
		t.Fatal(err)
	}
	s := suites.TestSuites[0]
	if s.Tests != 10 || s.Failures != 2 || s.Skipped != 4 || s.Errors != 1 || s.Properties.WithName("config.password") != "[REDACTED]" {
		t.Errorf("suite counts/properties: tests=%d failures=%d skipped=%d errors=%d", s.Tests, s.Failures, s.Skipped, s.Errors)
	}
	for _, tc := range s.TestCases {
		var props reporters.JUnitProperties
		if tc.Properties != nil {
			props = *tc.Properties
		}
		id, gating := props.WithName("id"), props.WithName("gating") == "true"
		switch {
		case tc.Classname == "suite":
			if tc.Error == nil {
				t.Errorf("%s: a suite error needs <error>", tc.Name)
			}
		case props.WithName("status") == "failed" && gating:
			if tc.Failure == nil || !strings.HasPrefix(tc.Name, id+" [MUST] ") || !strings.Contains(tc.Failure.Message, "expected: ") ||
				!strings.Contains(tc.Failure.Message, "; got: ") || !strings.HasPrefix(tc.Failure.Message, id+" [MUST, ") {
				t.Errorf("%s: a gating failure needs <failure> and an 'ID [LEVEL] title' name", tc.Name)
			}
		case props.WithName("status") == "failed":
			if tc.Failure != nil || tc.Error != nil || !strings.Contains(tc.SystemOut, "NOT GATING") {
				t.Errorf("%s: a non-gating failure must not be a <failure> but must say so in system-out", tc.Name)
			}
		case props.WithName("status") != "passed":
			if tc.Skipped == nil || tc.Skipped.Message == "" {
				t.Errorf("%s: a check not judged, blocked or not applicable needs <skipped message=reason>", tc.Name)
			}
		}
		if tc.Classname != "suite" && (props.WithName("level") == "" || props.WithName("source") == "" || tc.Classname != props.WithName("area")) {
			t.Errorf("%s: properties %+v, classname %s", tc.Name, props, tc.Classname)
		}
	}
}

// TestReadJSONBounded: `report --from` reads at most MaxJSONSize bytes, failing fast with a
// one-line error on a larger file or an endless stream.
func TestReadJSONBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxJSONSize + 1); err != nil { // sparse: no disk, no memory
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadJSON(big)
	if err == nil || !strings.Contains(err.Error(), "larger than the 64 MiB") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a 64 MiB + 1 file: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := ReadJSON("/dev/zero")
		if err == nil || !strings.Contains(err.Error(), "/dev/zero is not a conformance.json result") || strings.Contains(err.Error(), "\n") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
	// An endless stream that is not invalid at once (blanks) stops at the limit.
	_, err = decodeResult(endless(' '), 1<<16)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("an endless stream: %v", err)
	}
	sample, _ := os.ReadFile(filepath.Join("testdata", "sample.json"))
	if _, err := decodeResult(bytes.NewReader(sample), int64(len(sample))); err != nil {
		t.Errorf("a file of exactly the limit: %v", err)
	}
}

type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// TestReadJSONVersion1: a result of schema version 1 reads as version 2 would say it.
func TestReadJSONVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.json")
	v1 := `{"tool":{"name":"apiops-conformance","version":"v0.1.0"},"target":"http://x","strict":true,
"summary":{"passed":1,"failed":1,"skipped":1,"gating_failed":1},
"checks":[{"id":"A-001","level":"MUST","status":"passed"},
{"id":"A-002","level":"SHOULD","status":"failed","gating":true,"message":"expected: a\ngot: b"},
{"id":"A-003","level":"MUST","status":"skipped","message":"needs a disabled account"},
{"id":"A-004","level":"MUST","status":"weird","gating":true}]}`
	if err := os.WriteFile(path, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.SchemaVersion != SchemaVersion || r.Run.Status != RunComplete || r.StrictScope != "all" {
		t.Errorf("header: version %d, run %+v, scope %q", r.SchemaVersion, r.Run, r.StrictScope)
	}
	if c := r.Checks[2]; c.Status != NotJudged || c.Reason != "needs a disabled account" || c.Message != "" {
		t.Errorf("a v1 skip: %+v", c)
	}
	if c := r.Checks[3]; c.Status != NotJudged || c.Gating || !strings.Contains(c.Reason, `unknown status "weird"`) {
		t.Errorf("an unknown status: %+v", c)
	}
	if s := r.Summary; s.NotJudged != 2 || s.GatingFailed != 1 || strings.Join(s.MustNotJudged, " ") != "A-003 A-004" {
		t.Errorf("summary: %+v", s)
	}
	if err := os.WriteFile(path, []byte(`{"schema_version":2,"tool":{"name":"x"},"run":{"status":"fine"},"checks":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := ReadJSON(path); err != nil || r.ExitCode() != ExitCouldNotJudge {
		t.Errorf("an unknown run status: %v, exit %d", err, r.ExitCode())
	}
	if err := os.WriteFile(path, []byte(`{"schema_version":3,"tool":{"name":"x"},"checks":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSON(path); err == nil || !strings.Contains(err.Error(), "schema_version 3") {
		t.Errorf("a newer schema: %v", err)
	}
}
