package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// The canary matrix: a hostile target echoes every secret it receives, and every token,
// in every encoding a secret takes (raw, percent-, JSON-, HTML-escaped, base64 of HTTP
// Basic, two encodings stacked, one per character), in its bodies and its headers, on
// the token endpoint and the protected path. No encoded form of any canary may reach
// any output of the run.

// canary is an account whose password holds the characters encodings change. Each has
// an alphanumeric core no encoding changes except escaping every character, so a cut
// secret (a prefix left at a truncation) shows too.
type canary struct {
	role, user, secret, core string
}

var canaryAccounts = []canary{
	{"main", "canary-main", `ZqMainCore"q\b/s<a>&p+%20 ü€`, "ZqMainCore"},
	{"special", "canary-special", `sp ec"\/+%&<>ial ö😀 XkSpecialCore`, "XkSpecialCore"},
	{"disabled", "canary-disabled", `dis<abled>&"\ +%/ Wd7DisabledCore`, "Wd7DisabledCore"},
	{"locked", "canary-locked", `Vb3LockedCore lo"ck\ed/<&>+%é`, "Vb3LockedCore"},
}

// canaryEncodings render a secret as hostile targets and careless code echo it.
var canaryEncodings = []struct {
	name string
	enc  func(string) string
}{
	{"raw", func(s string) string { return s }},
	{"query", url.QueryEscape},
	{"query %20", func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }},
	{"query lower-case", func(s string) string { return lowerPercent(url.QueryEscape(s)) }},
	{"path", url.PathEscape},
	{"json", func(s string) string { return jsonText(s, true) }},
	{"json without html", func(s string) string { return jsonText(s, false) }},
	{"json \\u lower", func(s string) string { return escapeUTF16(s, `\u%04x`) }},
	{"json \\u upper", func(s string) string { return escapeUTF16(s, `\u%04X`) }},
	{"json \\/", func(s string) string { return strings.ReplaceAll(jsonText(s, false), "/", `\/`) }},
	{"html", html.EscapeString},
	{"html/template", template.HTMLEscapeString},
	{"entities", func(s string) string { return escapeRunes(s, "&#%d;") }},
	{"hex entities", func(s string) string { return escapeRunes(s, "&#x%x;") }},
	{"html of json", func(s string) string { return template.HTMLEscapeString(jsonText(s, true)) }},
	{"json of html", func(s string) string { return jsonText(html.EscapeString(s), true) }},
	{"query of json", func(s string) string { return url.QueryEscape(jsonText(s, false)) }},
	{"mixed", mixedEncoding},
}

func jsonText(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `"`), `"`)
}

func escapeUTF16(s, verb string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, verb, u)
	}
	return b.String()
}

func escapeRunes(s, verb string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, verb, c)
	}
	return b.String()
}

func lowerPercent(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = bytes.ToLower(b[i+1 : i+2])[0], bytes.ToLower(b[i+2 : i+3])[0]
		}
	}
	return string(b)
}

// mixedEncoding encodes each character differently, in turn.
func mixedEncoding(s string) string {
	var b strings.Builder
	i := 0
	for _, c := range s {
		switch i % 4 {
		case 0:
			b.WriteString(url.QueryEscape(string(c)))
		case 1:
			b.WriteString(escapeUTF16(string(c), `\u%04X`))
		case 2:
			b.WriteString(escapeRunes(string(c), "&#%d;"))
		default:
			b.WriteString(string(c))
		}
		i++
	}
	return b.String()
}

