package evidence

import (
	"cmp"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Curl builds copy-pasteable POSIX-shell curl commands that reproduce requests, with
// secrets and tokens as references to environment variables ("$APIOPS_CLIENT_SECRET",
// "$TOKEN") in whatever encoding the request carried them: a form field is sent with
// --data-urlencode so curl encodes the shell's value; a query or a JSON string is
// encoded by jq; HTTP Basic credentials become -u "$APIOPS_CLIENT_ID:$APIOPS_CLIENT_SECRET".
// A secret the references do not cover never shows literally: every literal goes
// through Redactor, and a command that had to redact says so in a comment.
//
// The commands need curl (7.43 or later, for --data-raw), and jq where a secret travels
// in a query or a JSON body, or where a token is obtained first (WithToken). A Curl is
// not safe for concurrent use.
type Curl struct {
	// Redactor redacts what the references do not cover; nil redacts only
	// secret-carrying fields.
	Redactor *Redactor
	vars     []shellVar
}

// shellVar is an environment variable the commands reference.
type shellVar struct {
	name, value string
	secret      bool // referenced wherever the value occurs; else only as a whole field or user
}

// CurlRequest is a request to reproduce, as sent: not redacted.
type CurlRequest struct {
	Method string
	URL    string
	Header http.Header
	Body   string
}

// Env declares that environment variable name holds the secret value (a password or a
// token): every occurrence of value becomes a reference to it. Declaring a name again
// changes its value (for example "TOKEN", the token of the current check).
func (c *Curl) Env(name, value string) { c.set(shellVar{name: name, value: value, secret: true}) }

// User declares that environment variable name holds the client id value: a form or
// query field whose whole value it is, and the user of HTTP Basic credentials, reference
// it. It is not a secret: elsewhere it is shown.
func (c *Curl) User(name, value string) { c.set(shellVar{name: name, value: value}) }

func (c *Curl) set(v shellVar) {
	c.vars = slices.DeleteFunc(c.vars, func(o shellVar) bool { return o.name == v.name })
	if v.value == "" {
		return
	}
	c.vars = append(c.vars, v)
	// Longest value first, so a secret holding another is referenced whole.
	slices.SortStableFunc(c.vars, func(a, b shellVar) int { return cmp.Compare(len(b.value), len(a.value)) })
}

// Command returns a curl command reproducing r, printing the answer's status line and
// headers before its body (-i).
func (c *Curl) Command(r CurlRequest) string {
	return c.command(r, []string{"curl", "-sS", "-i"})
}

// WithToken returns a script that obtains a token with tokenReq into the shell variable
// TOKEN (jq -e fails, and stops the script, when the answer has no access_token), then
// runs call, whose token must have been declared with Env("TOKEN", …).
func (c *Curl) WithToken(tokenReq, call CurlRequest) string {
	get := c.build(tokenReq, []string{"curl", "-sS"})
	then := c.build(call, []string{"curl", "-sS", "-i"})
	return comment(get.redacted || then.redacted) +
		"TOKEN=$(" + get.out + " | jq -er .access_token) &&\n" + then.out
}

// command renders r after the given leading words, one option per line.
func (c *Curl) command(r CurlRequest, lead []string) string {
	b := c.build(r, lead)
	return comment(b.redacted) + b.out
}

// comment is the line that says a command had to redact a value.
func comment(redacted bool) string {
	if !redacted {
		return ""
	}
	return "# Some values were redacted: this command does not reproduce the request exactly.\n"
}

// build renders r after the given leading words into the returned builder's output.
func (c *Curl) build(r CurlRequest, lead []string) *builder {
	b := &builder{c: c}
	var lines []string
	method := cmp.Or(strings.ToUpper(r.Method), http.MethodGet)
	switch {
	case method == http.MethodHead:
		lead = append(lead, "-I")
	case method != http.MethodGet || r.Body != "":
		lead = append(lead, "-X", b.render(word{}.lit(method)))
	}
	lines = append(lines, strings.Join(append(lead, b.url(r.URL)), " "))
	lines = append(lines, b.headers(r.Header, r.Body != "" || hasBody(method))...)
	lines = append(lines, b.body(r)...)
	b.out = strings.Join(lines, " \\\n  ")
	return b
}

// hasBody reports whether a request with this method carries a (possibly empty) body.
func hasBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// builder renders the words of one command.
type builder struct {
	c        *Curl
	redacted bool     // a literal had to be redacted
	literals []string // the literals shown, for tests
	out      string   // the command, without the comment of a redaction
}

// next finds the first raw occurrence of a secret in text.
func (c *Curl) next(text string) (int, *shellVar) {
	at, found := -1, (*shellVar)(nil)
	for i := range c.vars {
		v := &c.vars[i]
		if !v.secret {
			continue
		}
		if j := strings.Index(text, v.value); j >= 0 && (at < 0 || j < at) {
			at, found = j, v
		}
	}
	return at, found
}

// field returns the variable whose value is exactly value: a secret, or a client id.
func (c *Curl) field(value string) *shellVar {
	for i := range c.vars {
		if c.vars[i].value == value {
			return &c.vars[i]
		}
	}
	return nil
}

// url renders the URL; a query field whose decoded value is a variable's is encoded by jq.
func (b *builder) url(raw string) string {
	base, query, ok := strings.Cut(raw, "?")
	if !ok {
		return b.render(word{}.text(b.c, raw))
	}
	w := word{}.text(b.c, base+"?")
	for i, pair := range strings.Split(query, "&") {
		if i > 0 {
			w = w.lit("&")
		}
		name, value, _ := strings.Cut(pair, "=")
		dec, err := url.QueryUnescape(value)
		if v := b.c.field(dec); err == nil && value != "" && v != nil {
			w = w.text(b.c, name+"=").expr(uriRef(v.name))
			continue
		}
		w = w.text(b.c, pair)
	}
	return b.render(w)
}

// headers renders one -H per value, in name order. curl's own Accept and Content-Type
// are removed when the request had none; Host and Content-Length are curl's to set.
func (b *builder) headers(h http.Header, body bool) []string {
	var lines []string
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		canonical := http.CanonicalHeaderKey(name)
		if canonical == "Host" || canonical == "Content-Length" {
			continue
		}
		for _, value := range h[name] {
			lines = append(lines, b.header(name, value))
		}
	}
	if h.Get("Accept") == "" {
		lines = append(lines, "-H "+quote("Accept:"))
	}
	if body && h.Get("Content-Type") == "" {
		lines = append(lines, "-H "+quote("Content-Type:"))
	}
	return lines
}

