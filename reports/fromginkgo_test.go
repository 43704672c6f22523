package reports

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// Requirement IDs of the tests; not in the catalog, so FromGinkgo orders them by ID.
var (
	reqPass    = catalog.Requirement{ID: "TEST-A-001", Kind: catalog.Docs, Level: catalog.Must, Area: "form", Source: "docs: Create Token", Title: "passes"}
	reqFail    = catalog.Requirement{ID: "TEST-A-002", Kind: catalog.RFC, Level: catalog.Must, Area: "form", Source: "rfc: RFC 6749 §5.2", Title: "fails"}
	reqSkip    = catalog.Requirement{ID: "TEST-A-003", Kind: catalog.Docs, Level: catalog.Must, Area: "expiry", Source: "docs: Expiry", Title: "skips"}
	reqFinding = catalog.Requirement{ID: "TEST-A-004", Kind: catalog.RFC, Level: catalog.Should, Area: "success", Source: "rfc: RFC 6749 §5.1", Title: "records a finding"}
	reqMay     = catalog.Requirement{ID: "TEST-A-005", Kind: catalog.RFC, Level: catalog.May, Area: "success", Source: "rfc: RFC 6749 Appendix B", Title: "may"}
	reqBlocked = catalog.Requirement{ID: "TEST-A-006", Level: catalog.Must, Area: "bearer", Kind: catalog.Docs, Source: "docs: Using the Token", Title: "is blocked"}
	reqNA      = catalog.Requirement{ID: "TEST-A-007", Level: catalog.Must, Area: "expiry", Kind: catalog.Docs, Source: "docs: Expiry", Title: "does not apply"}
)

// entry builds a report entry as AddReportEntry does: the value is only wrapped, AsJSON is
// empty. roundTrip passes it through JSON as a parallel run or a saved report does, which
// leaves AsJSON set and the raw value a generic map.
func entry(t *testing.T, name string, value any, roundTrip bool) types.ReportEntry {
	t.Helper()
	e := types.ReportEntry{Name: name, Value: types.WrapEntryValue(value), Visibility: types.ReportEntryVisibilityNever}
	if !roundTrip {
		return e
	}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var out types.ReportEntry
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.Value.AsJSON == "" {
		t.Fatal("a JSON round trip should set AsJSON")
	}
	return out
}

func spec(t *testing.T, req catalog.Requirement, state types.SpecState, msg string, roundTrip bool, extra ...types.ReportEntry) types.SpecReport {
	return types.SpecReport{
		LeafNodeType:   types.NodeTypeIt,
		LeafNodeText:   req.Title,
		LeafNodeLabels: req.Labels(),
		State:          state,
		Failure:        types.Failure{Message: msg},
		RunTime:        25 * time.Millisecond,
		ReportEntries:  append([]types.ReportEntry{entry(t, evidence.EntryRequirement, req, roundTrip)}, extra...),
	}
}

func ginkgoReport(t *testing.T, roundTrip bool) types.Report {
	x := evidence.Exchange{
		Step:     "obtain a token",
		Request:  evidence.Request{Method: "POST", URL: tokenURL, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
		Response: evidence.Response{Status: 400, Body: `{"error":"invalid_request"}`},
	}
	return types.Report{
		StartTime: time.Date(2026, 11, 23, 1, 2, 3, 456e6, time.FixedZone("CET", 3600)),
		RunTime:   1500 * time.Millisecond,
		SpecReports: types.SpecReports{
			{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "target unreachable"}},
			{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStatePassed},
			spec(t, reqMay, types.SpecStatePassed, "", roundTrip, entry(t, evidence.EntryFinding, "expires_in was a string", roundTrip)),
			spec(t, reqFinding, types.SpecStatePassed, "", roundTrip, entry(t, evidence.EntryFinding, "no Cache-Control header", roundTrip),
				entry(t, evidence.EntryFinding, "no Pragma header", roundTrip)),
			spec(t, reqSkip, types.SpecStateSkipped, "needs a short token lifetime", roundTrip),
			spec(t, reqFail, types.SpecStateFailed, "expected 400, got 200", roundTrip, entry(t, evidence.EntryExchange, x, roundTrip),
				entry(t, evidence.EntryExchange, &x, roundTrip)), // a pointer decodes like a value
			spec(t, reqPass, types.SpecStatePassed, "", roundTrip),
			{LeafNodeType: types.NodeTypeIt, LeafNodeText: "pending", State: types.SpecStatePending},
		},
	}
}

