package wire

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

func formHeader(ct string) http.Header {
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return h
}

func rules(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestCheckTokenRequest(t *testing.T) {
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {"bob"}, "client_secret": {"p@ss w0rd&=+%ü/?#"}}.Encode()
	tests := []struct {
		name   string
		method string
		query  string
		ct     string
		body   string
		want   []string // rule IDs, sorted
	}{
		{"correct", "POST", "", FormMediaType, good, nil},
		{"charset utf-8", "POST", "", FormMediaType + "; charset=UTF-8", good, nil},
		{"upper-case media type", "POST", "", "Application/X-WWW-Form-Urlencoded", good, nil},
		{"unknown parameters ignored", "POST", "", FormMediaType, good + "&scope=x&&", nil},
		{"GET", "GET", "", FormMediaType, good, []string{RuleForm}},
		{"JSON body", "POST", "", "application/json", `{"grant_type":"client_credentials","client_id":"a","client_secret":"b"}`, []string{RuleForm}},
		{"no content type", "POST", "", "", good, []string{RuleForm}},
		{"latin-1 charset", "POST", "", FormMediaType + "; charset=iso-8859-1", good, []string{RuleForm}},
		{"credentials in query", "POST", "client_id=alice&client_secret=alice-secret", FormMediaType, good, []string{RuleNoQueryCredentials}},
		{"wrong grant", "POST", "", FormMediaType, "grant_type=password&client_id=a&client_secret=bbb", []string{RuleGrantType}},
		{"grant twice", "POST", "", FormMediaType, "grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret=bbb", []string{RuleGrantType}},
		{"no grant", "POST", "", FormMediaType, "client_id=a&client_secret=bbb", []string{RuleGrantType}},
		{"secret twice", "POST", "", FormMediaType, "grant_type=client_credentials&client_id=a&client_secret=b&client_secret=c", []string{RuleCredentials}},
		{"no id", "POST", "", FormMediaType, "grant_type=client_credentials&client_secret=bbb", []string{RuleCredentials}},
		{"empty id", "POST", "", FormMediaType, "grant_type=client_credentials&client_id=&client_secret=bbb", []string{RuleCredentials}},
		{"empty body", "POST", "", FormMediaType, "", []string{RuleGrantType, RuleCredentials}},
		{"bad escape", "POST", "", FormMediaType, "grant_type=client_credentials&client_id=a&client_secret=50%", []string{RuleCredentials}},
		{"raw space", "POST", "", FormMediaType, "grant_type=client_credentials&client_id=a&client_secret=p w", []string{RuleCredentials}},
		{"raw non-ASCII", "POST", "", FormMediaType, "grant_type=client_credentials&client_id=a&client_secret=ü", []string{RuleCredentials}},
		{"not UTF-8", "POST", "", FormMediaType, "grant_type=client_credentials&client_id=a&client_secret=%FC", []string{RuleCredentials}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, vs := CheckTokenRequest(tt.method, tt.query, formHeader(tt.ct), []byte(tt.body))
			if got := rules(vs); !slices.Equal(got, tt.want) {
				t.Fatalf("rules = %v, want %v; violations: %v", got, tt.want, vs)
			}
			for _, v := range vs {
				if v.Message == "" || strings.ContainsAny(v.Message, "\r\n") {
					t.Errorf("message %q: want one non-empty line", v.Message)
				}
				for _, s := range tr.Secrets {
					if len(s) >= 3 && strings.Contains(v.Message, s) {
						t.Errorf("message %q quotes a secret", v.Message)
					}
				}
			}
		})
	}
}

func TestCheckTokenRequestDecodes(t *testing.T) {
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {"bob"}, "client_secret": {"p@ss w0rd&=+%ü/?#"}}.Encode()
	tr, vs := CheckTokenRequest("POST", "client_secret=q", formHeader(FormMediaType), []byte(body))
	if len(vs) != 1 || vs[0].Rule != RuleNoQueryCredentials {
		t.Fatalf("violations = %v", vs)
	}
	if tr.GrantType != "client_credentials" || tr.ClientID != "bob" || tr.ClientSecret != "p@ss w0rd&=+%ü/?#" {
		t.Fatalf("decoded %+v", tr)
	}
	if !slices.Equal(tr.Secrets, []string{"q", "p@ss w0rd&=+%ü/?#"}) {
		t.Fatalf("secrets = %q", tr.Secrets)
	}
}

