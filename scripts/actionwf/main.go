// Command actionwf writes a GitHub Actions composite action (action.yml) as a workflow, so
// that actionlint — which lints workflows, not actions — can check its steps: expression
// syntax and contexts, the inputs they use, step outputs, and (with shellcheck installed)
// the shell scripts. The action's inputs become inputs of a workflow_call trigger and its
// outputs the outputs of the one job. `make lint-actions` runs it:
//
//	go run ./scripts/actionwf action.yml > bin/action-as-workflow.yml
//
// The metadata that actionlint does not see (required keys, every input used, secrets
// only through the environment) is checked by this package's tests.
package main

import (
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: actionwf action.yml > workflow.yml")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "actionwf: %v\n", err)
		os.Exit(1)
	}
}

func run(path string, w io.Writer) error {
	a, err := load(path)
	if err != nil {
		return err
	}
	wf, err := workflow(a)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out, err := yaml.Marshal(wf)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "# Generated from %s by scripts/actionwf for actionlint; not a real workflow.\n%s", path, out)
	return err
}

// action is the part of action.yml's metadata that the conversion and the tests read.
type action struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Inputs      map[string]input  `json:"inputs"`
	Outputs     map[string]output `json:"outputs"`
	Runs        struct {
		Using string           `json:"using"`
		Steps []map[string]any `json:"steps"`
	} `json:"runs"`
}

type input struct {
	Description string `json:"description"`
	Required    bool   `json:"required"`
	Default     string `json:"default"`
}

type output struct {
	Description string `json:"description"`
	Value       string `json:"value"`
}

// load reads and parses an action.yml.
func load(path string) (*action, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &a, nil
}

// workflow is a as a reusable workflow with one job that runs the action's steps.
func workflow(a *action) (map[string]any, error) {
	if a.Runs.Using != "composite" {
		return nil, fmt.Errorf("runs.using is %q; only composite actions have steps to lint", a.Runs.Using)
	}
	inputs := map[string]any{}
	for name, in := range a.Inputs {
		spec := map[string]any{"description": in.Description, "required": in.Required, "type": "string"}
		if in.Default != "" {
			spec["default"] = in.Default
		}
		inputs[name] = spec
	}
	outputs := map[string]any{}
	for name, out := range a.Outputs {
		outputs[name] = out.Value
	}
	job := map[string]any{"runs-on": "ubuntu-latest", "steps": a.Runs.Steps}
	if len(outputs) > 0 {
		job["outputs"] = outputs
	}
	return map[string]any{
		"name": a.Name + " (action.yml as a workflow)",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": job},
	}, nil
}
