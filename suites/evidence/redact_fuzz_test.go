package evidence

import (
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedactor checks that no encoding of a random secret survives String, whatever
// text surrounds it, and that String never panics on arbitrary text.
func FuzzRedactor(f *testing.F) {
	for i, c := range canaries {
		f.Add(c, "client_secret=", "&x=1", uint64(i))
	}
	f.Add("abc", "", "", uint64(0))
	f.Add(`\\\`, `"\`, `\"`, uint64(7))
	f.Fuzz(func(t *testing.T, secret, before, after string, seed uint64) {
		if len(secret) < minSecret || !utf8.ValidString(secret) || strings.ContainsRune(secret, 0) ||
			strings.Contains(Redacted, secret) {
			return
		}
		var r Redactor
		r.Add(secret)
		_ = r.String(before + secret[:len(secret)/2] + after) // any text: no panic
		rng := rand.New(rand.NewPCG(seed, uint64(len(secret))))
		forms := []string{mixed(secret, rng)}
		for _, enc := range encoders {
			forms = append(forms, enc(secret))
		}
		for _, form := range forms {
			got := r.String(before + form + after)
			if strings.Contains(got, form) {
				t.Fatalf("secret %q: form %q survives in %q", secret, form, got)
			}
		}
	})
}

// FuzzCurl checks that no form of a secret shows in a reproduction, whatever the body,
// header and query that carry it.
func FuzzCurl(f *testing.F) {
	f.Add("p@ss w0rd&=+%ü/?#", "client_secret=%s&x=1", "Bearer %s", "a=%s", uint8(0))
	f.Add("alice-secret", `{"client_secret":"%s"}`, "%s", "", uint8(1))
	f.Add(`q"u<o>&t e`, "%s", "Basic %s", "client_secret=%s", uint8(2))
	types := []string{"application/x-www-form-urlencoded", "application/json", "text/plain", ""}
	f.Fuzz(func(t *testing.T, secret, body, header, query string, kind uint8) {
		// Quoting adds ' and \ to a command: a secret made of them could appear from it.
		if len(secret) < minSecret || len(secret) > 256 || !utf8.ValidString(secret) ||
			strings.ContainsAny(secret, "'\\\x00") || len(body) > 4096 {
			return
		}
		var check Redactor
		check.AddCredentials("alice", secret)
		fill := func(s string) string {
			return strings.ReplaceAll(s, "%s", [...]string{secret, url.QueryEscape(secret)}[kind%2])
		}
		c := &Curl{Redactor: &check}
		c.User("APIOPS_CLIENT_ID", "alice")
		c.Env("APIOPS_CLIENT_SECRET", secret)
		h := http.Header{"Content-Type": {types[int(kind)%len(types)]}}
		if strings.Contains(header, "Basic") {
			header = "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+secret))
		}
		h.Set("Authorization", fill(header))
		// Every literal of the command is checked: the rest is shell syntax and
		// references, where the secret may only appear by chance ("--data-raw 00" holds
		// the secret " 00").
		b := c.build(CurlRequest{Method: "POST", URL: "http://h/p?" + fill(query), Header: h, Body: fill(body)}, []string{"curl"})
		for _, lit := range b.literals {
			if got := check.replace(lit); got != lit {
				t.Fatalf("a form of %q shows in the literal %q of\n%s", secret, lit, b.out)
			}
		}
	})
}