func TestCheckBearer(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		token  string
		ok     bool
	}{
		{"correct", []string{"Bearer abc.DEF-_~+/=="}, "abc.DEF-_~+/==", true},
		{"lower-case scheme", []string{"bearer abc"}, "abc", true},
		{"upper-case scheme", []string{"BEARER abc"}, "abc", true},
		{"missing", nil, "", false},
		{"two headers", []string{"Bearer a", "Bearer b"}, "", false},
		{"basic", []string{"Basic YWxpY2U6cw=="}, "YWxpY2U6cw==", false},
		{"no scheme", []string{"abcdef"}, "abcdef", false},
		{"scheme only", []string{"Bearer"}, "", false},
		{"two spaces (1*SP)", []string{"Bearer  abc"}, "abc", true},
		{"a tab", []string{"Bearer \tabc"}, "\tabc", false},
		{"bad char", []string{"Bearer ab\"c"}, "ab\"c", false},
		{"inner space", []string{"Bearer ab c"}, "ab c", false},
		{"equals inside", []string{"Bearer ab=c"}, "ab=c", false},
		{"only equals", []string{"Bearer =="}, "==", false},
		{"comma", []string{"Bearer a,b"}, "a,b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Authorization", v)
			}
			token, vs := CheckBearer(h)
			if token != tt.token {
				t.Errorf("token = %q, want %q", token, tt.token)
			}
			if (len(vs) == 0) != tt.ok {
				t.Fatalf("violations = %v, want ok=%v", vs, tt.ok)
			}
			for _, v := range vs {
				if v.Rule != RuleBearer {
					t.Errorf("rule %s", v.Rule)
				}
				if len(token) >= 3 && strings.Contains(v.Message, token) {
					t.Errorf("message %q quotes the token", v.Message)
				}
			}
		})
	}
}

// TestRulesAreInTheCatalog: every rule is a client requirement of the catalog.
func TestRulesAreInTheCatalog(t *testing.T) {
	for _, id := range Rules {
		if r, ok := catalog.Lookup(id); !ok || r.Quote == "" {
			t.Errorf("catalog.Lookup(%s) = %+v, %v", id, r, ok)
		}
	}
}

// sentinel is a client_secret no message may ever contain.
const sentinel = "ZQXJsentinel"

func FuzzCheckTokenRequest(f *testing.F) {
	f.Add("POST", "", FormMediaType, "grant_type=client_credentials&client_id=a")
	f.Add("GET", "client_id=a", "application/json", `{"a":1}`)
	f.Add("POST", "%zz", FormMediaType+"; charset=\"", "a=%&=b&&+%C3")
	f.Add("PO\x00ST", "client_secret=x", "text/plain;;", "\xff\xfe=%FF")
	f.Fuzz(func(t *testing.T, method, query, ct, body string) {
		full := "client_secret=" + sentinel + "&" + body
		tr, vs := CheckTokenRequest(method, query, formHeader(ct), []byte(full))
		leakable := strings.Contains(method+query+ct+body, sentinel[:4])
		for _, v := range vs {
			if !slices.Contains(Rules, v.Rule) {
				t.Fatalf("unknown rule %q", v.Rule)
			}
			if !utf8.ValidString(v.Message) || strings.ContainsAny(v.Message, "\r\n\x00") {
				t.Fatalf("message %q: want one line of UTF-8", v.Message)
			}
			if !leakable && strings.Contains(v.Message, sentinel) {
				t.Fatalf("message %q quotes the client_secret", v.Message)
			}
		}
		if !slices.Contains(tr.Secrets, sentinel) {
			t.Fatalf("secrets %q miss the body's client_secret", tr.Secrets)
		}
	})
}

func FuzzCheckBearer(f *testing.F) {
	f.Add("Bearer abc")
	f.Add("bearer  a=b")
	f.Add("Basic \xff")
	f.Add("")
	f.Fuzz(func(t *testing.T, value string) {
		h := http.Header{"Authorization": {value}}
		token, vs := CheckBearer(h)
		for _, v := range vs {
			if v.Rule != RuleBearer || !utf8.ValidString(v.Message) || strings.ContainsAny(v.Message, "\r\n") {
				t.Fatalf("violation %q", v)
			}
			if len(token) >= 17 && strings.Contains(v.Message, token) {
				t.Fatalf("message %q quotes the token", v.Message)
			}
		}
		if len(vs) == 0 {
			// credentials = "Bearer" 1*SP b64token
			if _, rest, _ := strings.Cut(value, " "); strings.TrimLeft(rest, " ") != token || b64tokenError(token) != -1 {
				t.Fatalf("accepted %q with token %q", value, token)
			}
		}
	})
}
