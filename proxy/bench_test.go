package proxy_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/proxy"
)

// BenchmarkTokenExchange compares a token request sent to the mock directly with the
// same request through the validating proxy (judged and validated on the way).
func BenchmarkTokenExchange(b *testing.B) {
	mock := httptest.NewServer(mockserver.New(mockserver.Config{Users: fixtures.Default(), TokenTTL: time.Hour}))
	defer mock.Close()
	u, _ := url.Parse(mock.URL)
	p, err := proxy.New(proxy.Config{Upstream: u, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	front := httptest.NewServer(p)
	defer front.Close()
	body := form(bob, bobSecret)
	for _, target := range []struct{ name, url string }{{"direct", mock.URL}, {"proxy", front.URL}} {
		b.Run(target.name, func(b *testing.B) {
			client := &http.Client{}
			defer client.CloseIdleConnections()
			for b.Loop() {
				resp, err := client.Post(target.url+"/apiops/auth/token", "application/x-www-form-urlencoded", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || resp.Header.Get(proxy.HeaderViolations) != "" {
					b.Fatalf("status %d, violations %q", resp.StatusCode, resp.Header.Get(proxy.HeaderViolations))
				}
			}
		})
	}
}