// echoer wraps the mock: every answer of the token endpoint and the protected path
// carries the received client_secret, Authorization and body, and the main canary, in
// every encoding — in headers (those a header can hold) and after the body.
func echoer(next http.Handler, main canary) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != spec.TokenPath && r.URL.Path != spec.ProjectsPath {
			next.ServeHTTP(w, r)
			return
		}
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(raw))
		echoed := []string{main.secret, string(raw), r.URL.RawQuery}
		if form, err := url.ParseQuery(string(raw)); err == nil && form.Get("client_secret") != "" {
			echoed = append(echoed, form.Get("client_secret"))
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			echoed = append(echoed, auth)
			if _, cred, ok := strings.Cut(auth, " "); ok {
				echoed = append(echoed, cred)
				if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
					echoed = append(echoed, string(dec))
				}
			}
		}
		rec := recorded(next, r)
		var body bytes.Buffer
		body.Write(rec.Body.Bytes())
		for i, s := range echoed {
			if s == "" {
				continue
			}
			for _, e := range canaryEncodings {
				form := e.enc(s)
				fmt.Fprintf(&body, "\necho %d %s: %s", i, e.name, form)
				if !strings.ContainsAny(form, "\r\n") {
					rec.Header().Add(fmt.Sprintf("X-Echo-%d-%s", i, strings.NewReplacer(" ", "-", `\`, "", "/", "").Replace(e.name)), form)
				}
			}
		}
		replay(w, rec, body.Bytes())
	})
}

// inOutput returns form as it reads in outputs that escape it again: as is, in JSON
// (conformance.json), in HTML or XML (report.html, junit.xml).
func inOutput(form string) []string {
	var out []string
	for _, f := range []string{form, jsonText(form, true), jsonText(form, false), template.HTMLEscapeString(form), html.EscapeString(form), xmlText(form)} {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// leakCount counts, in each output, the occurrences of each encoded form of each canary
// (as the output escapes it), of its core, and of each issued token.
func leakCount(outputs map[string]string, toks []string) (total int, rows []string) {
	type needle struct{ kind, s string }
	var needles []needle
	for _, c := range canaryAccounts {
		for _, e := range canaryEncodings {
			for _, f := range inOutput(e.enc(c.secret)) {
				needles = append(needles, needle{"secret " + e.name, f})
			}
		}
		needles = append(needles, needle{"secret core (a part of a secret)", c.core})
		for _, f := range inOutput(base64.StdEncoding.EncodeToString([]byte(c.user + ":" + c.secret))) {
			needles = append(needles, needle{"basic", f})
		}
	}
	for _, tok := range toks {
		needles = append(needles, needle{"token", tok}, needle{"token part", tok[len(tok)/2 : len(tok)/2+16]})
		for _, verb := range []string{`\u%04x`, `\u%04X`} {
			for _, f := range inOutput(escapeUTF16(tok, verb)) {
				needles = append(needles, needle{"token \\u", f})
			}
		}
		for _, f := range inOutput(escapeRunes(tok, "&#%d;")) {
			needles = append(needles, needle{"token entities", f})
		}
	}
	seen := map[string]bool{} // a string shared by two encodings counts once
	needles = slices.DeleteFunc(needles, func(n needle) bool {
		dup := seen[n.s]
		seen[n.s] = true
		return dup
	})
	names := make([]string, 0, len(outputs))
	for k := range outputs {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		counts := map[string]int{}
		for _, n := range needles {
			counts[n.kind] += strings.Count(outputs[name], n.s)
		}
		kinds := make([]string, 0, len(counts))
		for k := range counts {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			if n := counts[k]; n > 0 {
				total += n
				rows = append(rows, fmt.Sprintf("%s: %s ×%d", name, k, n))
			}
		}
	}
	return total, rows
}

func TestCanaryMatrix(t *testing.T) {
	t.Parallel()
	users := fixtures.Default()
	users.Users = nil
	for _, c := range canaryAccounts {
		users.Users = append(users.Users, fixtures.User{Username: c.user, Password: c.secret,
			Disabled: c.role == "disabled", Locked: c.role == "locked"})
	}
	issued := &tokens{}
	mock := mockserver.New(mockserver.Config{Users: users, TokenTTL: time.Hour, Control: true})
	h := echoer(mock, canaryAccounts[0])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded(h, r)
		if r.URL.Path == spec.TokenPath && rec.Code == 200 {
			var m map[string]any
			if json.NewDecoder(bytes.NewReader(rec.Body.Bytes())).Decode(&m) == nil {
				if tok, ok := m["access_token"].(string); ok {
					issued.add(tok)
				}
			}
		}
		replay(w, rec, nil)
	}))
	defer srv.Close()

	env := canaryEnv()
	dir := t.TempDir()
	if d := os.Getenv("CANARY_KEEP_DIR"); d != "" {
		dir = d
	}
	o := runBinary(t, 120*time.Second, env, "run", "--base-url", srv.URL, "--control-url", srv.URL,
		"--timeout", "5s", "--strict=owasp", "--report-dir", dir)
	if o.code != 1 {
		t.Errorf("exit %d, want 1 (the echoes break TOKEN-ROBUST-004, gating under --strict=owasp)\nstderr:\n%s", o.code, o.stderr)
	}
	issued.mu.Lock()
	toks := slices.Clone(issued.all)
	issued.mu.Unlock()
	if len(toks) < 5 {
		t.Fatalf("only %d tokens issued: the matrix did not reach the protected path\n%s", len(toks), o.stdout)
	}
	outputs := map[string]string{"stdout": o.stdout, "stderr": o.stderr}
	for _, f := range []string{"conformance.json", "junit.xml", "summary.md", "report.html"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		outputs[f] = string(data)
	}
	total, rows := leakCount(outputs, toks)
	t.Logf("canary matrix: %d tokens issued, %d occurrences of a canary or token in the outputs", len(toks), total)
	for _, row := range rows {
		t.Error(row)
	}
}

// TestCanaryTruncation: a target answering every refused token request with the secret
// it received just before byte 300 of its body, where failure messages cut the answer.
// A cut made before redacting leaves the first part of the secret in the outputs.
func TestCanaryTruncation(t *testing.T) {
	t.Parallel()
	users := fixtures.Default()
	users.Users = nil
	for _, c := range canaryAccounts {
		users.Users = append(users.Users, fixtures.User{Username: c.user, Password: c.secret,
			Disabled: c.role == "disabled", Locked: c.role == "locked"})
	}
	mock := mockserver.New(mockserver.Config{Users: users, TokenTTL: time.Hour, Control: true})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != spec.TokenPath {
			mock.ServeHTTP(w, r)
			return
		}
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(raw))
		rec := recorded(mock, r)
		form, _ := url.ParseQuery(string(raw))
		secret := form.Get("client_secret")
		if rec.Code == http.StatusOK || secret == "" {
			replay(w, rec, nil)
			return
		}
		head := `{"error":"invalid_client","error_description":"Bad credentials","pad":"`
		tail := `","echo":"`
		pad := strings.Repeat("x", 282-len(head)-len(tail))
		replay(w, rec, []byte(head+pad+tail+jsonText(secret, true)+`"}`))
	}))
	defer srv.Close()
	env := canaryEnv()
	dir := t.TempDir()
	o := runBinary(t, 120*time.Second, env, "run", "--base-url", srv.URL, "--control-url", srv.URL,
		"--timeout", "5s", "--report-dir", dir)
	outputs := map[string]string{"stdout": o.stdout, "stderr": o.stderr}
	for _, f := range []string{"conformance.json", "junit.xml", "summary.md", "report.html"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("%s: %v\n%s", f, err, o.stderr)
		}
		outputs[f] = string(data)
	}
	total, rows := leakCount(outputs, nil)
	t.Logf("truncation: %d occurrences of a canary (or a part of one) in the outputs", total)
	if total > 0 { // every cut of a text must come after its redaction (evidence.Redactor.Cut)
		t.Errorf("a secret cut in two shows: %s", strings.Join(rows, "; "))
	}
}

// canaryEnv gives the canary accounts to the run as APIOPS_[ROLE_]CLIENT_ID/SECRET.
func canaryEnv() []string {
	var env []string
	for _, c := range canaryAccounts {
		prefix := "APIOPS_" + strings.ToUpper(c.role) + "_"
		if c.role == "main" {
			prefix = "APIOPS_"
		}
		env = append(env, prefix+"CLIENT_ID="+c.user, prefix+"CLIENT_SECRET="+c.secret)
	}
	return env
}
