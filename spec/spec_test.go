package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{TokenPath, ProjectsPath} {
		if doc.Paths.Find(path) == nil {
			t.Errorf("path %s missing", path)
		}
	}
	if !bytes.Equal(YAML(), tokenYAML) {
		t.Error("YAML() differs from the embedded document")
	}
}

func TestErrorTexts(t *testing.T) {
	want := map[ErrorName]string{
		UnsupportedGrantType: "unsupported_grant_type",
		BadCredentials:       "unauthorized_client",
		ServerError:          "server_error",
		InvalidRequest:       "invalid_request",
		InvalidToken:         "unauthorized_client",
	}
	for name, code := range want {
		body := Error(name)
		if body.Error != code || body.Description == "" {
			t.Errorf("Error(%s) = %+v, want error %q and a description", name, body, code)
		}
	}
	// The vendor's documented wording, checked once here against the documentation's text.
	if got := Error(BadCredentials).Description; got != "Bad credentials" {
		t.Errorf("BadCredentials description = %q", got)
	}
	// List Projects' documented 401.
	if got := Error(InvalidToken).Description; got != "Invalid token" {
		t.Errorf("InvalidToken description = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Error(unknown) did not panic")
		}
	}()
	Error("NoSuchExample")
}

func newRequest(method, path, contentType, body string) *http.Request {
	req := httptest.NewRequest(method, "http://target.example:8443"+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

func TestValidateRequest(t *testing.T) {
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		req  *http.Request
		ok   bool
	}{
		{"documented form", newRequest("POST", TokenPath, "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a&client_secret=b"), true},
		{"form with charset", newRequest("POST", TokenPath, "application/x-www-form-urlencoded; charset=UTF-8", "grant_type=client_credentials&client_id=a&client_secret=b"), true},
		{"missing secret", newRequest("POST", TokenPath, "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a"), false},
		{"JSON body", newRequest("POST", TokenPath, "application/json", `{"grant_type":"client_credentials","client_id":"a","client_secret":"b"}`), false},
		{"GET token", newRequest("GET", TokenPath, "", ""), false},
		{"projects without token", newRequest("GET", ProjectsPath, "", ""), false},
		{"unknown path", newRequest("GET", "/nope", "", ""), false},
	}
	bearer := newRequest("GET", ProjectsPath, "", "")
	bearer.Header.Set("Authorization", "bearer abc.def")
	tests = append(tests, struct {
		name string
		req  *http.Request
		ok   bool
	}{"projects with bearer", bearer, true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.ValidateRequest(ctx, tt.req)
			if (err == nil) != tt.ok {
				t.Errorf("ValidateRequest = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestValidateResponse(t *testing.T) {
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	jsonUTF8 := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	errBody := func(name ErrorName) string {
		b, _ := json.Marshal(Error(name))
		return string(b)
	}
	token := newRequest("POST", TokenPath, "application/x-www-form-urlencoded", "")
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		ok     bool
	}{
		{"documented 200", 200, jsonUTF8, `{"access_token":"eyJ.x.y","token_type":"Bearer","expires_in":3600}`, true},
		{"never expiring 200", 200, jsonUTF8, `{"access_token":"opaque","token_type":"bearer"}`, true},
		{"empty token", 200, jsonUTF8, `{"access_token":"","token_type":"Bearer"}`, false},
		{"Mac token type", 200, jsonUTF8, `{"access_token":"a","token_type":"Mac"}`, false},
		{"expires_in as string", 200, jsonUTF8, `{"access_token":"a","token_type":"Bearer","expires_in":"3600"}`, false},
		{"expires_in zero", 200, jsonUTF8, `{"access_token":"a","token_type":"Bearer","expires_in":0}`, false},
		{"documented 400", 400, jsonUTF8, errBody(UnsupportedGrantType), true},
		{"documented 401", 401, jsonUTF8, errBody(BadCredentials), true},
		{"documented 500", 500, jsonUTF8, errBody(ServerError), true},
		{"405 JSON error", 405, jsonUTF8, errBody(InvalidRequest), true},
		{"401 without description", 401, jsonUTF8, `{"error":"unauthorized_client"}`, false},
		{"401 as HTML", 401, http.Header{"Content-Type": {"text/html"}}, "<html></html>", false},
		{"401 as problem+json (RFC 6839)", 401, http.Header{"Content-Type": {"application/problem+json"}}, errBody(BadCredentials), true},
		{"400 as problem+json without error", 400, http.Header{"Content-Type": {"application/problem+json"}}, `{"title":"Bad Request"}`, false},
		{"200 not JSON", 200, jsonUTF8, "{", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.ValidateResponse(ctx, token, tt.status, tt.header, []byte(tt.body))
			if (err == nil) != tt.ok {
				t.Errorf("ValidateResponse = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestValidateProjectsResponse(t *testing.T) {
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	jsonUTF8 := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	req := newRequest("GET", ProjectsPath, "", "")
	req.Header.Set("Authorization", "Bearer abc")
	documented, _ := json.Marshal(ProjectList{Status: StatusSuccess, ResultList: []Project{{Name: "p", Description: "d"}}, ResultCount: 1})
	invalid, _ := json.Marshal(Error(InvalidToken))
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		ok     bool
	}{
		{"documented 200", 200, jsonUTF8, string(documented), true},
		{"empty list", 200, jsonUTF8, `{"status":"SUCCESS","resultList":[],"resultCount":0}`, true},
		{"more fields, null description", 200, jsonUTF8, `{"status":"SUCCESS","resultList":[{"id":"1","name":"p","description":null}],"resultCount":1}`, true},
		{"a bare array", 200, jsonUTF8, `[{"name":"p"}]`, false},
		{"no resultCount", 200, jsonUTF8, `{"status":"SUCCESS","resultList":[]}`, false},
		{"project without a name", 200, jsonUTF8, `{"status":"SUCCESS","resultList":[{"description":"d"}],"resultCount":1}`, false},
		{"documented 401", 401, jsonUTF8, string(invalid), true},
		{"401 as HTML", 401, http.Header{"Content-Type": {"text/html"}}, "<html></html>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.ValidateResponse(ctx, req, tt.status, tt.header, []byte(tt.body))
			if (err == nil) != tt.ok {
				t.Errorf("ValidateResponse = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// FuzzValidateResponse feeds the validator what a hostile target could answer: it must
// return an error or nil, never panic or hang.
func FuzzValidateResponse(f *testing.F) {
	v, err := NewValidator()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(200, "application/json;charset=UTF-8", []byte(`{"access_token":"a","token_type":"Bearer","expires_in":1}`))
	f.Add(401, "application/json", []byte(`{"error":"unauthorized_client","error_description":"Bad credentials"}`))
	f.Add(200, "application/json", []byte(`{"access_token":1e999,"token_type":[],"expires_in":{"a":null}}`))
	f.Add(500, "text/html; charset=\"", []byte("<html>"))
	f.Add(299, "application/x-www-form-urlencoded", []byte("a=%zz"))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		req := newRequest("POST", TokenPath, "application/x-www-form-urlencoded", "")
		_ = v.ValidateResponse(context.Background(), req, status, http.Header{"Content-Type": {contentType}}, body)
	})
}

func TestIsJSONMediaType(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/json": true, "application/json;charset=UTF-8": true, "Application/JSON; charset=utf-8": true,
		"application/problem+json": true, "application/vnd.api+json; x=1": true,
		"text/json": false, "application/jsonx": false, "text/html": false, "": false,
	} {
		if got := IsJSONMediaType(ct); got != want {
			t.Errorf("IsJSONMediaType(%q) = %v, want %v", ct, got, want)
		}
	}
}
