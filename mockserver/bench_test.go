package mockserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// benchLoad serves handler over loopback and sends requests from b.RunParallel on a
// keep-alive client with enough idle connections, reporting req/s.
func benchLoad(b *testing.B, handler http.Handler, newReq func(url string) *http.Request, wantStatus int) {
	b.Helper()
	ts := httptest.NewServer(handler)
	defer ts.Close()
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(newReq(ts.URL))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != wantStatus {
				b.Errorf("status %d, want %d", resp.StatusCode, wantStatus)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func tokenPost(url string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url+spec.TokenPath, strings.NewReader(credentials(alice, aliceSecret)))
	req.Header.Set("Content-Type", formType)
	return req
}

// BenchmarkTokenIssue is POST /apiops/auth/token with valid credentials: a signed JWT each.
func BenchmarkTokenIssue(b *testing.B) {
	benchLoad(b, mockserver.New(mockserver.Config{TokenTTL: time.Hour}), tokenPost, http.StatusOK)
}

// BenchmarkProtectedCall is GET /apiops/projects/ with a valid Bearer token.
func BenchmarkProtectedCall(b *testing.B) {
	srv := mockserver.New(mockserver.Config{TokenTTL: time.Hour})
	ts := httptest.NewServer(srv)
	resp, err := ts.Client().Do(tokenPost(ts.URL))
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ts.Close()
	token := string(body[len(`{"access_token":"`):strings.Index(string(body), `","token_type"`)])
	benchLoad(b, srv, func(url string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url+spec.ProjectsPath, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return req
	}, http.StatusOK)
}

// BenchmarkBaseline is the yardstick for BenchmarkTokenIssue: a plain net/http handler
// that only parses the form and writes a constant JSON, measured the same way.
func BenchmarkBaseline(b *testing.B) {
	constant := []byte(`{"access_token":"x","token_type":"Bearer","expires_in":3600}`)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(constant)
	})
	benchLoad(b, handler, tokenPost, http.StatusOK)
}