func TestFromGinkgo(t *testing.T) {
	for _, roundTrip := range []bool{false, true} {
		for _, strict := range []bool{false, true} {
			name := map[bool]string{false: "in-process", true: "json"}[roundTrip] + map[bool]string{false: "", true: "/strict"}[strict]
			t.Run(name, func(t *testing.T) {
				meta := Meta{Tool: Tool{Name: "apiops-conformance", Version: "test"}, Target: sampleTarget}
				if strict {
					meta.StrictScope = catalog.ScopeAll
				}
				got := FromGinkgo(ginkgoReport(t, roundTrip), meta)

				if want := time.Date(2026, 11, 23, 0, 2, 3, 0, time.UTC); !got.Started.Equal(want) || got.Started.Location() != time.UTC {
					t.Errorf("Started = %v, want %v in UTC, truncated to the second", got.Started, want)
				}
				if got.SchemaVersion != SchemaVersion || got.Run.Status != RunComplete || got.Strict != strict {
					t.Errorf("schema %d, run %+v, strict %v", got.SchemaVersion, got.Run, got.Strict)
				}
				if got.DurationMS != 1500 {
					t.Errorf("DurationMS = %d, want 1500", got.DurationMS)
				}
				if want := []string{"BeforeSuite: target unreachable"}; !cmp.Equal(got.Errors, want) {
					t.Errorf("Errors = %q, want %q", got.Errors, want)
				}
				type row struct {
					ID     string
					Status Status
					Gating bool
					Msg    string
					Reason string
					NEv    int
				}
				var rows []row
				for _, c := range got.Checks {
					rows = append(rows, row{c.ID, c.Status, c.Gating, c.Message, c.Reason, len(c.Evidence)})
				}
				want := []row{
					{"TEST-A-001", Passed, false, "", "", 0},
					{"TEST-A-002", Failed, true, "expected 400, got 200", "", 2},
					{"TEST-A-003", NotJudged, false, "", "needs a short token lifetime", 0},
					{"TEST-A-004", Failed, strict, "no Cache-Control header\nno Pragma header", "", 0},
					{"TEST-A-005", Failed, false, "expires_in was a string", "", 0}, // MAY never gates
				}
				if diff := cmp.Diff(want, rows); diff != "" {
					t.Errorf("checks (-want +got):\n%s", diff)
				}
				c := got.Checks[1]
				if c.Level != "MUST" || c.Area != "form" || c.Source != reqFail.Source || c.Title != "fails" || c.DurationMS != 25 {
					t.Errorf("requirement fields not carried over: %+v", c)
				}
				if x := c.Evidence[0]; x.Request.URL != tokenURL || x.Response.Status != 400 || x.Step != "obtain a token" ||
					x.Request.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
					t.Errorf("evidence not decoded: %+v", x)
				}
				wantSummary := Summary{Passed: 1, Failed: 3, NotJudged: 1, GatingFailed: 1, MustNotJudged: []string{"TEST-A-003"}, Skipped: 1}
				if strict {
					wantSummary.GatingFailed = 2
				}
				if !cmp.Equal(got.Summary, wantSummary) {
					t.Errorf("Summary = %+v, want %+v", got.Summary, wantSummary)
				}
				if got.Conformant() || got.ExitCode() != 1 {
					t.Error("a failed MUST check and a suite error must fail the run")
				}
			})
		}
	}
}

// TestFromGinkgoLabelFallback: a spec without a requirement entry is identified by its
// labels through the catalog, or by its text when no label names a requirement.
func TestFromGinkgoLabelFallback(t *testing.T) {
	sr := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "an unlabelled spec", State: types.SpecStateFailed, Failure: types.Failure{Message: "boom"}}
	res := FromGinkgo(types.Report{SpecReports: types.SpecReports{sr}}, Meta{})
	if c := res.Checks[0]; c.ID != "an unlabelled spec" || c.Level != "MUST" || !c.Gating {
		t.Errorf("unlabelled spec: got %+v, want a gating MUST check named by its text", c)
	}
	all := catalog.All()
	if len(all) == 0 {
		t.Skip("the catalog is empty: no label to look up")
	}
	sr.LeafNodeLabels = all[0].Labels()
	res = FromGinkgo(types.Report{SpecReports: types.SpecReports{sr}}, Meta{})
	if c := res.Checks[0]; c.ID != all[0].ID || c.Title != all[0].Title || c.Level != string(all[0].Level) {
		t.Errorf("labelled spec: got %+v, want %s", c, all[0])
	}
}

func TestFromGinkgoAllPassed(t *testing.T) {
	res := FromGinkgo(types.Report{SpecReports: types.SpecReports{spec(t, reqPass, types.SpecStatePassed, "", false)}}, Meta{Tool: Tool{Name: "x"}})
	if !res.Conformant() || res.ExitCode() != 0 || !cmp.Equal(res.Summary, Summary{Passed: 1, MustNotJudged: []string{}}) {
		t.Errorf("got %+v, conformant=%v", res.Summary, res.Conformant())
	}
	if empty := FromGinkgo(types.Report{}, Meta{}); empty.Checks == nil {
		t.Error("Checks must be an empty list, not null, in conformance.json")
	}
}
