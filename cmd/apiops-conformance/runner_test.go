package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apiops/apiops-conformance/reports"
)

// The runner's tests start the built binary as a subprocess: Ginkgo runs one suite per
// process. The binary is built once per test process, without -race, for speed.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "apiops-conformance-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, programName)
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return binPath
}

// outcome is what a run of the binary produced.
type outcome struct {
	code           int
	stdout, stderr string
	dir            string // the --report-dir, when the run wrote one
	elapsed        time.Duration
}

// runBinary runs the binary with args within limit, with no APIOPS_* variables from the
// test's environment.
func runBinary(t *testing.T, limit time.Duration, env []string, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "APIOPS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	o := outcome{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("%v did not end within %s\nstdout:\n%s\nstderr:\n%s", args, limit, o.stdout, o.stderr)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		o.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	if i := slices.Index(args, "--report-dir"); i >= 0 {
		o.dir = args[i+1]
	}
	return o
}

// result reads the run's conformance.json.
func (o outcome) result(t *testing.T) reports.Result {
	t.Helper()
	r, err := reports.ReadJSON(filepath.Join(o.dir, reports.JSONFile))
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, o.stdout, o.stderr)
	}
	return r
}

// failedIDs returns the IDs of the failed checks, sorted.
func failedIDs(r reports.Result) []string {
	var ids []string
	for _, c := range r.Checks {
		if c.Status == reports.Failed {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestZeroConfigRunPasses(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		args := []string{"run", "--report-dir", t.TempDir()}
		if strict {
			args = append(args, "--strict")
		}
		o := runBinary(t, 60*time.Second, nil, args...)
		if o.code != 0 {
			t.Fatalf("%v: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", args, o.code, o.stdout, o.stderr)
		}
		r := o.result(t)
		if ids := failedIDs(r); len(ids) > 0 {
			t.Errorf("%v: failed %v, want none", args, ids)
		}
		for _, c := range r.Checks {
			// The embedded mock offers every need (accounts, control API), so every
			// check is judged; and no check passes without saying what it compared.
			if c.Status != reports.Passed {
				t.Errorf("%v: %s %s: %s", args, c.ID, c.Status, c.Reason)
			}
			if c.Compared == "" {
				t.Errorf("%v: %s passed without saying what it compared", args, c.ID)
			}
		}
		if r.Summary.Passed < 40 || !r.Strict == strict {
			t.Errorf("%v: summary %+v strict %v", args, r.Summary, r.Strict)
		}
		if !strings.Contains(o.stdout, "✓ TOKEN-FORM-001") {
			t.Errorf("no progress line on stdout:\n%s", o.stdout)
		}
	}
}

// TestReportSchema checks conformance.json against the documented shape (docs/reports.md).
func TestReportSchema(t *testing.T) {
	t.Parallel()
	o := runBinary(t, 60*time.Second, nil, "run", "--label-filter", "form", "--report-dir", t.TempDir())
	data, err := os.ReadFile(filepath.Join(o.dir, reports.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tool       map[string]any   `json:"tool"`
		Target     *string          `json:"target"`
		Started    *string          `json:"started"`
		DurationMS *float64         `json:"duration_ms"`
		Summary    map[string]any   `json:"summary"`
		Checks     []map[string]any `json:"checks"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tool["name"] != programName || doc.Tool["version"] == nil || doc.Target == nil || doc.Started == nil || doc.DurationMS == nil {
		t.Errorf("header = %s", data[:min(len(data), 300)])
	}
	if _, err := time.Parse(time.RFC3339, *doc.Started); err != nil {
		t.Errorf("started: %v", err)
	}
	for _, k := range []string{"passed", "failed", "skipped", "gating_failed"} {
		if _, ok := doc.Summary[k].(float64); !ok {
			t.Errorf("summary.%s missing", k)
		}
	}
	if len(doc.Checks) != 9 {
		t.Errorf("--label-filter form ran %d checks, want 9", len(doc.Checks))
	}
	for _, c := range doc.Checks {
		for _, k := range []string{"id", "level", "area", "title", "source", "status", "duration_ms"} {
			if _, ok := c[k]; !ok {
				t.Errorf("check %v: no %q", c["id"], k)
			}
		}
		if s := c["status"]; s != "passed" && s != "failed" && s != "skipped" {
			t.Errorf("check %v: status %v", c["id"], s)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"run", "--base-url", "not a url", "--client-id", "a", "--client-secret", "b"},
		{"run", "--base-url", "ftp://example.com", "--client-id", "a", "--client-secret", "b"},
		{"run", "--base-url", "http://127.0.0.1:1"},
		{"run", "--base-url", "http://127.0.0.1:1", "--client-id", "a"},
		{"run", "--base-url", "http://127.0.0.1:1", "--client-id", "a", "--client-secret", "b", "--fault-header", "no colon"},
		{"run", "--base-url", "http://127.0.0.1:1", "--client-id", "a", "--client-secret", "b", "--ca-cert", "/nonexistent/ca.pem"},
		{"run", "--base-url", "http://127.0.0.1:1", "--client-id", "a", "--client-secret", "b", "--special-client-id", "x"},
		{"run", "--client-id", "a"},
		{"run", "--timeout", "soon"},
		{"run", "--no-such-flag"},
		{"run", "--label-filter", "(("},
		{"run", "--label-filter", "NO-SUCH-001"},
		// Checked before any request: limits as given, strict scopes, the report folder.
		{"run", "--timeout", "0"},
		{"run", "--run-timeout", "0s"},
		{"run", "--max-rps", "-1"},
		{"run", "--strict=everything"},
		{"run", "--report-dir", "/proc/apiops-conformance-cannot-write-here"},
		{"run", "--config", "/nonexistent/apiops.yaml"},
	} {
		o := runBinary(t, 20*time.Second, nil, args...)
		lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
		if o.code != 2 || len(lines) != 1 || lines[0] == "" {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line", args, o.code, o.stderr)
		}
	}
	// The environment works as the flags do; flags win.
	o := runBinary(t, 20*time.Second, []string{"APIOPS_BASE_URL=http://127.0.0.1:1"}, "run")
	if o.code != 2 || !strings.Contains(o.stderr, "--client-id") {
		t.Errorf("APIOPS_BASE_URL without a client: exit %d, stderr %q", o.code, o.stderr)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	table := runBinary(t, 20*time.Second, nil, "list")
	js := runBinary(t, 20*time.Second, nil, "list", "--json")
	md := runBinary(t, 20*time.Second, nil, "list", "--markdown")
	if table.code != 0 || js.code != 0 || md.code != 0 {
		t.Fatalf("exit %d %d %d: %s %s %s", table.code, js.code, md.code, table.stderr, js.stderr, md.stderr)
	}
	var reqs []struct{ ID, Level, Quote string }
	if err := json.Unmarshal([]byte(js.stdout), &reqs); err != nil || len(reqs) < 40 {
		t.Fatalf("list --json: %d entries, %v", len(reqs), err)
	}
	for _, r := range reqs {
		if !strings.Contains(table.stdout, r.ID) || !strings.Contains(md.stdout, "| "+r.ID+" | "+r.Level) || r.Quote == "" {
			t.Errorf("%s missing from the table or the Markdown, or without its quote", r.ID)
		}
	}
	for _, l := range strings.Split(strings.TrimRight(table.stdout, "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("list: a line of %d columns, want at most 100: %q", n, l)
		}
	}
}
