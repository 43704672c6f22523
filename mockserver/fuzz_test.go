package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// FuzzTokenEndpoint sends arbitrary bodies, Content-Types and queries to the token
// endpoint (no fault injected). The mock must never panic or answer 5xx; every answer
// must be a JSON error or a token response that the contract accepts; and a token may
// only be issued for a well-formed form with an active user's exact credentials.
func FuzzTokenEndpoint(f *testing.F) {
	bobBody := "grant_type=client_credentials&client_id=bob&client_secret=p%40ss+w0rd%26%3D%2B%25%C3%BC%2F%3F%23"
	seeds := []struct{ contentType, query, body string }{
		{formType, "", credentials(alice, aliceSecret)},
		{formType, "", bobBody},
		{formType + "; charset=UTF-8", "", bobBody},
		{formType, "", "grant_type=client_credentials&client_id=bob&client_secret=p@ss w0rd&=+%ü/?#"},
		{formType, "", "grant_type=client_credentials&client_id=alice&client_secret=%zz"},
		{formType, "", "grant_type=client_credentials&client_id=alice&client_secret=%"},
		{formType, "", credentials(alice, aliceSecret) + "&client_id=alice"},
		{formType, "", credentials(alice, aliceSecret) + "&scope=x&scope=y"},
		{formType, "", "grant_type=password&client_id=alice&client_secret=alice-secret"},
		{formType, "", "client_id=carol&client_secret=carol-secret&grant_type=client_credentials"},
		{formType, "", "grant_type=client_credentials&client_id=alice&client_secret=\xc3\x28"},
		{formType, "", "grant_type=client_credentials&client_id=%C3%28&client_secret=x"},
		{formType, "", "grant_type=client_credentials;client_id=alice"},
		{formType, "", "&&&==&="},
		{formType, "", ""},
		{formType, "client_secret=alice-secret", "grant_type=client_credentials&client_id=alice"},
		{formType, "%zz", credentials(alice, aliceSecret)},
		{"application/json", "", `{"grant_type":"client_credentials","client_id":"alice","client_secret":"alice-secret"}`},
		{"", "", credentials(alice, aliceSecret)},
		{"text/plain", "", credentials(alice, aliceSecret)},
		{formType + "; charset=latin1", "", credentials(alice, aliceSecret)},
		{"application/x-www-form-urlencoded;;", "", credentials(alice, aliceSecret)},
		// Huge-ish, but well under the 64 KiB limit: inputs near it make the fuzzer's
		// minimisation crawl; TestTokenEndpoint covers the 413.
		{formType, "", strings.Repeat("a=b&", 1000) + credentials(alice, aliceSecret)},
	}
	for _, s := range seeds {
		f.Add(s.contentType, s.query, s.body)
	}
	srv := mockserver.New(mockserver.Config{TokenTTL: time.Hour})
	f.Fuzz(func(t *testing.T, contentType, query, body string) {
		req := httptest.NewRequest(http.MethodPost, spec.TokenPath, strings.NewReader(body))
		req.URL.RawQuery = query
		req.RequestURI = ""
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		status, resBody := rec.Code, rec.Body.Bytes()
		if status >= 500 {
			t.Fatalf("status %d without an injected fault: %s", status, resBody)
		}
		checkResponse(t, req, status, rec.Header(), resBody)
		if status != http.StatusOK {
			return
		}
		var tr tokenResponse
		if err := json.Unmarshal(resBody, &tr); err != nil || tr.AccessToken == "" || tr.TokenType != "Bearer" {
			t.Fatalf("200 with body %s", resBody)
		}
		// A token: the form must be well-formed and carry an active user's credentials.
		form, err := url.ParseQuery(body)
		if err != nil || !strings.HasPrefix(strings.ToLower(contentType), formType) {
			t.Fatalf("token for a malformed request: Content-Type %q body %q (%v)", contentType, body, err)
		}
		id, secret := form.Get("client_id"), form.Get("client_secret")
		if !(id == alice && secret == aliceSecret) && !(id == bob && secret == bobSecret) {
			t.Fatalf("token for client_id %q", id)
		}
		if len(form["client_id"]) != 1 || len(form["client_secret"]) != 1 || len(form["grant_type"]) != 1 {
			t.Fatalf("token for a repeated parameter: %q", body)
		}
		if q, _ := url.ParseQuery(query); q.Has("client_secret") || q.Has("client_id") || q.Has("grant_type") {
			t.Fatalf("token with credentials in the query %q", query)
		}
	})
}

// FuzzControlAPI sends arbitrary JSON to each control endpoint: never a panic, never a
// 5xx, always JSON, and a refused request leaves the token lifetime alone.
func FuzzControlAPI(f *testing.F) {
	paths := []string{"/_mock/clock/advance", "/_mock/revoke", "/_mock/faults", "/_mock/reset", "/_mock/journal", "/_mock/", "/_mock/token-ttl"}
	for i, body := range []string{`{"by":"90m"}`, `{"token":"x"}`, `{"client_id":"alice"}`, `{"fail_next_tokens":1,"latency":"150ms"}`,
		``, `{}`, `null`, `[]`, `{"by":"1h"}{}`, `{"by":"9223372036854775807ns"}`, `{"latency":"1e3s"}`, `{"fail_next_tokens":1.5}`, "{\"by\":\"\xff\"}"} {
		f.Add(uint8(i), body)
	}
	for _, body := range []string{`{"ttl":"0s"}`, `{"ttl":"1h"}`, `{"ttl":"500ms"}`, `{"ttl":"-1s"}`, `{"ttl":"2562047h"}`, `{"ttl":null}`, `{"ttl":0}`} {
		f.Add(uint8(6), body) // /_mock/token-ttl
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		srv := mockserver.New(mockserver.Config{Control: true})
		path := paths[int(which)%len(paths)]
		method := http.MethodPost
		if path == "/_mock/" || (path == "/_mock/journal" && which%2 == 0) {
			method = http.MethodGet
		}
		req := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:50000"
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		checkResponse(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("not JSON: %s", rec.Body)
		}
		st := srv.State()
		unchanged := int64(mockserver.DefaultTokenTTL / time.Second)
		if st.FailNextTokens < 0 || st.Latency == "" || st.TokenTTLSeconds < 0 || (rec.Code != http.StatusOK && st.TokenTTLSeconds != unchanged) {
			t.Fatalf("state %+v", st)
		}
	})
}
