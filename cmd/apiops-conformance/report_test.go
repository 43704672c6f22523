package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/reports"
)

// sampleResult is the fixed result of the reports package's golden files.
func sampleResult(t *testing.T) reports.Result {
	t.Helper()
	r, err := reports.ReadJSON(filepath.Join("..", "..", "reports", "testdata", "sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func writeResult(t *testing.T, r reports.Result) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), reports.JSONFile)
	if err := reports.WriteFile(path, r, reports.WriteJSON); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportFromIsBounded: --from reads at most 64 MiB; a larger file or an endless
// stream fails at once with one line and exit status 2.
func TestReportFromIsBounded(t *testing.T) {
	t.Parallel()
	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(reports.MaxJSONSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for from, want := range map[string]string{big: "larger than the 64 MiB", "/dev/zero": "is not a conformance.json result"} {
		o := runBinary(t, 20*time.Second, nil, "report", "--from", from)
		lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
		if o.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], want) {
			t.Errorf("report --from %s: exit %d, stderr %q; want exit 2 and one line with %q", from, o.code, o.stderr, want)
		}
	}
	if help := runBinary(t, 20*time.Second, nil, "report", "--help"); !strings.Contains(help.stdout, "64 MiB") {
		t.Errorf("report --help does not state the 64 MiB bound:\n%s", help.stdout)
	}
}

func TestReportCompare(t *testing.T) {
	t.Parallel()
	res := sampleResult(t)
	baseline := res
	baseline.Checks = append([]reports.Check(nil), res.Checks...)
	for i := range baseline.Checks {
		if c := &baseline.Checks[i]; c.Status == reports.Failed && c.Gating {
			c.Status, c.Gating, c.Message = reports.Passed, false, ""
		}
	}
	baseline.Summary = reports.Summarize(baseline.Checks)
	newPath, oldPath := writeResult(t, res), writeResult(t, baseline)
	html := filepath.Join(t.TempDir(), "report.html")

	o := runBinary(t, 20*time.Second, nil, "report", "--from", newPath, "--compare", oldPath, "--html", html)
	if o.code != 1 || !strings.Contains(o.stdout, "REGRESSED — 2 new gating failures") ||
		!strings.Contains(o.stdout, "expected: status 400 with error=invalid_request") || !strings.Contains(o.stdout, "got: 200 text/html") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", o.code, o.stdout, o.stderr)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `<section id="comparison"`) || !strings.Contains(string(page), "REGRESSED") {
		t.Error("report --html --compare: the page shows no comparison")
	}

	if o := runBinary(t, 20*time.Second, nil, "report", "--from", oldPath, "--compare", newPath); o.code != 0 {
		t.Errorf("fixes only: exit %d, want 0\n%s", o.code, o.stdout)
	}

	unjudged := res
	unjudged.Run = reports.RunStatus{Status: reports.RunCouldNotJudge, Reason: "connection refused"}
	if o := runBinary(t, 20*time.Second, nil, "report", "--from", writeResult(t, unjudged), "--compare", oldPath); o.code != 3 ||
		!strings.Contains(o.stdout, "NOT JUDGED") {
		t.Errorf("a new result that judged nothing: exit %d, want 3\n%s", o.code, o.stdout)
	}
}

// TestReportConsole: no colour into a pipe, curl and passes only when asked.
func TestReportConsole(t *testing.T) {
	t.Parallel()
	path := writeResult(t, sampleResult(t))
	plain := runBinary(t, 20*time.Second, nil, "report", "--from", path)
	if plain.code != 0 || strings.Contains(plain.stdout, "\x1b[") || strings.Contains(plain.stdout, "$ curl") ||
		!strings.HasSuffix(plain.stdout, "NOT CONFORMANT — 6 of 9 checks judged; not judged: TOKEN-EXP-002, BEARER-USE-003 (MUST)\n") {
		t.Errorf("exit %d, stdout:\n%s", plain.code, plain.stdout)
	}
	full := runBinary(t, 20*time.Second, nil, "report", "--from", path, "--show-curl", "-v")
	if !strings.Contains(full.stdout, "$ curl -sS") || !strings.Contains(full.stdout, "compared: 200 ✓") {
		t.Errorf("--show-curl -v:\n%s", full.stdout)
	}
}
