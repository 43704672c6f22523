package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
)

// field is one form parameter, encoded in order (url.Values would sort and merge them).
type field struct{ name, value string }

// form encodes fields as application/x-www-form-urlencoded, a space as '+'.
func form(fields ...field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = url.QueryEscape(f.name) + "=" + url.QueryEscape(f.value)
	}
	return strings.Join(parts, "&")
}

// credentials returns the documented three fields for an account.
func credentials(a Account) []field {
	return []field{{"grant_type", "client_credentials"}, {"client_id", a.ClientID}, {"client_secret", a.ClientSecret}}
}

// headers builds a header set from name, value pairs.
func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// tokenRequest is a POST of body to the token endpoint with the documented headers.
func tokenRequest(step, body string) request {
	return request{step: step, method: http.MethodPost, path: spec.TokenPath,
		header: headers("Content-Type", formType, "Accept", jsonType), body: body}
}

// documented is the documented request for the configured account.
func (t *T) documented(step string) request {
	return tokenRequest(step, form(credentials(t.st.cfg.Account)...))
}

// token obtains a token with the documented request; anything but a 200 with a
// non-empty access_token fails the check. It returns the token and the answer.
func (t *T) token() (string, *Resp) {
	resp := t.send(t.documented("obtain a token"))
	tok, ok := resp.AccessToken()
	t.Expect(ok, "a 200 answer with an access_token to the documented token request (needed by this check)")
	return tok, resp
}

// protected sends a GET to the protected path with the given Authorization header
// value ("" for none).
func (t *T) protected(step, authorization string) *Resp {
	h := headers("Accept", jsonType)
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	return t.send(request{step: step, method: http.MethodGet, path: t.st.cfg.ProtectedPath, header: h})
}

// expectStatus fails unless the answer arrived with the given status.
func (t *T) expectStatus(resp *Resp, status int, what string) {
	t.Expect(resp.Err == nil && resp.Status == status, "%d %s for %s", status, http.StatusText(status), what)
}

// expect4xx fails unless the answer is a complete 4xx without an access_token.
func (t *T) expect4xx(resp *Resp, what string) {
	_, issued := resp.AccessToken()
	t.Expect(resp.Err == nil && resp.Status >= 400 && resp.Status < 500 && !issued,
		"a 4xx answer, no token and no 5xx, for %s", what)
}

// errorBody checks an error answer: the status, a JSON media type, an "error" code among
// codes and an error_description string. It returns the decoded body.
func (t *T) errorBody(resp *Resp, status int, what string, codes ...string) spec.ErrorBody {
	want := fmt.Sprintf("%d with a JSON error body {\"error\": %s, \"error_description\": \"…\"} for %s", status, quoteAll(codes), what)
	t.Expect(resp.Err == nil && resp.Status == status, "%s", want)
	t.Expect(resp.IsJSON(), "%s; the Content-Type is not JSON", want)
	m, err := resp.Object()
	t.Expect(err == nil, "%s; the %v", want, err)
	code, _ := m["error"].(string)
	t.Expect(slices.Contains(codes, code), "%s; \"error\" is %s", want, jsonText(m["error"]))
	desc, ok := m["error_description"].(string)
	t.Expect(ok, "%s; \"error_description\" is %s, not a string", want, jsonText(m["error_description"]))
	return spec.ErrorBody{Error: code, Description: desc}
}

func quoteAll(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = fmt.Sprintf("%q", c)
	}
	return strings.Join(q, " or ")
}

// jsonText renders a decoded JSON value for a message; "missing" for an absent one.
func jsonText(v any) string {
	if v == nil {
		return "missing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// errorf is fmt.Errorf, for describing a violation.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
