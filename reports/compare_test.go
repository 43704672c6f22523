package reports

import (
	"strings"
	"testing"
)

func ids(cs []Change) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return strings.Join(out, " ")
}

func TestCompare(t *testing.T) {
	old := Result{Checks: []Check{
		{ID: "A-001", Level: "MUST", Status: Passed},
		{ID: "A-002", Level: "MUST", Status: Failed, Gating: true},
		{ID: "A-003", Level: "MUST", Status: Failed, Gating: true},
		{ID: "A-004", Level: "SHOULD", Status: Failed},
		{ID: "A-005", Level: "MUST", Status: Passed},
		{ID: "A-006", Level: "MUST", Status: Passed},
		{ID: "A-007", Level: "SHOULD", Status: Passed},
	}}
	new := Result{Checks: []Check{
		{ID: "A-001", Level: "MUST", Status: Failed, Gating: true},   // newly failing, gating
		{ID: "A-002", Level: "MUST", Status: Passed},                 // fixed
		{ID: "A-003", Level: "MUST", Status: Failed, Gating: true},   // still failing
		{ID: "A-004", Level: "SHOULD", Status: Failed, Gating: true}, // still failing, now gating (strict)
		{ID: "A-005", Level: "MUST", Status: NotJudged},              // newly not judged
		{ID: "A-007", Level: "SHOULD", Status: Failed},               // newly failing, not gating
		{ID: "A-008", Level: "MUST", Status: Failed, Gating: true},   // new and failing
		{ID: "A-009", Level: "MUST", Status: Passed},                 // new
	}, Errors: []string{"BeforeSuite: boom"}}
	d := Compare(old, new)
	for name, got := range map[string]string{
		"NewlyFailing": ids(d.NewlyFailing), "Fixed": ids(d.Fixed), "StillFailing": ids(d.StillFailing),
		"NewlyUnjudged": ids(d.NewlyUnjudged), "Added": ids(d.Added), "Removed": ids(d.Removed), "Regressions": ids(d.Regressions()),
	} {
		want := map[string]string{
			"NewlyFailing": "A-001 A-007 A-008", "Fixed": "A-002", "StillFailing": "A-003 A-004",
			"NewlyUnjudged": "A-005", "Added": "A-008 A-009", "Removed": "A-006", "Regressions": "A-001 A-008 A-004",
		}[name]
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !d.Regressed() || len(d.NewErrors) != 1 {
		t.Errorf("Regressed = %v, NewErrors = %q", d.Regressed(), d.NewErrors)
	}
	if d := Compare(new, new); !d.Empty() || d.Regressed() || len(d.StillFailing) != 5 {
		t.Errorf("a result compared with itself: %+v", d)
	}
	// Only non-gating news: no regression.
	d = Compare(Result{Checks: old.Checks[6:]}, Result{Checks: new.Checks[5:6]})
	if d.Regressed() || ids(d.NewlyFailing) != "A-007" {
		t.Errorf("a non-gating new failure must not regress: %+v", d)
	}
}
