package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The metadata checks of action.yml that actionlint cannot make on the generated
// workflow, and the secret-handling rules of the example workflow.

const actionPath = "../../action.yml"

// runFlags are the flags of `apiops-conformance run`, each of which the action must
// offer as an input of the same name.
var runFlags = []string{
	"base-url", "client-id", "client-secret", "special-client-id", "special-client-secret",
	"disabled-client-id", "disabled-client-secret", "locked-client-id", "locked-client-secret",
	"fault-header", "protected-path", "max-expiry-wait", "timeout", "run-timeout", "max-rps",
	"ca-cert", "insecure", "strict", "require-all", "revoke-command", "label-filter",
	"report-dir", "control-url", "config", "show-curl", "no-color",
}

func loadAction(t *testing.T) *action {
	t.Helper()
	a, err := load(actionPath)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestActionMetadata(t *testing.T) {
	a := loadAction(t)
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	for _, name := range append(slices.Clone(runFlags), "version", "baseline", "fail-on") {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("no input %q", name)
		}
	}
	for _, name := range []string{"verdict", "exit-code", "report-dir"} {
		if _, ok := a.Outputs[name]; !ok {
			t.Errorf("no output %q", name)
		}
	}
}

// Every step that runs a script names its shell (required in a composite action), and
// every output refers to a step id that exists.
func TestActionSteps(t *testing.T) {
	a := loadAction(t)
	ids := map[string]bool{}
	for i, s := range a.Runs.Steps {
		if id, ok := s["id"].(string); ok {
			ids[id] = true
		}
		_, hasRun := s["run"]
		_, hasUses := s["uses"]
		if hasRun == hasUses {
			t.Errorf("step %d (%v): needs exactly one of run and uses", i, s["name"])
		}
		if hasRun && s["shell"] == nil {
			t.Errorf("step %d (%v): a run step of a composite action needs shell", i, s["name"])
		}
	}
	ref := regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs`)
	for name, out := range a.Outputs {
		m := ref.FindAllStringSubmatch(out.Value, -1)
		if len(m) == 0 {
			t.Errorf("output %s: value %q reads no step output", name, out.Value)
		}
		for _, sm := range m {
			if !ids[sm[1]] {
				t.Errorf("output %s: no step with id %q", name, sm[1])
			}
		}
	}
}

// Every input is used, and every use names an input.
func TestActionInputsUsed(t *testing.T) {
	a := loadAction(t)
	data, err := os.ReadFile(actionPath)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`).FindAllStringSubmatch(string(data), -1) {
		used[m[1]] = true
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
	}
	for name := range used {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("inputs.%s is used but not declared", name)
		}
	}
}

// No expression is expanded inside a script: inputs reach scripts only through env, so
// neither a secret nor a crafted value becomes part of a command line. Each run flag is
// handed to the harness as its APIOPS_* variable.
func TestActionScriptsTakeInputsFromEnv(t *testing.T) {
	a := loadAction(t)
	var scripts strings.Builder
	for _, s := range a.Runs.Steps {
		run, _ := s["run"].(string)
		if strings.Contains(run, "${{") {
			t.Errorf("step %v expands an expression inside its script; pass it through env", s["name"])
		}
		scripts.WriteString(run)
	}
	for _, flag := range runFlags {
		v := "APIOPS_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
		if !strings.Contains(scripts.String(), v) {
			t.Errorf("no step sets %s for input %s", v, flag)
		}
	}
}

// The example workflow reads secrets only into inputs or env, never into a script.
func TestExampleKeepsSecretsOffCommandLines(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "github-actions.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []map[string]any `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.Jobs) == 0 {
		t.Fatal("no jobs")
	}
	for job, j := range wf.Jobs {
		for _, s := range j.Steps {
			run, _ := s["run"].(string)
			if strings.Contains(run, "${{") {
				t.Errorf("job %s step %v expands an expression inside its script", job, s["name"])
			}
		}
	}
	if !bytes.Contains(data, []byte("secrets.APIOPS_CLIENT_SECRET")) {
		t.Error("the example should show where the client secret comes from")
	}
}

func TestWorkflowFromAction(t *testing.T) {
	var out bytes.Buffer
	if err := run(actionPath, &out); err != nil {
		t.Fatal(err)
	}
	var wf map[string]any
	if err := yaml.Unmarshal(out.Bytes(), &wf); err != nil {
		t.Fatalf("generated workflow does not parse: %v", err)
	}
	if wf["jobs"] == nil || wf["on"] == nil {
		t.Errorf("generated workflow lacks on or jobs:\n%s", out.String())
	}
	if _, err := workflow(&action{}); err == nil {
		t.Error("a non-composite action converted without error")
	}
}

// The action downloads release archives by the names `make dist` gives them
// (scripts/dist: apiops-conformance_VERSION_OS_ARCH.tar.gz, .zip for Windows).
func TestActionUsesReleaseArchiveNames(t *testing.T) {
	data, err := os.ReadFile(actionPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name="apiops-conformance_${v}_${os}_${arch}"`, "ext=tar.gz", "ext=zip", "SHA256SUMS", "releases/download/v$v"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("action.yml does not contain %s", want)
		}
	}
}
