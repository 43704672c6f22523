package evidence

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// sensitiveHeaders are always redacted, whatever their value.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// Redactor removes known secrets (passwords, tokens, HTTP Basic credentials) from text,
// in every form a secret takes on the wire and in reports: raw, percent-encoded ("+" or
// "%20" for a space, hex in either case), JSON-escaped ("\u00fc", "\"", "\\", "\/", Go's
// "\u003c" for "<"), HTML-escaped ("&quot;", "&#34;", "&#x22;", "&amp;", …), one
// encoding applied over another (HTML over JSON, percent over JSON, …), and any mix of
// these within one occurrence, character by character.
//
// The zero value redacts only sensitive headers and secret-carrying fields; add every
// secret the run knows of. It is safe for concurrent use; it must not be copied after
// first use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string            // as added, longest first
	root    node                // the secrets' characters, a trie of encoded forms
	first   [256]bool           // the bytes a match can start with
	forms   map[rune]*charForms // cache: the encoded forms of a character
}

// minSecret is the shortest secret Add registers: a one- or two-letter "secret" would
// blank every occurrence of those letters and leave nothing readable.
const minSecret = 3

// Add registers secrets (passwords, tokens) to redact. Empty strings and values shorter
// than three bytes are ignored, to keep the text readable.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		r.add(s)
	}
}

// AddCredentials registers secret, and the base64 forms of "user:secret" that HTTP Basic
// authentication sends (standard and URL alphabets, padded or not), so an Authorization
// header echoed anywhere is redacted. The base64 forms are registered whatever the
// secret's length: they reveal it.
func (r *Redactor) AddCredentials(user, secret string) {
	r.Add(secret)
	if secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	pair := []byte(user + ":" + secret)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b := enc.EncodeToString(pair); len(b) >= minSecret {
			r.add(b)
		}
	}
}

func (r *Redactor) add(s string) {
	if slices.Contains(r.secrets, s) {
		return
	}
	if r.forms == nil {
		r.forms = make(map[rune]*charForms)
	}
	n := &r.root
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		key := c
		if c == utf8.RuneError && size == 1 {
			key = -1 - rune(s[i]) // a byte that is not UTF-8: raw or percent-encoded only
		}
		forms, ok := r.forms[key]
		if !ok {
			if key < 0 {
				forms = newCharForms([]encoded{{s: s[i : i+1]}, {s: percentAll(s[i : i+1]), fold: true}})
			} else {
				forms = newCharForms(encodings(c))
			}
			r.forms[key] = forms
		}
		n = n.child(forms)
		i += size
	}
	n.end = true
	for _, c := range r.root.children {
		for b, ok := range c.forms.first {
			r.first[b] = r.first[b] || ok
		}
	}
	r.secrets = append(r.secrets, s)
	// Longest first: the order reports show; matching takes the longest match anyway.
	slices.SortStableFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// secretFields match the non-empty values of the fields that always carry a secret, in
// a form body or a query ("client_secret=…") and in JSON ("access_token": "…"), so they
// are redacted even when the secret is too short to Add or was never registered. An
// empty value stays visibly empty: it is what the request sent.
var secretFields = []*regexp.Regexp{
	regexp.MustCompile(`((?:^|[?&\s])(?:client_secret|access_token|refresh_token|password)=)[^&\s"]+`),
	regexp.MustCompile(`("(?:client_secret|access_token|refresh_token|password)"\s*:\s*")(?:[^"\\]|\\.)+`),
}

// String returns s with every registered secret, in any of its encodings, and the value
// of every secret-carrying field (client_secret, access_token, refresh_token, password),
// replaced by Redacted.
func (r *Redactor) String(s string) string {
	r.mu.RLock()
	if len(r.secrets) > 0 {
		s = r.replace(s)
	}
	r.mu.RUnlock()
	if !hasSecretField(s) {
		return s
	}
	for _, re := range secretFields {
		s = re.ReplaceAllString(s, "${1}"+Redacted)
	}
	return s
}

// hasSecretField reports whether s names a secret-carrying field: a cheap test that
// spares most texts the regular expressions.
func hasSecretField(s string) bool {
	for _, name := range []string{"client_secret", "access_token", "refresh_token", "password"} {
		if strings.Contains(s, name) {
			return true
		}
	}
	return false
}

