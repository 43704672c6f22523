package evidence

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// canaries are secrets holding every character an encoding changes.
var canaries = []string{
	`p@ss w0rd&=+%ü/?#`,
	`ascii p@ss&=+%/?#w0rd`,
	`q"u\o/te<a>&b+c%d e€f😀g'h`,
	"tab\there\nnl",
	`\u0041-not-an-escape`,
	`%41-literal-percent`,
}

// encoders are independent renderings of a secret: the standard library's, and by hand.
var encoders = map[string]func(string) string{
	"raw":          func(s string) string { return s },
	"query":        url.QueryEscape,
	"query %20":    func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") },
	"query lower":  func(s string) string { return lowerHex(url.QueryEscape(s)) },
	"path":         url.PathEscape,
	"json":         func(s string) string { return jsonInner(s, true) },
	"json no html": func(s string) string { return jsonInner(s, false) },
	"json \\u all": func(s string) string { return uEscapeAll(s, "%04x") },
	"json \\U all": func(s string) string { return uEscapeAll(s, "%04X") },
	"json slash":   func(s string) string { return strings.ReplaceAll(jsonInner(s, true), "/", `\/`) },
	"html":         html.EscapeString,
	"template":     template.HTMLEscapeString,
	"template js":  template.JSEscapeString,
	"entities dec": func(s string) string { return entities(s, "&#%d;") },
	"entities hex": func(s string) string { return entities(s, "&#x%X;") },
	"html(json)":   func(s string) string { return template.HTMLEscapeString(jsonInner(s, true)) },
	"json(html)":   func(s string) string { return jsonInner(html.EscapeString(s), true) },
	"json(query)":  func(s string) string { return jsonInner(url.QueryEscape(s), true) },
	"query(json)":  func(s string) string { return url.QueryEscape(jsonInner(s, false)) },
	"html(query)":  func(s string) string { return html.EscapeString(url.QueryEscape(s)) },
	"json(json)":   func(s string) string { return jsonInner(jsonInner(s, true), true) },
}

func jsonInner(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `"`), `"`)
}

