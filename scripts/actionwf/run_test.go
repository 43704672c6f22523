package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests run the action's own scripts with bash, as the runner does
// (bash --noprofile --norc -eo pipefail), against a stand-in for the harness that exits
// as told, so the gate logic is tested without building anything.

// fakeHarness records its arguments and the APIOPS_* environment, writes reports like
// `run` does, and exits with FAKE_RUN (run) or FAKE_COMPARE (report --compare).
const fakeHarness = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG/args"
case "$1" in
  --version) echo "apiops-conformance 0.1.0 (commit abc1234, go1.26.8)" ;;
  run)
    env | grep '^APIOPS_' | sort > "$FAKE_LOG/env"
    if [ "$FAKE_RUN" != 2 ]; then
      mkdir -p "$APIOPS_REPORT_DIR"
      echo '{}' > "$APIOPS_REPORT_DIR/conformance.json"
      printf '## ✅ %s\n\nsummary body\n' "$FAKE_HEADLINE" > "$APIOPS_REPORT_DIR/summary.md"
    fi
    exit "$FAKE_RUN" ;;
  report)
    case "$*" in
      *--compare*) printf '## ✅ %s\n\nwith changes\n' "$FAKE_HEADLINE" > "$APIOPS_REPORT_DIR/summary.md"; exit "$FAKE_COMPARE" ;;
      *"--markdown -"*) printf '## ❌ %s\n\nbody\n' "$FAKE_HEADLINE" ;;
    esac ;;
