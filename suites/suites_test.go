package suites

import (
	"context"
	"flag"
	"os"
	"slices"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

// TestConformance runs the suites against the target named by APIOPS_* environment
// variables, like the OCI distribution-spec conformance suite:
//
//	APIOPS_BASE_URL=https://manager.example.com APIOPS_CLIENT_ID=… APIOPS_CLIENT_SECRET=… \
//	  go test ./suites/ -run TestConformance -v
//
// APIOPS_LABEL_FILTER (or -ginkgo.label-filter) selects checks. Without APIOPS_BASE_URL it is skipped: it starts nothing (package suites cannot start
// the mock; `apiops-conformance run` without --base-url does).
func TestConformance(t *testing.T) {
	if os.Getenv(EnvBaseURL) == "" {
		t.Skipf("%s is not set: no target to judge (apiops-conformance run judges the embedded mock)", EnvBaseURL)
	}
	if n := flag.Lookup("test.count").Value.String(); n != "1" {
		t.Fatalf("-count=%s: Ginkgo runs the suites once per process; judge a target with -count=1 (or run apiops-conformance again)", n)
	}
	cfg, err := configFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{GinkgoOutput: os.Stdout, LabelFilter: os.Getenv(EnvPrefix + "LABEL_FILTER")}
	if _, err := run(context.Background(), t, cfg, opts); err != nil {
		t.Fatal(err)
	}
}

// TestCatalogMatchesSpecs proves each catalog and its specs correspond one-to-one: every
// spec is labelled with exactly one catalog ID, its level, area and kind, its text is the
// requirement's String(), every requirement has exactly one spec, and every check runs
// after the checks it depends on. Server specs sit under the "server" label, client
// specs under "client".
func TestCatalogMatchesSpecs(t *testing.T) {
	report := preview()
	for label, reqs := range map[string][]catalog.Requirement{serverLabel: catalog.All(), "client": catalog.Clients()} {
		t.Run(label, func(t *testing.T) { matchSpecs(t, report, label, reqs) })
	}
}

// preview returns Ginkgo's preview of the specs, made once per test process: Ginkgo
// refuses to build its tree again, and refuses a -count above 1 outright, so the preview
// is made with -count read as 1 and kept for the repetitions go test -count=N asks for.
var preview = sync.OnceValue(func() types.Report {
	count := flag.Lookup("test.count")
	saved := count.Value.String()
	_ = count.Value.Set("1")
	defer func() { _ = count.Value.Set(saved) }()
	return PreviewSpecs(suiteName)
})

func matchSpecs(t *testing.T, report types.Report, label string, reqs []catalog.Requirement) {
	var ids []string
	for _, sr := range report.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt || !slices.Contains(sr.ContainerHierarchyLabels[0], label) {
			continue
		}
		var found []catalog.Requirement
		for _, l := range sr.Labels() {
			if r, ok := catalog.Lookup(l); ok {
				found = append(found, r)
			}
		}
		if len(found) != 1 {
			t.Errorf("spec %q carries %d catalog IDs, want 1", sr.FullText(), len(found))
			continue
		}
		r := found[0]
		if !slices.Equal(sr.LeafNodeLabels, r.Labels()) {
			t.Errorf("spec %s labels = %v, want %v", r.ID, sr.LeafNodeLabels, r.Labels())
		}
		if sr.LeafNodeText != r.String() {
			t.Errorf("spec %s text = %q, want %q", r.ID, sr.LeafNodeText, r.String())
		}
		for _, id := range r.After {
			if !slices.Contains(ids, id) {
				t.Errorf("spec %s runs before its prerequisite %s: it could never be blocked by it", r.ID, id)
			}
		}
		ids = append(ids, r.ID)
	}
	var want []string
	for _, r := range reqs {
		want = append(want, r.ID)
	}
	if !slices.Equal(slices.Sorted(slices.Values(ids)), slices.Sorted(slices.Values(want))) {
		t.Errorf("specs implement:\n%v\nthe catalog has:\n%v", ids, want)
	}
}

// TestCatalogAreas: every requirement belongs to one of the suites' areas (a Ginkgo label).
func TestCatalogAreas(t *testing.T) {
	areas := []string{"form", "success", "errors", "bearer", "expiry", "robustness", "spec"}
	for _, r := range catalog.All() {
		if !slices.Contains(areas, r.Area) {
			t.Errorf("%s: area %q is not one of %v", r.ID, r.Area, areas)
		}
	}
}