func uEscapeAll(s, verb string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u`+verb, u)
	}
	return b.String()
}

func entities(s, verb string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, verb, c)
	}
	return b.String()
}

func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
		}
	}
	return string(b)
}

// mixed renders each character of s with an encoder chosen at random.
func mixed(s string, rng *rand.Rand) string {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range encoders {
			if !strings.Contains(k, "(") && !yield(k) {
				return
			}
		}
	})
	var b strings.Builder
	for _, c := range s {
		b.WriteString(encoders[names[rng.IntN(len(names))]](string(c)))
	}
	return b.String()
}

func TestRedactorEncodings(t *testing.T) {
	var r Redactor
	r.Add(canaries...)
	for _, secret := range canaries {
		for name, enc := range encoders {
			form := enc(secret)
			in := "before " + form + " after"
			if got := r.String(in); got != "before "+Redacted+" after" {
				t.Errorf("%s of %q: String(%q) = %q", name, secret, in, got)
			}
		}
		rng := rand.New(rand.NewPCG(1, uint64(len(secret))))
		for range 50 {
			form := mixed(secret, rng)
			if got := r.String("<" + form + ">"); got != "<"+Redacted+">" {
				t.Errorf("mixed %q: got %q", form, got)
			}
		}
	}
}

func TestRedactorCredentials(t *testing.T) {
	var r Redactor
	r.AddCredentials("alice", "s3cr3t/+?")
	basic := base64.StdEncoding.EncodeToString([]byte("alice:s3cr3t/+?"))
	for _, in := range []string{
		"X-Echo: Basic " + basic,
		`{"auth":"` + jsonInner("Basic "+basic, true) + `"}`,
		"auth=" + url.QueryEscape(basic),
		"raw: " + base64.RawURLEncoding.EncodeToString([]byte("alice:s3cr3t/+?")),
	} {
		if got := r.String(in); strings.Contains(got, strings.TrimRight(basic, "=")[:8]) {
			t.Errorf("String(%q) = %q", in, got)
		}
	}
	// Secrets are meaningful: another Redactor given them redacts the same.
	var again Redactor
	again.Add(r.Secrets()...)
	in := "Basic " + basic + " and " + url.QueryEscape("s3cr3t/+?")
	if got, want := again.String(in), r.String(in); got != want || strings.Contains(got, "s3cr3t") {
		t.Errorf("redactor from Secrets() %v: %q, want %q", r.Secrets(), got, want)
	}
	if s := r.Secrets(); !slices.Contains(s, "s3cr3t/+?") || !slices.Contains(s, basic) {
		t.Errorf("Secrets() = %v", s)
	}
}

func TestRedactorEmptyFieldsStayVisible(t *testing.T) {
	var r Redactor
	for in, want := range map[string]string{
		"grant_type=client_credentials&client_id=a&client_secret=":  "grant_type=client_credentials&client_id=a&client_secret=",
		"client_secret=&client_id=a":                                "client_secret=&client_id=a",
		`{"client_id":"a","client_secret":""}`:                      `{"client_id":"a","client_secret":""}`,
		"/token?password=&x=1":                                      "/token?password=&x=1",
		"grant_type=client_credentials&client_id=a&client_secret=b": "grant_type=client_credentials&client_id=a&client_secret=" + Redacted,
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactorKeepsText(t *testing.T) {
	var r Redactor
	r.Add("secret", "RED", `\\\\\\\\`)
	for in, want := range map[string]string{
		"no passwords here":                  "no passwords here",
		Redacted + " " + Redacted:            Redacted + " " + Redacted, // idempotent, even with "RED" registered
		"Secret SECRET s%65cret":             "Secret SECRET " + Redacted,
		strings.Repeat(`\`, 40):              Redacted,
		"a&amp;b %zz \\u12 &#xZZ; trailing%": "a&amp;b %zz \\u12 &#xZZ; trailing%",
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	h := r.Header(http.Header{"Authorization": {"Bearer secret"}, "X-Echo": {"s%65cret"}})
	if h.Get("Authorization") != "Bearer "+Redacted || h.Get("X-Echo") != Redacted {
		t.Errorf("Header = %v", h)
	}
}

func TestRedactorInvalidUTF8(t *testing.T) {
	var r Redactor
	secret := "ab\xffcd"
	r.Add(secret)
	for _, in := range []string{secret, url.QueryEscape(secret), "ab%FFcd", "ab%ffcd"} {
		if got := r.String("<" + in + ">"); got != "<"+Redacted+">" {
			t.Errorf("String(%q) = %q", in, got)
		}
	}
	if !utf8.ValidString(r.String("x\xff"+secret)) == utf8.ValidString("x\xff") {
		t.Error("invalid bytes outside a secret changed")
	}
}

// BenchmarkRedactorString redacts a 2 KB JSON body with 20 secrets (and two issued
// tokens) registered: the cost of one evidence body.
func BenchmarkRedactorString(b *testing.B) {
	var r Redactor
	for i := range 18 {
		r.Add(fmt.Sprintf("secret-%02d p@ss&=+%%ü/?#", i))
	}
	tok := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	r.Add(tok, tok[:len(tok)-1])
	var body strings.Builder
	body.WriteString(`{"projects":[`)
	for body.Len() < 2000 {
		body.WriteString(`{"id":"p-123","name":"Project \u00fc \"x\" &amp; 50%","url":"https:\/\/example.com\/a?b=c&d=e%20f"},`)
	}
	body.WriteString(`{"echo":"` + jsonInner("secret-07 p@ss&=+%ü/?#", true) + `"}]}`)
	s := body.String()
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	for range b.N {
		if out := r.String(s); !strings.Contains(out, Redacted) {
			b.Fatal("nothing redacted")
		}
	}
}

// BenchmarkRedactorAdd registers what a run knows of in a fresh Redactor, as a report
// does: four passwords and thirty issued tokens.
func BenchmarkRedactorAdd(b *testing.B) {
	secrets := slices.Clone(canaries[:4])
	for i := range 30 {
		secrets = append(secrets, fmt.Sprintf("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImp0aSI6IiVkIn0.%030d-_sig", i))
	}
	for range b.N {
		var r Redactor
		r.Add(secrets...)
	}
}

// A secret made of characters whose escapes repeat them ("\" as "\\", "%" as "%25")
// against a text of them: matching stays linear, and nothing of the secret is left.
func TestRedactorAmbiguousRuns(t *testing.T) {
	for _, c := range []string{`\`, "%", "&"} {
		var r Redactor
		secret := strings.Repeat(c, 200)
		r.Add(secret)
		got := r.String(strings.Repeat(c, 100_000))
		if rest := strings.ReplaceAll(got, Redacted, ""); len(rest) >= len(secret) {
			t.Errorf("%q: %d bytes left besides %s", c, len(rest), Redacted)
		}
	}
}

// Cut redacts before cutting: the first part of a secret cut in two never shows.
func TestRedactorCut(t *testing.T) {
	var r Redactor
	r.Add("p@ss w0rd&=+%ü/?#")
	text := strings.Repeat("x", 290) + "p@ss w0rd&=+%ü/?#" + strings.Repeat("y", 100)
	got, cut := r.Cut(text, 300)
	if !cut || strings.Contains(got, "p@ss") || len(got) > 300 || !strings.HasSuffix(got, Redacted) {
		t.Errorf("Cut = %q, %v", got, cut)
	}
	if got, cut := r.Cut("short", 300); cut || got != "short" {
		t.Errorf("Cut(short) = %q, %v", got, cut)
	}
}

// Secrets may be added while other goroutines redact (run with -race).
func TestRedactorConcurrent(t *testing.T) {
	var r Redactor
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			r.Add(fmt.Sprintf("token-%03d-secret", i))
		}
	}()
	for i := range 50 {
		_ = r.String(fmt.Sprintf("x token-%03d-secret y", i))
	}
	<-done
	if got := r.String("token-049-secret"); got != Redacted {
		t.Errorf("String = %q", got)
	}
}
