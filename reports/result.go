// Package reports turns a Ginkgo report of the suites into one result model and writes it
// for machines (conformance.json, junit.xml) and people (console summary, summary.md,
// report.html).
package reports

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// Status is the outcome of one check. Ordered: a group takes its worst child.
type Status string

// The statuses, from best to worst.
const (
	Skipped Status = "skipped"
	Passed  Status = "passed"
	Failed  Status = "failed"
)

// Tool names the program that produced a result.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Summary counts checks by status. GatingFailed counts the failed checks that fail the run.
type Summary struct {
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	Skipped      int `json:"skipped"`
	GatingFailed int `json:"gating_failed"`
}

// Check is the result of one requirement.
type Check struct {
	ID     string `json:"id"`
	Level  string `json:"level"`
	Area   string `json:"area"`
	Title  string `json:"title"`
	Source string `json:"source"`
	Status Status `json:"status"`
	// Gating is true for a failed check that fails the run (MUST, or SHOULD under --strict).
	Gating     bool                `json:"gating"`
	Message    string              `json:"message,omitempty"`
	DurationMS int64               `json:"duration_ms"`
	Evidence   []evidence.Exchange `json:"evidence,omitempty"`
}

// Result is the one result model every report is written from. Its JSON form is the
// stable machine contract (conformance.json).
type Result struct {
	Tool       Tool      `json:"tool"`
	Target     string    `json:"target"`
	Started    time.Time `json:"started"`
	DurationMS int64     `json:"duration_ms"`
	Strict     bool      `json:"strict"`
	// Config echoes the run's configuration, secrets redacted.
	Config  map[string]string `json:"config,omitempty"`
	Summary Summary           `json:"summary"`
	// Errors are failures outside any check (for example a suite setup that failed).
	// Any error fails the run.
	Errors []string `json:"errors,omitempty"`
	Checks []Check  `json:"checks"`
}

// Meta is what a result needs beyond the Ginkgo report.
type Meta struct {
	Tool   Tool
	Target string
	Strict bool
	Config map[string]string
	// Secrets are removed from every text of the result, whatever the suites already did.
	Secrets []string
}

// FromGinkgo converts the suites' Ginkgo report into a Result. Checks are ordered as the
// catalog orders requirements.
func FromGinkgo(r types.Report, meta Meta) Result {
	var red evidence.Redactor
	red.Add(meta.Secrets...)
	res := Result{
		Tool:       meta.Tool,
		Target:     red.String(meta.Target),
		Started:    r.StartTime.UTC().Truncate(time.Second),
		DurationMS: r.RunTime.Milliseconds(),
		Strict:     meta.Strict,
		Checks:     []Check{},
	}
	if meta.Config != nil {
		res.Config = make(map[string]string, len(meta.Config))
		for k, v := range meta.Config {
			res.Config[k] = red.String(v)
		}
	}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				res.Errors = append(res.Errors, red.String(fmt.Sprintf("%s: %s", sr.LeafNodeType, sr.Failure.Message)))
			}
			continue
		}
		if sr.State == types.SpecStatePending {
			continue
		}
		res.Checks = append(res.Checks, checkFromSpec(sr, meta.Strict, &red))
	}
	order := map[string]int{}
	for i, req := range catalog.All() {
		order[req.ID] = i
	}
	slices.SortStableFunc(res.Checks, func(a, b Check) int {
		ia, oka := order[a.ID]
		ib, okb := order[b.ID]
		if oka && okb {
			return cmp.Compare(ia, ib)
		}
		return strings.Compare(a.ID, b.ID)
	})
	res.Summary = Summarize(res.Checks)
	return res
}

