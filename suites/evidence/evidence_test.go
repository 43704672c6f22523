package evidence

import (
	"net/http"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	var r Redactor
	r.Add("p@ss w0rd&=+%ü/?#", "tok-123456", "", "ab")
	body := "client_secret=p%40ss+w0rd%26%3D%2B%25%C3%BC%2F%3F%23&x=p@ss w0rd&=+%ü/?# tok-123456 ab"
	got := r.String(body)
	if strings.Contains(got, "w0rd") || strings.Contains(got, "tok-123456") {
		t.Errorf("secret left in %q", got)
	}
	if !strings.HasSuffix(got, " ab") {
		t.Errorf("short value was redacted: %q", got)
	}
	h := r.Header(http.Header{"Authorization": {"Bearer tok-123456"}, "X-Echo": {"tok-123456"}, "Cookie": {"a=b"}})
	if h.Get("Authorization") != "Bearer "+Redacted || h.Get("X-Echo") != Redacted || h.Get("Cookie") != Redacted {
		t.Errorf("Header = %v", h)
	}
}

func TestRedactorFields(t *testing.T) {
	var r Redactor // nothing registered: fields are still redacted
	for in, want := range map[string]string{
		"grant_type=client_credentials&client_id=a&client_secret=b": "grant_type=client_credentials&client_id=a&client_secret=" + Redacted,
		"/token?client_secret=x y":                                  "/token?client_secret=" + Redacted + " y",
		`{"client_id":"a","client_secret":"b\"c"}`:                  `{"client_id":"a","client_secret":"` + Redacted + `"}`,
		`{"access_token": "eyJ.x.y", "token_type":"Bearer"}`:        `{"access_token": "` + Redacted + `", "token_type":"Bearer"}`,
		"my_client_secret_note=keep":                                "my_client_secret_note=keep",
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	var r Redactor
	long := strings.Repeat("ü", MaxBody) // 2 bytes each
	got, cut := r.Excerpt([]byte(long))
	if !cut || len(got) > MaxBody || !strings.HasPrefix(long, got) || len(got)%2 != 0 {
		t.Errorf("Excerpt cut=%v len=%d", cut, len(got))
	}
	if got, cut := r.Excerpt([]byte("short")); cut || got != "short" {
		t.Errorf("Excerpt(short) = %q, %v", got, cut)
	}
}
