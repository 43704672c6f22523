package reports

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// FromGinkgo converts the suites' Ginkgo report into a Result. Checks are ordered as the
// catalog orders requirements. Every text is redacted with meta.Secrets.
//
// A spec becomes a check: failed (gating as its requirement's Gating under the scope of
// --strict); failed but not gating when it passed with "finding" entries; not judged,
// blocked or not applicable as its "outcome" entry says; not judged with the skip message
// as reason when it was skipped without an outcome; passed otherwise, with its "compared"
// entry.
func FromGinkgo(r types.Report, meta Meta) Result {
	red := redactorOf(meta)
	res := newResult(meta, red)
	res.Started = r.StartTime.UTC().Truncate(time.Second)
	res.DurationMS = r.RunTime.Milliseconds()
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
		res.Checks = append(res.Checks, checkFromSpec(sr, res.StrictScope, red))
	}
	sortChecks(res.Checks)
	res.Summary = Summarize(res.Checks)
	return res
}

// NotJudgedResult is the result of a run where no check ran because the target could not
// be judged at all (the preflight failed): every requirement of reqs is not judged with
// reason, and the run's status is could_not_judge with that reason.
func NotJudgedResult(meta Meta, reqs []catalog.Requirement, reason string) Result {
	red := redactorOf(meta)
	reason = red.String(reason)
	meta.Run = RunStatus{Status: RunCouldNotJudge, Reason: reason}
	res := newResult(meta, red)
	res.Started = time.Now().UTC().Truncate(time.Second)
	for _, req := range reqs {
		c := checkOf(req)
		c.Status, c.Reason = NotJudged, reason
		res.Checks = append(res.Checks, c)
	}
	sortChecks(res.Checks)
	res.Summary = Summarize(res.Checks)
	return res
}

func redactorOf(meta Meta) *evidence.Redactor {
	red := &evidence.Redactor{}
	red.Add(meta.Secrets...)
	return red
}

// newResult fills in what a result takes from meta, redacted.
func newResult(meta Meta, red *evidence.Redactor) Result {
	scope := meta.scope()
	res := Result{
		SchemaVersion: SchemaVersion,
		Tool:          meta.Tool,
		Target:        red.String(meta.Target),
		Embedded:      meta.Embedded,
		Run:           RunStatus{Status: meta.Run.Status, Reason: red.String(meta.Run.Reason)},
		Strict:        scope != catalog.ScopeOff,
		StrictScope:   scope,
		RequireAll:    meta.RequireAll,
		Checks:        []Check{},
	}
	if res.Run.Status == "" {
		res.Run.Status = RunComplete
	}
	if meta.Config != nil {
		res.Config = make(map[string]string, len(meta.Config))
		for k, v := range meta.Config {
			res.Config[k] = red.String(v)
		}
	}
	if f := meta.Footprint; f != nil {
		fp := *f
		fp.Accounts = slices.Clone(f.Accounts)
		for i := range fp.Accounts {
			fp.Accounts[i].ClientID = red.String(fp.Accounts[i].ClientID)
		}
		res.Footprint = &fp
	}
	return res
}

