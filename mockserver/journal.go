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

// redactForm replaces, in place, the values of secret-looking parameters with Redacted.
// The caller owns form and no longer needs the secrets.
func redactForm(form url.Values) {
	for name, values := range form {
		if !isSecretParam(name) {
			continue
		}
		if len(values) == 1 {
			form[name] = redactedOne
			continue
		}
		redacted := make([]string, len(values))
		for i := range redacted {
			redacted[i] = Redacted
		}
		form[name] = redacted
	}
}

// redactedOne is the redacted value of a parameter given once; shared, never modified.
var redactedOne = []string{Redacted}

func isSecretParam(name string) bool {
	switch name {
	case paramGrantType, paramClientID:
		return false
	case paramClientSecret:
		return true
	}
	n := strings.ToLower(name)
	return strings.Contains(n, "secret") || strings.Contains(n, "password") ||
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

// record is a journal entry as the journal keeps it: its texts cut to the journal's
// limits and copied into one allocation (a short value may be a piece of a large request
// line or body, which the journal must not keep alive), the form as name–value pairs.
// The log line of the request is written from the record too.
type record struct {
	time                                     time.Time
	status                                   int
	method, path, contentType, authorization string
	form                                     []string // name, value, name, value, …
	hasForm                                  bool
}

// newRecord bounds and copies e. A cut text ends in "…(+N bytes)".
func newRecord(e *JournalEntry) record {
	size := len(e.Method) + len(e.Path) + len(e.ContentType) + len(e.Authorization)
	var names [maxJournalParams]string // the parameters kept (any 16 of more)
	params, pairs := 0, 0
	for name, values := range e.Form {
		if params == maxJournalParams {
			break
		}
		names[params] = name
		params++
		n := min(len(values), maxJournalValues)
		pairs += n
		size += n * min(len(name), maxJournalText+cutMarkLen)
		for _, v := range values[:n] {
			size += min(len(v), maxJournalValue+cutMarkLen)
		}
	}
	var b strings.Builder
	b.Grow(min(size, 64<<10))
	var offsets [4 + 2*maxJournalParams*maxJournalValues]int // ends of the texts in b
	k := 0
	put := func(s string, n int) {
		appendCut(&b, s, n)
		offsets[k] = b.Len()
		k++
	}
	put(e.Method, maxJournalText)
	put(e.Path, maxJournalText)
	put(e.ContentType, maxJournalText)
	put(e.Authorization, maxJournalText)
	for _, name := range names[:params] {
		values := e.Form[name]
		for _, v := range values[:min(len(values), maxJournalValues)] {
			put(name, maxJournalText)
			put(v, maxJournalValue)
		}
	}
	all := b.String()
	text := func(i int) string {
		start := 0
		if i > 0 {
			start = offsets[i-1]
		}
		return all[start:offsets[i]]
	}
	r := record{
		time: e.Time, status: e.Status,
		method: text(0), path: text(1), contentType: text(2), authorization: text(3),
		hasForm: e.Form != nil,
	}
	if pairs > 0 {
		r.form = make([]string, 2*pairs)
		for i := range r.form {
			r.form[i] = text(4 + i)
		}
	}
	return r
}

// clientID is the record's client_id when the form has exactly one.
func (r *record) clientID() string {
	id, found := "", 0
	for i := 0; i < len(r.form); i += 2 {
		if r.form[i] == paramClientID {
			id = r.form[i+1]
			found++
		}
	}
	if found != 1 {
		return ""
	}
	return id
}

// entry is the record as a JournalEntry the caller may modify.
func (r *record) entry() JournalEntry {
	e := JournalEntry{
		Time: r.time, Method: r.method, Path: r.path, ContentType: r.contentType,
		Authorization: r.authorization, Status: r.status,
	}
	if r.hasForm {
		e.Form = make(url.Values, len(r.form)/2)
		for i := 0; i < len(r.form); i += 2 {
			e.Form[r.form[i]] = append(e.Form[r.form[i]], r.form[i+1])
		}
	}
	return e
}

// cutMarkLen is the length of the longest "…(+N bytes)" that cut appends.
const cutMarkLen = len("…(+") + 20 + len(" bytes)")

// cut shortens s to at most n bytes, on a rune boundary, followed by "…(+N bytes)" that
// says how many bytes were cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	var b strings.Builder
	appendCut(&b, s, n)
	return b.String()
}

// appendCut writes s to b, cut as cut does.
func appendCut(b *strings.Builder, s string, n int) {
	if len(s) <= n {
		b.WriteString(s)
		return
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	b.WriteString(s[:n])
	b.WriteString("…(+")
	var digits [20]byte
	b.Write(strconv.AppendInt(digits[:0], int64(len(s)-n), 10))
	b.WriteString(" bytes)")
}

// journal is a bounded ring of records, safe for concurrent use.
type journal struct {
	mu   sync.Mutex
	max  int
	buf  []record
	next int // where the next record goes once buf is full
}

func (j *journal) add(r record) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.buf) < j.max {
		j.buf = append(j.buf, r)
		return
	}
	j.buf[j.next] = r
	j.next = (j.next + 1) % j.max
}

func (j *journal) entries() []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JournalEntry, 0, len(j.buf))
	for _, r := range j.buf[j.next:] {
		out = append(out, r.entry())
	}
	for _, r := range j.buf[:j.next] {
		out = append(out, r.entry())
	}
	return out
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buf = nil
	j.next = 0
}
