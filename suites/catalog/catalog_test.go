package catalog

import (
	"slices"
	"strings"
	"testing"
)

// TestCatalogIsTraceable: every requirement names its source, the kind of that source,
// and quotes the sentence that requires it; a MUST comes from the docs (an RFC-only or
// OWASP requirement the docs never promise is at most a SHOULD); needs are known and
// prerequisites are earlier entries.
func TestCatalogIsTraceable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if !IDPattern.MatchString(r.ID) || seen[r.ID] {
			t.Errorf("%s: malformed or repeated ID", r.ID)
		}
		if r.Quote == "" || r.Title == "" || r.Source == "" {
			t.Errorf("%s: a requirement needs a title, a source and the quote that requires it", r.ID)
		}
		if !slices.Contains(Kinds, r.Kind) || !strings.HasPrefix(r.Source, string(r.Kind)+": ") {
			t.Errorf("%s: kind %q must be one of %v and the source must start with it: %q", r.ID, r.Kind, Kinds, r.Source)
		}
		if r.Level == Must && r.Kind != Docs {
			t.Errorf("%s: a MUST must come from the docs, not %s", r.ID, r.Kind)
		}
		if r.Level != Must && r.Level != Should {
			t.Errorf("%s: level %q", r.ID, r.Level)
		}
		for _, n := range r.Needs {
			if n.Describe() == string(n) {
				t.Errorf("%s: need %q has no description", r.ID, n)
			}
		}
		for _, id := range r.After {
			if !seen[id] {
				t.Errorf("%s: prerequisite %s is not an earlier entry", r.ID, id)
			}
		}
		seen[r.ID] = true
	}
}

func TestGatingByScope(t *testing.T) {
	must := Requirement{Level: Must, Kind: Docs}
	docs := Requirement{Level: Should, Kind: Docs}
	rfc := Requirement{Level: Should, Kind: RFC}
	for _, tc := range []struct {
		scope          string
		must, doc, rfc bool
	}{
		{"", true, false, false},
		{"all", true, true, true},
		{"true", true, true, true},
		{"docs", true, true, false},
		{"rfc", true, false, true},
		{"owasp", true, false, false},
	} {
		s, err := ParseScope(tc.scope)
		if err != nil {
			t.Fatal(err)
		}
		if must.Gating(s) != tc.must || docs.Gating(s) != tc.doc || rfc.Gating(s) != tc.rfc {
			t.Errorf("scope %q: gating must/docs/rfc = %v/%v/%v", tc.scope, must.Gating(s), docs.Gating(s), rfc.Gating(s))
		}
	}
	if _, err := ParseScope("everything"); err == nil {
		t.Error("ParseScope accepted an unknown scope")
	}
}
