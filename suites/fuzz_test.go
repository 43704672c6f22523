package suites

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"
)

// FuzzResp feeds the response helpers what a hostile target could answer: they must
// never panic, and a token is only ever taken from a 200 JSON object.
func FuzzResp(f *testing.F) {
	f.Add(200, "application/json;charset=UTF-8", []byte(`{"access_token":"eyJ.a.b","token_type":"Bearer","expires_in":3600}`))
	f.Add(200, "application/json", []byte(`{"access_token":12,"expires_in":"3600"}`))
	f.Add(200, `text/html; charset="`, []byte("<html>"))
	f.Add(401, "application/problem+json", []byte(`{"error":"unauthorized_client","error_description":"Bad credentials"}`))
	f.Add(200, "application/json", []byte("null"))
	f.Add(200, "application/json", []byte(`{"access_token":"\ud800","x":1e999999}`))
	f.Add(500, "", []byte(strings.Repeat("\xff", 400)))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		r := &reply{Status: status, Header: http.Header{"Content-Type": {contentType}}, Body: body}
		_ = r.MediaType()
		_ = r.IsJSON()
		_ = r.Summary()
		if _, err := r.Object(); err == nil && len(strings.TrimSpace(string(body))) == 0 {
			t.Fatal("Object accepted an empty body")
		}
		if tok, ok := r.AccessToken(); ok && (status != http.StatusOK || tok == "") {
			t.Fatalf("AccessToken = %q from a %d answer", tok, status)
		}
	})
}

// FuzzParseHeader checks that --fault-header accepts only what can be sent as a header.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"X-Apiops-Mock-Fault: server_error", "X-Fault:", ": v", "Bad Name: v", "X: a\r\nInjected: b", "X(y): z", "ü: v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, value, err := parseHeader(s)
		if err != nil {
			return
		}
		if !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(value) {
			t.Fatalf("parseHeader(%q) accepted name %q value %q", s, name, value)
		}
	})
}
