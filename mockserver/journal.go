package mockserver

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// journalSize is how many requests the journal keeps; older ones are dropped.
const journalSize = 1000

// Redacted replaces secrets and tokens in the journal.
const Redacted = "[REDACTED]"

// JournalEntry is one request a client sent to the mock, as the control API's journal
// shows it. Secrets and tokens are redacted; the URL query is not recorded.
type JournalEntry struct {
	Time        time.Time `json:"time"` // on the mock's clock
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	ContentType string    `json:"content_type"`
	// Form is the decoded form body of a token request (client_secret and any parameter
	// whose name mentions a secret, password or token are redacted); nil otherwise.
	Form url.Values `json:"form,omitempty"`
	// Authorization is the scheme of the Authorization header followed by [REDACTED].
	Authorization string `json:"authorization,omitempty"`
	Status        int    `json:"status"`
}

func (e *JournalEntry) clientID() string {
	if len(e.Form[paramClientID]) == 1 {
		return e.Form[paramClientID][0]
	}
	return ""
}

// redactForm replaces, in place, the values of secret-looking parameters with Redacted.
// The caller owns form and no longer needs the secrets.
func redactForm(form url.Values) {
	for name, values := range form {
		if isSecretParam(name) {
			redacted := make([]string, len(values))
			for i := range redacted {
				redacted[i] = Redacted
			}
			form[name] = redacted
		}
	}
}

func isSecretParam(name string) bool {
	n := strings.ToLower(name)
	return n == paramClientSecret || strings.Contains(n, "secret") || strings.Contains(n, "password") ||
		strings.Contains(n, "token") || strings.Contains(n, "assertion") || strings.Contains(n, "key")
}

// redactAuthorization keeps only the scheme of an Authorization header value, and only
// when it looks like one (letters, at most 20): a bare token becomes [REDACTED] whole.
func redactAuthorization(v string) string {
	if v == "" {
		return ""
	}
	scheme, _, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || len(scheme) > 20 || strings.ContainsFunc(scheme, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') }) {
		return Redacted
	}
	return scheme + " " + Redacted
}

// Bounds of one journal entry, so 1000 entries of hostile requests stay small.
const (
	maxJournalText   = 256 // bytes of a method, path, Content-Type or form name
	maxJournalValue  = 128 // bytes of a form value
	maxJournalParams = 16  // form parameters kept
	maxJournalValues = 3   // values kept per parameter (enough to show a repeat)
)

// bound truncates the entry's texts and form to the journal's limits; a truncated text
// ends in "…(+N bytes)". Every text is copied: a short value may be a piece of a large
// request line or body, which the journal must not keep alive. The log line of the
// request is written from the bounded entry.
func (e *JournalEntry) bound() {
	e.Method = keep(e.Method, maxJournalText)
	e.Path = keep(e.Path, maxJournalText)
	e.ContentType = keep(e.ContentType, maxJournalText)
	if e.Form == nil {
		return
	}
	out := make(url.Values, min(len(e.Form), maxJournalParams))
	for name, values := range e.Form {
		if len(out) == maxJournalParams {
			break
		}
		values = values[:min(len(values), maxJournalValues)]
		short := make([]string, len(values))
		for i, v := range values {
			short[i] = keep(v, maxJournalValue)
		}
		out[keep(name, maxJournalText)] = short
	}
	e.Form = out
}

// keep returns a copy of s cut to n bytes as cut does.
func keep(s string, n int) string {
	if len(s) > n {
		return cut(s, n)
	}
	return strings.Clone(s)
}

// cut shortens s to at most n bytes, on a rune boundary, followed by "…(+N bytes)" that
// says how many bytes were cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…(+" + strconv.Itoa(len(s)-n) + " bytes)"
}

// journal is a bounded ring of entries, safe for concurrent use.
type journal struct {
	mu   sync.Mutex
	max  int
	buf  []JournalEntry
	next int // where the next entry goes once buf is full
}

// add appends an entry that bound has already cut.
func (j *journal) add(e JournalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.buf) < j.max {
		j.buf = append(j.buf, e)
		return
	}
	j.buf[j.next] = e
	j.next = (j.next + 1) % j.max
}

func (j *journal) entries() []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JournalEntry, 0, len(j.buf))
	out = append(out, j.buf[j.next:]...)
	out = append(out, j.buf[:j.next]...)
	for i := range out { // the caller may modify what it gets
		if out[i].Form != nil {
			out[i].Form = cloneValues(out[i].Form)
		}
	}
	return out
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buf = nil
	j.next = 0
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for name, values := range v {
		out[name] = append([]string(nil), values...)
	}
	return out
}