// sortChecks orders checks as the catalog orders requirements, and checks outside it
// (client requirements, tests' own) by ID after them.
func sortChecks(checks []Check) {
	order := map[string]int{}
	for i, req := range append(catalog.All(), catalog.Clients()...) {
		order[req.ID] = i
	}
	slices.SortStableFunc(checks, func(a, b Check) int {
		ia, oka := order[a.ID]
		ib, okb := order[b.ID]
		switch {
		case oka && okb:
			return cmp.Compare(ia, ib)
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
}

func checkOf(req catalog.Requirement) Check {
	return Check{
		ID:     req.ID,
		Level:  string(req.Level),
		Area:   req.Area,
		Kind:   string(req.Kind),
		Title:  req.Title,
		Source: req.Source,
		Quote:  req.Quote,
	}
}

func checkFromSpec(sr types.SpecReport, scope catalog.Scope, red *evidence.Redactor) Check {
	var req catalog.Requirement
	var findings []string
	var exchanges []evidence.Exchange
	var outcome *evidence.Outcome
	var compared string
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
		case evidence.EntryOutcome:
			var o evidence.Outcome
			if decodeEntry(e.Value, &o) == nil {
				outcome = &o
			}
		case evidence.EntryCompared:
			_ = decodeEntry(e.Value, &compared)
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
	c := checkOf(req)
	c.DurationMS = sr.RunTime.Milliseconds()
	c.Compared = red.String(compared)
	switch {
	case sr.State.Is(types.SpecStateInterrupted):
		c.Status, c.Reason = NotJudged, "the run was interrupted before this check ended"
	case sr.State.Is(types.SpecStateFailureStates):
		c.Status = Failed
		c.Message = sr.Failure.Message
		c.Gating = req.Gating(scope)
	case outcome != nil:
		c.Status = outcomeStatus(outcome.Status)
		c.Reason = red.String(outcome.Reason)
		c.BlockedBy = outcome.BlockedBy
		if c.Reason == "" && c.Status != Blocked {
			c.Reason = strings.TrimSpace(red.String(sr.Failure.Message))
		}
	case sr.State == types.SpecStateSkipped:
		c.Status = NotJudged
		c.Reason = orDefault(strings.TrimSpace(red.String(sr.Failure.Message)), "no reason given")
	case len(findings) > 0:
		c.Status = Failed
		c.Message = strings.Join(findings, "\n")
		c.Gating = req.Gating(scope)
	default:
		c.Status = Passed
	}
	// The suites start a failure message with "ID [LEVEL] source" so it reads well on its
	// own under go test; the check carries those fields already.
	c.Message = strings.TrimPrefix(c.Message, fmt.Sprintf("%s [%s] %s\n", req.ID, req.Level, req.Source))
	c.Message = red.String(c.Message)
	for i := range exchanges {
		redactExchange(&exchanges[i], red)
	}
	c.Evidence = exchanges
	return c
}

// outcomeStatus maps an outcome entry's status; an unknown one is not judged.
func outcomeStatus(s evidence.OutcomeStatus) Status {
	switch s {
	case evidence.Blocked:
		return Blocked
	case evidence.NotApplicable:
		return NotApplicable
	}
	return NotJudged
}

func redactExchange(x *evidence.Exchange, red *evidence.Redactor) {
	x.Step = red.String(x.Step)
	x.Request.URL = red.String(x.Request.URL)
	x.Request.Header = red.Header(x.Request.Header)
	x.Request.Body = red.String(x.Request.Body)
	x.Response.Header = red.Header(x.Response.Header)
	x.Response.Body = red.String(x.Response.Body)
	x.Response.Error = red.String(x.Response.Error)
	x.Contract = red.String(x.Contract)
	x.Curl = redactCurl(x.Curl, red)
}

// curlSecretValue and curlCredential find the values a curl command line must not show
// literally: secret-carrying form fields and the credentials of sensitive headers. A value
// that is an environment reference ("$APIOPS_CLIENT_SECRET", "${TOKEN}") is kept: it is how
// a reproduction names a secret without showing it.
var (
	curlSecretValue = regexp.MustCompile(`((?:client_secret|access_token|refresh_token|password)=)([^&\s"']*)`)
	curlCredential  = regexp.MustCompile(`((?i:authorization|proxy-authorization|cookie):\s*(?:[A-Za-z]+\s+)?)([^\s"']+)`)
)

// redactCurl removes every registered secret from a curl reproduction, and every literal
// credential, keeping environment references.
func redactCurl(s string, red *evidence.Redactor) string {
	if s == "" {
		return s
	}
	if red != nil {
		for _, secret := range red.Secrets() {
			s = strings.ReplaceAll(s, secret, evidence.Redacted)
		}
	}
	for _, re := range []*regexp.Regexp{curlSecretValue, curlCredential} {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			if v := sub[2]; v == "" || strings.HasPrefix(v, "$") || v == evidence.Redacted {
				return m
			}
			return sub[1] + evidence.Redacted
		})
	}
	return s
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