// header renders one header: Basic credentials as -u, a sensitive value whose secret is
// not a variable reduced to its scheme.
func (b *builder) header(name, value string) string {
	if value == "" {
		return "-H " + b.render(word{}.lit(name+";"))
	}
	canonical := http.CanonicalHeaderKey(name)
	if canonical == "Authorization" {
		if u := b.basic(value); u != "" {
			return "-u " + u
		}
	}
	if slices.Contains(sensitiveHeaders, canonical) && !b.covered(value) {
		scheme, _, ok := strings.Cut(value, " ")
		if !ok || len(scheme) >= 20 {
			scheme = ""
		}
		b.redacted = true
		return "-H " + b.render(word{}.lit(name+": "+strings.TrimSpace(scheme+" "+Redacted)))
	}
	return "-H " + b.render(word{}.text(b.c, name+": "+value))
}

// covered reports whether a sensitive header value is a scheme and secrets only.
func (b *builder) covered(value string) bool {
	_, cred, ok := strings.Cut(value, " ")
	if !ok {
		cred = value
	}
	for cred != "" {
		i, v := b.c.next(cred)
		if v == nil || strings.TrimSpace(cred[:i]) != "" {
			return false
		}
		cred = cred[i+len(v.value):]
	}
	return true
}

// basic renders "Basic base64(user:secret)" as a -u word when the secret is a variable.
func (b *builder) basic(value string) string {
	scheme, cred, ok := strings.Cut(value, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return ""
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return ""
	}
	user, pass, ok := strings.Cut(string(dec), ":")
	secret := b.c.field(pass)
	if !ok || secret == nil || !secret.secret {
		return ""
	}
	if v := b.c.field(user); v != nil && user != "" {
		return `"$` + v.name + `:$` + secret.name + `"`
	}
	return b.render(word{}.text(b.c, user+":").expr(ref(secret.name)))
}

// body renders the body: a form field by field, so a secret field is sent with
// --data-urlencode; a JSON body with its secret strings encoded by jq; anything else as
// one --data-raw word.
func (b *builder) body(r CurlRequest) []string {
	if r.Body == "" {
		if hasBody(strings.ToUpper(r.Method)) {
			return []string{"--data-raw ''"}
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/x-www-form-urlencoded":
		// Field by field when that redacts nothing the whole body would not.
		fields := &builder{c: b.c}
		if lines, ok := fields.form(r.Body); ok && !fields.redacted {
			b.literals = append(b.literals, fields.literals...)
			return lines
		}
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return []string{"--data-raw " + b.json(r.Body)}
	}
	return []string{"--data-raw " + b.render(word{}.text(b.c, r.Body))}
}

// form renders a form body field by field (curl joins them with "&"), or reports that
// it cannot (an empty field would be lost).
func (b *builder) form(body string) ([]string, bool) {
	var lines []string
	for _, pair := range strings.Split(body, "&") {
		if pair == "" {
			return nil, false
		}
		name, value, _ := strings.Cut(pair, "=")
		dec, err := url.QueryUnescape(value)
		v := b.c.field(dec)
		switch {
		case err != nil || value == "" || v == nil:
			lines = append(lines, "--data-raw "+b.render(word{}.text(b.c, pair)))
		case name == "" || strings.ContainsAny(name, "@="):
			// curl reads "=content" as content alone and "n@me=…" as a file name.
			lines = append(lines, "--data-raw "+b.render(word{}.text(b.c, name+"=").expr(uriRef(v.name))))
		default:
			lines = append(lines, "--data-urlencode "+b.render(word{}.text(b.c, name+"=").expr(ref(v.name))))
		}
	}
	return lines, true
}

// json renders a JSON body as one word, each string that is a variable's whole value
// encoded by jq.
func (b *builder) json(body string) string {
	var w word
	for body != "" {
		at, n, name := -1, 0, ""
		for _, v := range b.c.vars {
			for _, html := range []bool{true, false} {
				q := `"` + jsonString(v.value, html) + `"`
				if i := strings.Index(body, q); i >= 0 && (at < 0 || i < at) {
					at, n, name = i, len(q), v.name
				}
			}
		}
		if at < 0 {
			w = w.text(b.c, body)
			break
		}
		w = w.text(b.c, body[:at]).expr(jsonRef(name))
		body = body[at+n:]
	}
	return b.render(w)
}