func checkFromSpec(sr types.SpecReport, strict bool, red *evidence.Redactor) Check {
	var req catalog.Requirement
	var findings []string
	var exchanges []evidence.Exchange
	for _, e := range sr.ReportEntries {
		switch e.Name {
		case evidence.EntryRequirement:
			_ = decodeEntry(e.Value, &req)
		case evidence.EntryExchange:
			var x evidence.Exchange
			if decodeEntry(e.Value, &x) == nil {
				exchanges = append(exchanges, x)
			}
		case evidence.EntryFinding:
			var s string
			if decodeEntry(e.Value, &s) == nil {
				findings = append(findings, s)
			}
		}
	}
	if req.ID == "" { // fall back to the labels
		for _, l := range sr.Labels() {
			if r, ok := catalog.Lookup(l); ok {
				req = r
				break
			}
		}
	}
	if req.ID == "" {
		req = catalog.Requirement{ID: sr.FullText(), Level: catalog.Must, Title: sr.FullText()}
	}
	c := Check{
		ID:         req.ID,
		Level:      string(req.Level),
		Area:       req.Area,
		Title:      req.Title,
		Source:     req.Source,
		DurationMS: sr.RunTime.Milliseconds(),
	}
	switch {
	case sr.State == types.SpecStateSkipped:
		c.Status = Skipped
		c.Message = sr.Failure.Message
	case sr.State.Is(types.SpecStateFailureStates):
		c.Status = Failed
		c.Message = sr.Failure.Message
		c.Gating = req.Gating(scopeOf(strict))
	case len(findings) > 0:
		c.Status = Failed
		c.Message = strings.Join(findings, "\n")
		c.Gating = req.Gating(scopeOf(strict))
	default:
		c.Status = Passed
	}
	// The suites start a failure message with "ID [LEVEL] source" so it reads well on its
	// own under go test; the check carries those fields already.
	c.Message = strings.TrimPrefix(c.Message, fmt.Sprintf("%s [%s] %s\n", req.ID, req.Level, req.Source))
	c.Message = red.String(c.Message)
	for i := range exchanges {
		x := &exchanges[i]
		x.Step = red.String(x.Step)
		x.Request.URL = red.String(x.Request.URL)
		x.Request.Header = red.Header(x.Request.Header)
		x.Request.Body = red.String(x.Request.Body)
		x.Response.Header = red.Header(x.Response.Header)
		x.Response.Body = red.String(x.Response.Body)
		x.Response.Error = red.String(x.Response.Error)
		x.Contract = red.String(x.Contract)
	}
	c.Evidence = exchanges
	return c
}

// decodeEntry decodes a report entry's value into v. In-process (AddReportEntry and a
// ReportAfterSuite in the same process) the value is only wrapped, AsJSON is empty and the
// raw value is kept; after a JSON round trip (parallel runs, a saved Ginkgo JSON report)
// only AsJSON is reliable. Both go through JSON, so pointers and values decode alike.
func decodeEntry(v types.ReportEntryValue, into any) error {
	data := []byte(v.AsJSON)
	if len(data) == 0 {
		var err error
		if data, err = json.Marshal(v.GetRawValue()); err != nil {
			return err
		}
	}
	return json.Unmarshal(data, into)
}

// Summarize counts checks by status.
func Summarize(checks []Check) Summary {
	var s Summary
	for _, c := range checks {
		switch c.Status {
		case Passed:
			s.Passed++
		case Failed:
			s.Failed++
			if c.Gating {
				s.GatingFailed++
			}
		case Skipped:
			s.Skipped++
		}
	}
	return s
}

// Conformant reports whether nothing in the result fails the run.
func (r Result) Conformant() bool {
	return r.Summary.GatingFailed == 0 && len(r.Errors) == 0
}

// ExitCode is the CI contract: 0 when nothing gating failed, 1 otherwise.
// (2, for usage and configuration errors, is decided before a run starts.)
func (r Result) ExitCode() int {
	if r.Conformant() {
		return 0
	}
	return 1
}

// ReadJSON reads a result written as conformance.json.
func ReadJSON(path string) (Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Result{}, fmt.Errorf("reports: %w", err)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return Result{}, fmt.Errorf("reports: %s is not a conformance.json result: %w", path, err)
	}
	if r.Tool.Name == "" || r.Checks == nil {
		return Result{}, fmt.Errorf("reports: %s is not a conformance.json result: no tool or checks", path)
	}
	return r, nil
}

func scopeOf(strict bool) catalog.Scope {
	if strict {
		return catalog.ScopeAll
	}
	return catalog.ScopeOff
}
