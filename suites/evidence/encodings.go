package evidence

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strings"
	"unicode/utf16"
)

// encodings returns the forms character c takes in the text a run sees and writes: raw;
// percent-encoded ("%C3%BC", "+" for a space); JSON-escaped ("\u00fc", surrogate pairs,
// "\"", "\\", "\/", "\n", …); HTML-escaped ("&#252;", "&#xfc;", "&quot;", "&amp;", …);
// JavaScript's "\x3c" and "\'"; and each of those once or twice more through a common encoder
// (percent-encoding, JSON with or without Go's HTML escaping, HTML escaping as
// html.EscapeString and html/template write it). Escapes compare without regard to
// ASCII case.
func encodings(c rune) []encoded {
	raw := string(c)
	first := []string{raw, percentAll(raw), jsonEscape(c), fmt.Sprintf("&#%d;", c), fmt.Sprintf("&#x%x;", c)}
	if c == ' ' {
		first = append(first, "+")
	}
	if c < 0x80 {
		first = append(first, fmt.Sprintf(`\x%02x`, c))
	}
	if e, ok := shortEscapes[c]; ok {
		first = append(first, e...)
	}
	seen := map[string]bool{}
	var out []encoded
	add := func(s string) {
		f := encoded{s: s, fold: s != raw}
		key := s
		if f.fold {
			key = "\x00" + strings.ToLower(s)
		}
		if s != "" && !seen[key] {
			seen[key] = true
			out = append(out, f)
		}
	}
	for _, f := range first {
		add(f)
	}
	// Twice through the encoders: a target echoes a JSON body (one escape) inside its
	// own JSON or HTML (two), and a report escapes nothing it has not redacted first.
	for range 2 {
		for _, f := range out {
			for _, enc := range wholeEncoders {
				add(enc(f.s))
			}
		}
	}
	return out
}

// shortEscapes are the named and short escapes of JSON, JavaScript and HTML.
var shortEscapes = map[rune][]string{
	'"':  {`\"`, "&quot;"},
	'\\': {`\\`},
	'/':  {`\/`},
	'\'': {`\'`, "&apos;"},
	'&':  {"&amp;"},
	'<':  {"&lt;"},
	'>':  {"&gt;"},
	'\b': {`\b`},
	'\f': {`\f`},
	'\n': {`\n`},
	'\r': {`\r`},
	'\t': {`\t`},
	0xA0: {"&nbsp;"},
}

// wholeEncoders are applied to each form of a character once more: the encoders a
// target, a log or a report commonly applies to text that already holds an escape.
var wholeEncoders = []func(string) string{
	url.QueryEscape,
	url.PathEscape,
	func(s string) string { return jsonString(s, true) },
	func(s string) string { return jsonString(s, false) },
	html.EscapeString,
	template.HTMLEscapeString,
	func(s string) string { return strings.ReplaceAll(template.HTMLEscapeString(s), "+", "&#43;") },
	template.JSEscapeString,
}

// percentAll percent-encodes every byte of s.
func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// jsonEscape returns c as a JSON \u escape (a surrogate pair above U+FFFF).
func jsonEscape(c rune) string {
	if r1, r2 := utf16.EncodeRune(c); r1 != 0xFFFD || r2 != 0xFFFD {
		return fmt.Sprintf(`\u%04x\u%04x`, r1, r2)
	}
	return fmt.Sprintf(`\u%04x`, c)
}

// jsonString returns s as encoding/json writes it inside a string, quotes removed.
func jsonString(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		return s
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}