esac
`

type stepRun struct {
	code    int
	outputs map[string]string
	summary string
	stdout  string
	args    string
	env     string
}

// runStep runs the script of the action's step with the given id, with the step's
// inputs given as IN_* variables (or, for the gate, its own variables).
func runStep(t *testing.T, id string, env map[string]string) stepRun {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	a := loadAction(t)
	var script string
	for _, s := range a.Runs.Steps {
		if s["id"] == id {
			script, _ = s["run"].(string)
		}
	}
	if script == "" {
		t.Fatalf("no step %q with a script", id)
	}
	dir := t.TempDir()
	harness := filepath.Join(dir, "apiops-conformance")
	if err := os.WriteFile(harness, []byte(fakeHarness), 0o755); err != nil {
		t.Fatal(err)
	}
	scriptFile := filepath.Join(dir, "step.sh")
	if err := os.WriteFile(scriptFile, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	out, summary := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	vars := map[string]string{
		"HARNESS": harness, "FAKE_LOG": dir, "FAKE_RUN": "0", "FAKE_COMPARE": "0",
		"FAKE_HEADLINE": "CONFORMANT (MUST)", "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": summary,
		"IN_REPORT_DIR": filepath.Join(dir, "reports"), "IN_FAIL_ON": "gating",
	}
	for _, name := range runFlags {
		in := "IN_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if _, ok := vars[in]; !ok {
			vars[in] = ""
		}
	}
	vars["IN_BASELINE"] = ""
	for k, v := range env {
		vars[k] = v
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stdout
	err := cmd.Run()
	r := stepRun{outputs: map[string]string{}, stdout: stdout.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			r.outputs[k] = v
		}
	}
	s, _ := os.ReadFile(summary)
	r.summary = string(s)
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	r.args = string(args)
	e, _ := os.ReadFile(filepath.Join(dir, "env"))
	r.env = string(e)
	return r
}

func TestRunStepGate(t *testing.T) {
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(baseline, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name              string
		env               map[string]string
		exit, run, report string
		verdict           string
		summary           string
	}{
		{"conformant", nil, "0", "0", "", "CONFORMANT (MUST)", "summary body"},
		{"gating failure", map[string]string{"FAKE_RUN": "1", "FAKE_HEADLINE": "NOT CONFORMANT"},
			"1", "1", "", "NOT CONFORMANT", "summary body"},
		{"known failure, no regression against the baseline",
			map[string]string{"FAKE_RUN": "1", "IN_BASELINE": baseline, "FAKE_HEADLINE": "NOT CONFORMANT"},
			"0", "1", "--compare " + baseline, "NOT CONFORMANT", "with changes"},
		{"regression against the baseline",
			map[string]string{"FAKE_RUN": "1", "FAKE_COMPARE": "1", "IN_BASELINE": baseline},
			"1", "1", "--compare " + baseline, "CONFORMANT (MUST)", "with changes"},
		{"could not judge: the baseline is not consulted",
			map[string]string{"FAKE_RUN": "3", "IN_BASELINE": baseline, "FAKE_HEADLINE": "COULD NOT JUDGE — target unreachable"},
			"3", "3", "", "COULD NOT JUDGE — target unreachable", "summary body"},
		{"configuration error, no report",
			map[string]string{"FAKE_RUN": "2"}, "2", "2", "", "NOT RUN (usage or configuration error)", "no report was written"},
		{"baseline missing: the run alone gates",
			map[string]string{"FAKE_RUN": "1", "IN_BASELINE": "/does/not/exist.json"}, "1", "1", "", "CONFORMANT (MUST)", "summary body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runStep(t, "run", tt.env)
			if r.code != 0 {
				t.Fatalf("the run step itself exited %d (it must record, not fail):\n%s", r.code, r.stdout)
			}
			if r.outputs["exit-code"] != tt.exit || r.outputs["run-exit-code"] != tt.run {
				t.Errorf("exit-code %q run-exit-code %q, want %s and %s\n%s", r.outputs["exit-code"], r.outputs["run-exit-code"], tt.exit, tt.run, r.stdout)
			}
			if r.outputs["verdict"] != tt.verdict {
				t.Errorf("verdict %q, want %q", r.outputs["verdict"], tt.verdict)
			}
			if !strings.Contains(r.summary, tt.summary) {
				t.Errorf("step summary %q, want it to contain %q", r.summary, tt.summary)
			}
			if tt.report != "" && !strings.Contains(r.args, tt.report) {
				t.Errorf("harness calls:\n%s\nwant one with %q", r.args, tt.report)
			}
			if tt.report == "" && strings.Contains(r.args, "--compare") {
				t.Errorf("compared although it should not:\n%s", r.args)
			}
			if r.outputs["report-dir"] == "" {
				t.Error("no report-dir output")
			}
		})
	}
}

// Inputs reach the harness as APIOPS_* variables, secrets are masked and never on a
// command line, and defaults stay the harness's own.
func TestRunStepPassesInputsAsEnvironment(t *testing.T) {
	const secret = "s3cr3t p@ss&=+%"
	r := runStep(t, "run", map[string]string{
		"IN_BASE_URL": "https://manager.example", "IN_CLIENT_ID": "ci-bot", "IN_CLIENT_SECRET": secret,
		"IN_STRICT": "true", "IN_INSECURE": "false", "IN_REQUIRE_ALL": "true",
		"IN_REVOKE_COMMAND": "revoke --token-from-env",
	})
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	for _, want := range []string{
		"APIOPS_BASE_URL=https://manager.example", "APIOPS_CLIENT_ID=ci-bot", "APIOPS_CLIENT_SECRET=" + secret,
		"APIOPS_STRICT=all", "APIOPS_REQUIRE_ALL=true", "APIOPS_REVOKE_COMMAND=revoke --token-from-env", "APIOPS_REPORT_DIR=",
	} {
		if !strings.Contains(r.env, want) {
			t.Errorf("harness environment lacks %s:\n%s", want, r.env)
		}
	}
	for _, unwanted := range []string{"APIOPS_INSECURE", "APIOPS_TIMEOUT", "APIOPS_PROTECTED_PATH", "APIOPS_SPECIAL_CLIENT_SECRET"} {
		if strings.Contains(r.env, unwanted) {
			t.Errorf("harness environment sets %s though the input was empty or false", unwanted)
		}
	}
	if strings.Contains(r.args, secret) {
		t.Errorf("the secret is on a command line:\n%s", r.args)
	}
	if !strings.Contains(r.stdout, "::add-mask::"+secret) {
		t.Error("the secret is not masked in the log")
	}
}

func TestRunStepRejectsBadInputs(t *testing.T) {
	for _, env := range []map[string]string{
		{"IN_FAIL_ON": "sometimes"},
		{"IN_STRICT": "very"},
		{"IN_INSECURE": "yes"},
	} {
		r := runStep(t, "run", env)
		if r.code != 2 || !strings.Contains(r.stdout, "::error") {
			t.Errorf("%v: exit %d, want 2 with an error annotation\n%s", env, r.code, r.stdout)
		}
		if r.args != "" {
			t.Errorf("%v: the harness ran: %s", env, r.args)
		}
	}
}

func TestGateStep(t *testing.T) {
	for code, want := range map[string]int{"0": 0, "1": 1, "2": 2, "3": 3, "130": 130, "": 2} {
		r := runStep(t, "gate", map[string]string{"CODE": code, "VERDICT": "NOT CONFORMANT"})
		if r.code != want {
			t.Errorf("CODE=%q: gate exited %d, want %d", code, r.code, want)
		}
		if want != 0 && !strings.Contains(r.stdout, "::error title=apiops-conformance::NOT CONFORMANT") {
			t.Errorf("CODE=%q: no error annotation: %s", code, r.stdout)
		}
	}
}
