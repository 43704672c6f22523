package proxy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/wire"
)

// Rules lists, in report order, the requirement IDs the proxy judges.
var Rules = append(slices.Clone(wire.Rules), RuleTokenContract, RuleProtectedContract)

// Meta is what a report needs beyond what the proxy saw.
type Meta struct {
	Tool reports.Tool
	// Config echoes the proxy's configuration; it is redacted again here.
	Config map[string]string
}

// Result returns what the proxy saw so far as a report: one check per rule of Rules,
// failed when an exchange broke it (with up to five exchanges as evidence), passed when
// exchanges were judged and none broke it, skipped when no exchange reached it.
func (p *Proxy) Result(meta Meta) reports.Result {
	p.rec.mu.Lock()
	defer p.rec.mu.Unlock()
	res := reports.Result{
		SchemaVersion: reports.SchemaVersion,
		Tool:          meta.Tool,
		Target:        p.red.String(p.cfg.Upstream.Redacted()),
		Started:       p.started.UTC(),
		DurationMS:    p.cfg.Now().Sub(p.started).Milliseconds(),
		Checks:        []reports.Check{},
	}
	if meta.Config != nil {
		res.Config = make(map[string]string, len(meta.Config))
		for k, v := range meta.Config {
			res.Config[k] = p.red.String(v)
		}
	}
	for _, id := range Rules {
		req := requirement(id)
		c := reports.Check{ID: req.ID, Level: string(req.Level), Area: req.Area, Kind: string(req.Kind),
			Title: req.Title, Source: req.Source, Quote: req.Quote}
		t := p.rec.rules[id]
		switch {
		case t == nil || t.judged == 0:
			c.Status = reports.NotJudged
			c.Reason = notSeen(id)
			if p.rec.unreached > 0 && (id == RuleTokenContract || id == RuleProtectedContract) {
				c.Reason = fmt.Sprintf("the upstream could not be reached (%d times; last: %s)", p.rec.unreached, p.rec.lastError)
			}
		case t.failed > 0:
			c.Status = reports.Failed
			c.Gating = req.Gating(catalog.ScopeOff)
			c.Message = fmt.Sprintf("%d of %d exchanges broke it:\n  - %s", t.failed, t.judged, strings.Join(t.messages, "\n  - "))
			c.Evidence = t.evidence
		default:
			c.Status = reports.Passed
			c.Compared = fmt.Sprintf("%d exchanges judged, none broke it", t.judged)
		}
		res.Checks = append(res.Checks, c)
	}
	res.Summary = reports.Summarize(res.Checks)
	if reason := p.unjudged(); reason != "" {
		res.Run = reports.RunStatus{Status: reports.RunCouldNotJudge, Reason: reason}
	}
	return res
}

// Exchanges returns how many judged exchanges the proxy has recorded.
func (p *Proxy) Exchanges() int {
	p.rec.mu.Lock()
	defer p.rec.mu.Unlock()
	return p.rec.exchanges
}

// CouldNotJudge returns a reason when the upstream was never reached although clients
// tried (every judged exchange failed to connect), and "" otherwise.
func (p *Proxy) CouldNotJudge() string {
	p.rec.mu.Lock()
	defer p.rec.mu.Unlock()
	return p.unjudged()
}

// unjudged is CouldNotJudge with p.rec.mu held.
func (p *Proxy) unjudged() string {
	if p.rec.answered > 0 || p.rec.unreached == 0 {
		return ""
	}
	return fmt.Sprintf("the upstream could not be reached (%d attempts; last: %s)", p.rec.unreached, p.rec.lastError)
}

// requirement returns the catalog's entry for id.
func requirement(id string) catalog.Requirement {
	r, _ := catalog.Lookup(id)
	return r
}

func notSeen(id string) string {
	switch id {
	case RuleProtectedContract:
		return "no request to " + "/apiops/projects/" + " passed through the proxy"
	case wire.RuleBearer:
		return "no request to a Bearer-protected /apiops/ path passed through the proxy"
	default:
		return "no token request passed through the proxy"
	}
}