// replace replaces the leftmost-longest matches of the registered secrets.
func (r *Redactor) replace(s string) string {
	var b strings.Builder
	var m matcher
	last := 0
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], Redacted) { // already redacted: never redact inside
			i += len(Redacted)
			continue
		}
		end := -1
		if r.first[s[i]] {
			end = m.match(&r.root, s, i)
		}
		if end <= i {
			i++
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		b.WriteString(Redacted)
		i, last = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
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
// whether it was cut. It redacts before cutting, so no part of a secret is left at the
// cut.
func (r *Redactor) Excerpt(body []byte) (string, bool) {
	return r.Cut(string(body), MaxBody)
}

// Cut returns s redacted and cut to at most n bytes (on a UTF-8 boundary), and whether
// it was cut. Redact before cutting, always: a secret cut in two is no longer found,
// and its first part would show.
func (r *Redactor) Cut(s string, n int) (string, bool) {
	s = r.String(s)
	if len(s) <= n {
		return s, false
	}
	cut := max(n, 0)
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Secrets returns the registered secrets as added (passwords, tokens, and the base64
// forms of credentials from AddCredentials), longest first. Adding them to another
// Redactor redacts the same: their encoded forms are derived again.
func (r *Redactor) Secrets() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.secrets)
}

// encoded is one form a character takes in text: raw, or an escape compared without
// regard to ASCII case ("%c3%bc" and "%C3%BC", "\u00FC" and "\u00fc").
type encoded struct {
	s    string
	fold bool
}

// charForms are the forms of one character, indexed for matching: the one-byte forms,
// and the longer ones by their first two bytes (lower-cased).
type charForms struct {
	first  [256]bool // the bytes a form can start with
	single []encoded
	byTwo  map[uint16][]encoded
}

func newCharForms(forms []encoded) *charForms {
	cf := &charForms{byTwo: map[uint16][]encoded{}}
	for _, f := range forms {
		b := f.s[0]
		cf.first[b] = true
		if f.fold {
			cf.first[lower(b)], cf.first[upper(b)] = true, true
		}
		if len(f.s) == 1 {
			cf.single = append(cf.single, f)
			continue
		}
		k := twoBytes(f.s)
		cf.byTwo[k] = append(cf.byTwo[k], f)
	}
	return cf
}

func twoBytes(s string) uint16 { return uint16(lower(s[0]))<<8 | uint16(lower(s[1])) }

// ends appends to ends where a form of the character starting at s[pos] can end.
func (cf *charForms) ends(ends []int, s string, pos int) []int {
	if pos >= len(s) || !cf.first[s[pos]] {
		return ends
	}
	add := func(end int) {
		if !slices.Contains(ends, end) {
			ends = append(ends, end)
		}
	}
	for _, f := range cf.single {
		if s[pos] == f.s[0] {
			add(pos + 1)
		}
	}
	if pos+1 < len(s) {
		for _, f := range cf.byTwo[twoBytes(s[pos:])] {
			if hasForm(s[pos:], f) {
				add(pos + len(f.s))
			}
		}
	}
	return ends
}

// node is a trie of secrets by character: the secrets sharing a prefix share its
// matching work.
type node struct {
	forms    *charForms // the character leading here (nil at the root)
	end      bool       // a secret ends here
	children []*node
}

func (n *node) child(forms *charForms) *node {
	for _, c := range n.children {
		if c.forms == forms {
			return c
		}
	}
	c := &node{forms: forms}
	n.children = append(n.children, c)
	return c
}

// maxEnds bounds the positions a match follows at once.
const maxEnds = 64

// matcher finds where a secret's match starting at a position can end. It follows
// every possible end at once (a set of positions per character), so ambiguous forms
// ("\" raw, "\\" escaped) cost a few positions, never a backtracking blow-up.
type matcher struct{ sets [][]int }

// match returns the end of the longest match in s starting at i of a secret in the trie
// below root, or -1.
func (m *matcher) match(root *node, s string, i int) int {
	if len(m.sets) == 0 {
		m.sets = append(m.sets, nil)
	}
	m.sets[0] = append(m.sets[0][:0], i)
	return m.walk(root, s, 0)
}

// walk extends the positions of m.sets[depth] through the children of n.
func (m *matcher) walk(n *node, s string, depth int) int {
	if len(m.sets) <= depth+1 {
		m.sets = append(m.sets, nil)
	}
	best := -1
	for _, c := range n.children {
		next := m.sets[depth+1][:0]
		for _, pos := range m.sets[depth] {
			next = c.forms.ends(next, s, pos)
		}
		m.sets[depth+1] = next
		if len(next) == 0 {
			continue
		}
		if len(next) > maxEnds {
			// The text reads as the secret's beginning in that many ways (runs of "\",
			// "%25" or "&amp;" against a secret made of them): take it for a match rather
			// than follow them all. Over-redacting is safe; a hostile text cannot make
			// matching slow.
			return max(best, slices.Max(next))
		}
		if c.end {
			best = max(best, slices.Max(next))
		}
		if len(c.children) > 0 {
			best = max(best, m.walk(c, s, depth+1))
		}
	}
	return best
}

// hasForm reports whether s starts with f.
func hasForm(s string, f encoded) bool {
	if len(s) < len(f.s) {
		return false
	}
	if !f.fold {
		return s[:len(f.s)] == f.s
	}
	for i := 0; i < len(f.s); i++ {
		if a, b := s[i], f.s[i]; a != b && lower(a) != lower(b) {
			return false
		}
	}
	return true
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func upper(b byte) byte {
	if 'a' <= b && b <= 'z' {
		return b - ('a' - 'A')
	}
	return b
}
