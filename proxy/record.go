package proxy

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

// maxSecrets bounds the secrets a long-running proxy remembers for redaction; past it
// the older half is forgotten. The secret-carrying fields (client_secret=…,
// "access_token": "…") and the Authorization header are redacted whatever is remembered.
const maxSecrets = 512

// redactor is an evidence.Redactor safe for concurrent use, with a bounded memory.
type redactor struct {
	mu      sync.RWMutex
	r       *evidence.Redactor
	secrets []string // raw, oldest first
}

func newRedactor() *redactor { return &redactor{r: &evidence.Redactor{}} }

// Add registers secrets (empty and very short ones are ignored, as evidence.Redactor does).
func (r *redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < 3 || slices.Contains(r.secrets, s) {
			continue
		}
		r.secrets = append(r.secrets, s)
		r.r.Add(s)
	}
	if len(r.secrets) > maxSecrets {
		r.secrets = slices.Clone(r.secrets[len(r.secrets)-maxSecrets/2:])
		r.r = &evidence.Redactor{}
		r.r.Add(r.secrets...)
	}
}

func (r *redactor) String(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.r.String(s)
}

func (r *redactor) Header(h http.Header) http.Header {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.r.Header(h)
}

func (r *redactor) Excerpt(body []byte) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.r.Excerpt(body)
}

// Limits of what the report keeps per rule.
const (
	maxMessages = 10 // distinct messages
	maxEvidence = 5  // exchanges
)

// tally is what the proxy saw of one rule.
type tally struct {
	judged, failed int
	messages       []string
	evidence       []evidence.Exchange
}

// recorder keeps the tallies of every rule for the report. Safe for concurrent use.
type recorder struct {
	mu        sync.Mutex
	exchanges int
	answered  int    // exchanges the upstream answered (a status came back)
	unreached int    // exchanges where no connection to the upstream was made
	lastError string // the last unreached exchange's error, redacted
	rules     map[string]*tally
}

func newRecorder() *recorder { return &recorder{rules: map[string]*tally{}} }

// add records a finished exchange; its evidence is built, redacted, only when a rule
// broke and the rule still has room for it.
func (rec *recorder) add(x *exchange, red *redactor) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.exchanges++
	if x.status != 0 {
		rec.answered++
	}
	if x.unreached {
		rec.unreached++
		rec.lastError = x.upstreamErr
	}
	var ev *evidence.Exchange
	for _, rule := range x.judged {
		t := rec.rules[rule]
		if t == nil {
			t = &tally{}
			rec.rules[rule] = t
		}
		t.judged++
		broke := false
		for _, v := range x.violations {
			if v.Rule != rule {
				continue
			}
			broke = true
			if msg := red.String(v.Message); len(t.messages) < maxMessages && !slices.Contains(t.messages, msg) {
				t.messages = append(t.messages, msg)
			}
		}
		if !broke {
			continue
		}
		t.failed++
		if len(t.evidence) < maxEvidence {
			if ev == nil {
				e := x.evidence(red)
				ev = &e
			}
			t.evidence = append(t.evidence, *ev)
		}
	}
}

// evidence returns the exchange as report evidence, redacted and bounded.
func (x *exchange) evidence(red *redactor) evidence.Exchange {
	reqBody, _ := red.Excerpt(x.reqBody)
	e := evidence.Exchange{
		Step: "client request passed through the proxy",
		Request: evidence.Request{
			Method: oneLine(x.in.Method),
			URL:    red.String(x.in.URL.RequestURI()),
			Header: red.Header(x.in.Header),
			Body:   reqBody,
		},
		Response: evidence.Response{Status: x.status, Error: x.upstreamErr},
		Contract: x.contract,
	}
	if x.upstreamErr == "" {
		e.Response.Header = red.Header(x.respHeader)
		e.Response.Body, e.Response.BodyTruncated = red.Excerpt(x.respBody)
		e.Response.BodyTruncated = e.Response.BodyTruncated || !x.respComplete
	}
	e.Duration(time.Since(x.start))
	return e
}
