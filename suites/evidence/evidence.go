// Package evidence describes what a check saw on the wire — the request it sent and the
// response that came back — in a bounded, redacted form that reports can show, and the
// names of the Ginkgo report entries that carry it from the suites to the reports.
package evidence

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Names of the Ginkgo report entries the suites attach to every spec. Reports decode the
// entries' JSON (ReportEntry.Value.AsJSON) into the types of this package.
const (
	// EntryRequirement carries the spec's catalog.Requirement.
	EntryRequirement = "requirement"
	// EntryExchange carries one Exchange; a spec may attach several, in order.
	EntryExchange = "exchange"
	// EntryFinding carries a string: a SHOULD or MAY violation recorded without failing the
	// spec (non-strict mode). Reports count such a spec as failed but not gating.
	EntryFinding = "finding"
)

// MaxBody is the largest body excerpt kept in evidence, in bytes.
const MaxBody = 2048

// Redacted replaces every secret in evidence, logs and reports.
const Redacted = "[REDACTED]"

// Request is a sent request, redacted.
type Request struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header,omitempty"`
	Body   string      `json:"body,omitempty"`
}

// Response is a received response, redacted and with the body cut to MaxBody bytes.
// Error is set instead when no response came back (timeout, reset, TLS failure).
type Response struct {
	Status        int         `json:"status,omitempty"`
	Header        http.Header `json:"header,omitempty"`
	Body          string      `json:"body,omitempty"`
	BodyTruncated bool        `json:"body_truncated,omitempty"`
	Error         string      `json:"error,omitempty"`
}

// Exchange is one request and what came back.
type Exchange struct {
	Step       string   `json:"step,omitempty"` // what the request was for, e.g. "obtain a token"
	Request    Request  `json:"request"`
	Response   Response `json:"response"`
	DurationMS int64    `json:"duration_ms"`
	// Contract is set when the response does not match the OpenAPI contract (spec/):
	// what kin-openapi found, redacted. Requirements TOKEN-SPEC-* gate on it; other
	// checks only record it here.
	Contract string `json:"contract,omitempty"`
}

// Duration sets DurationMS from d.
func (e *Exchange) Duration(d time.Duration) { e.DurationMS = d.Milliseconds() }

// sensitiveHeaders are always redacted, whatever their value.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// Redactor removes known secrets (passwords, tokens) from text. The zero value redacts only
// sensitive headers; add every secret the run knows of. It is not safe for concurrent Add.
type Redactor struct {
	secrets []string
}

// Add registers secrets to redact. Empty strings and very short values are ignored, to
// keep the text readable (a one-letter "secret" would blank every occurrence of a letter).
func (r *Redactor) Add(secrets ...string) {
	for _, s := range secrets {
		if len(s) < 3 || slices.Contains(r.secrets, s) {
			continue
		}
		r.secrets = append(r.secrets, s)
		// A secret also travels percent-encoded in forms and URLs.
		for _, enc := range []string{url.QueryEscape(s), url.PathEscape(s), strings.ReplaceAll(url.QueryEscape(s), "+", "%20")} {
			if enc != s && !slices.Contains(r.secrets, enc) {
				r.secrets = append(r.secrets, enc)
			}
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// secretFields match the values of the fields that always carry a secret, in a form
// body or a query ("client_secret=…") and in JSON ("access_token": "…"), so they are
// redacted even when the secret is too short to Add or was never registered.
var secretFields = []*regexp.Regexp{
	regexp.MustCompile(`((?:^|[?&\s])(?:client_secret|access_token|refresh_token|password)=)[^&\s"]*`),
	regexp.MustCompile(`("(?:client_secret|access_token|refresh_token|password)"\s*:\s*")(?:[^"\\]|\\.)*`),
}

// String returns s with every registered secret, and the value of every secret-carrying
// field (client_secret, access_token, refresh_token, password), replaced by Redacted.
func (r *Redactor) String(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	for _, re := range secretFields {
		s = re.ReplaceAllString(s, "${1}"+Redacted)
	}
	return s
}

// Header returns a redacted copy of h: sensitive headers keep only their scheme
// ("Bearer [REDACTED]"), and registered secrets are removed from every value.
func (r *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, values := range h {
		vs := make([]string, len(values))
		for i, v := range values {
			if slices.Contains(sensitiveHeaders, http.CanonicalHeaderKey(name)) {
				if scheme, _, ok := strings.Cut(v, " "); ok && len(scheme) < 20 {
					v = scheme + " " + Redacted
				} else {
					v = Redacted
				}
			}
			vs[i] = r.String(v)
		}
		out[name] = vs
	}
	return out
}

// Excerpt returns body redacted and cut to MaxBody bytes (on a UTF-8 boundary), and
// whether it was cut.
func (r *Redactor) Excerpt(body []byte) (string, bool) {
	s := r.String(string(body))
	if len(s) <= MaxBody {
		return s, false
	}
	cut := MaxBody
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Secrets returns the registered secrets (with their encoded forms), longest first.
func (r *Redactor) Secrets() []string { return slices.Clone(r.secrets) }
