package evidence

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

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
