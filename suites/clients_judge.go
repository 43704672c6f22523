package suites

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/wire"
)

// The wire rules of the client checks. Each returns "" when rec keeps the rule, else
// what is wrong with it, in words that never quote a secret or a token.

// formRule is CLIENT-FORM-001: a POST with an application/x-www-form-urlencoded body.
func formRule(rec Recorded) string {
	_, vs := wire.CheckTokenRequest(rec.Method, rec.RawQuery, rec.Header, rec.Body)
	return wire.Messages(vs, wire.RuleForm)
}

// grantRule is CLIENT-FORM-002: grant_type=client_credentials, once.
func grantRule(rec Recorded) string {
	_, vs := wire.CheckTokenRequest(rec.Method, rec.RawQuery, rec.Header, rec.Body)
	return wire.Messages(vs, wire.RuleGrantType)
}

// queryRule is CLIENT-FORM-005: no credentials in the URL (names or the secret itself).
func queryRule(rec Recorded, forms []string) string {
	query, _ := url.ParseQuery(rec.RawQuery)
	for _, name := range []string{"client_id", "client_secret", "grant_type", "password"} {
		if _, ok := query[name]; ok {
			return fmt.Sprintf("%s in the URL query of a request to %s", name, rec.Path)
		}
	}
	for _, f := range forms {
		if strings.Contains(rec.RawQuery, f) || strings.Contains(rec.Path, f) {
			return fmt.Sprintf("the secret in the URL of a request to %s", rec.Path)
		}
	}
	return ""
}

// credentialsRule is CLIENT-FORM-003/004: the form decodes to exactly a's credentials.
func credentialsRule(rec Recorded, a Account) string {
	hint := ""
	if scheme, _, _ := strings.Cut(rec.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Basic") {
		hint = " (credentials sent in an Authorization: Basic header instead: the docs want them in the form body)"
	}
	values, err := url.ParseQuery(string(rec.Body))
	if err != nil {
		return "the body is not valid form encoding: a character such as '%', '&', '+', '#' or a space was sent without percent-encoding"
	}
	ids, secrets := values["client_id"], values["client_secret"]
	switch {
	case len(ids) != 1:
		return fmt.Sprintf("client_id appears %d times in the form body%s", len(ids), hint)
	case len(secrets) != 1:
		return fmt.Sprintf("client_secret appears %d times in the form body%s", len(secrets), hint)
	case ids[0] != a.ClientID:
		return fmt.Sprintf("client_id decodes to %q, not %q", clCut(ids[0], 60), a.ClientID)
	case secrets[0] != a.ClientSecret:
		got := secrets[0]
		switch {
		case !utf8.ValidString(got):
			return "client_secret decodes to bytes that are not UTF-8 (another charset, e.g. ISO-8859-1, instead of UTF-8?)"
		case strings.ReplaceAll(got, " ", "+") == a.ClientSecret || strings.ReplaceAll(a.ClientSecret, "+", " ") == got:
			return "client_secret decodes to a different value: a '+' of the secret was sent unencoded and read back as a space"
		}
		return fmt.Sprintf("client_secret decodes to a different value (%d bytes, the secret has %d)", len(got), len(a.ClientSecret))
	}
	return ""
}

// bearerRule is CLIENT-BEARER-001: RFC 6750 §2.1 syntax.
func bearerRule(rec Recorded) string {
	_, vs := wire.CheckBearer(rec.Header)
	return wire.Messages(vs, wire.RuleBearer)
}

// bearerToken returns the token of a syntactically valid Bearer header, or "".
func bearerToken(h http.Header) string {
	tok, vs := wire.CheckBearer(h)
	if len(vs) > 0 {
		return ""
	}
	return tok
}

// issuedRule is CLIENT-BEARER-002: the Bearer token is one the mock issued, unchanged.
func issuedRule(rec Recorded, issued map[string]bool) string {
	tok := bearerToken(rec.Header)
	if tok == "" {
		return "" // CLIENT-BEARER-001's
	}
	if issued[tok] {
		return ""
	}
	for t := range issued {
		switch {
		case strings.HasPrefix(t, tok):
			return "a truncated token: the start of an issued token, not all of it"
		case strings.Contains(tok, t):
			return "an issued token with extra characters around it"
		}
	}
	return "a token the token endpoint never issued"
}

// leakForms returns the forms in which a secret can show up in a client's output: as
// is, percent-encoded (form, path, %20 for a space), JSON- and Go-quoted, and inside an
// HTTP Basic credential. Forms shorter than 3 bytes are left out.
func leakForms(clientID, secret string) []string {
	if secret == "" {
		return nil
	}
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		strings.ReplaceAll(url.QueryEscape(secret), "+", "%20")}
	if b, err := json.Marshal(secret); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(secret) == nil {
		forms = append(forms, strings.TrimSuffix(strings.TrimSpace(buf.String()), `"`)[1:])
	}
	for _, q := range []string{strconv.Quote(secret), strconv.QuoteToASCII(secret)} {
		forms = append(forms, q[1:len(q)-1])
	}
	forms = append(forms,
		base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID)+":"+url.QueryEscape(secret))))
	out := forms[:0]
	seen := map[string]bool{}
	for _, f := range forms {
		if len(f) >= 3 && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// findLeak returns the 1-based line of output holding one of forms, or 0.
func findLeak(output []byte, forms []string) (int, string) {
	for _, f := range forms {
		if i := bytes.Index(output, []byte(f)); i >= 0 {
			line := bytes.Count(output[:i], []byte("\n")) + 1
			start := bytes.LastIndexByte(output[:i], '\n') + 1
			end := bytes.IndexByte(output[i:], '\n')
			if end < 0 {
				end = len(output) - i
			}
			return line, string(output[start : i+end])
		}
	}
	return 0, ""
}

// isTokenRequest reports whether rec went to the token endpoint.
func isTokenRequest(rec Recorded) bool { return rec.Path == spec.TokenPath }

// clCut shortens s to n bytes on a rune boundary, marking the cut.
func clCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
