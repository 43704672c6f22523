package mockserver_test

import (
	"encoding/base64"
	"fmt"
	"github.com/apiops/apiops-conformance/spec"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apiops/apiops-conformance/mockserver"
)

// countingWriter counts the bytes written to it and keeps the last write.
type countingWriter struct {
	n    atomic.Int64
	last atomic.Value // string
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	w.last.Store(string(p))
	return len(p), nil
}

// TestLogIsBounded sends 1,000 token requests whose client_id is 60 KB and counts the
// bytes of log the mock writes for them (text handler, info level, as apiops-mock logs
// on stderr): each line stays small, however large the input.
func TestLogIsBounded(t *testing.T) {
	var out countingWriter
	logger := slog.New(slog.NewTextHandler(&out, nil))
	h := newHarness(t, mockserver.Config{Logger: logger})
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {strings.Repeat("x", 60000)}, "client_secret": {"wrong"}}.Encode()
	const requests = 1000
	for range requests {
		if resp := h.do(h.tokenRequest(formType, body)); resp.StatusCode != 401 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	total := out.n.Load()
	t.Logf("log for %d token requests with a 60 KB client_id: %d bytes (%d per request)", requests, total, total/requests)
	if per := total / requests; per > 512 {
		t.Errorf("%d bytes of log per request, want at most 512", per)
	}
	if line, _ := out.last.Load().(string); !strings.Contains(line, "…(+59872 bytes)") {
		t.Errorf("the log line does not say how much was cut: %.300s", line)
	}

	// At debug level, the reason a token was refused is cut too, even when the token's
	// claims make the JWT library quote a 60 KB number.
	var debug countingWriter
	h = newHarness(t, mockserver.Config{Logger: slog.New(slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	enc := base64.RawURLEncoding.EncodeToString
	forged := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"a","jti":"b","exp":1`+strings.Repeat("0", 60000)+`}`)) + ".c2ln"
	if resp := h.projects("Bearer " + forged); resp.StatusCode != 401 {
		t.Fatalf("forged token: %d", resp.StatusCode)
	}
	if n := debug.n.Load(); n > 2048 {
		t.Errorf("%d bytes of debug log for one refused token", n)
	}
}

// floodHeap sends n revocations of unique 3 KB client_ids, n revocations of unique
// garbage tokens, n token requests with unique 3 KB client_ids and n protected calls with
// a unique 3 KB query to srv's handler, and returns the live heap (after a GC) before and
// after, in bytes.
func floodHeap(t testing.TB, srv *mockserver.Server, n int) (before, after uint64) {
	t.Helper()
	send := func(method, path, contentType, body string) int {
		req := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	pad := strings.Repeat("u", 3000)
	before = heap()
	for i := range n {
		id := fmt.Sprintf("%s-%d", pad, i)
		if code := send("POST", "/_mock/revoke", "application/json", `{"client_id":"`+id+`"}`); code >= 500 {
			t.Fatalf("revoke client_id: %d", code)
		}
		if code := send("POST", "/_mock/revoke", "application/json", `{"token":"garbage.`+id+`.x"}`); code >= 500 {
			t.Fatalf("revoke token: %d", code)
		}
		if code := send("POST", spec.TokenPath, formType, credentials(id, "wrong")); code != 401 {
			t.Fatalf("token: %d", code)
		}
		if code := send("GET", spec.ProjectsPath+"?q="+id, "", ""); code != 401 {
			t.Fatalf("projects: %d", code)
		}
	}
	after = heap()
	runtime.KeepAlive(srv) // measured with the server alive
	return before, after
}

// TestRevokeFloodIsBounded floods the control API with revocations nothing can match: the
// mock keeps nothing of them. Only the journal grows, to its 1,000 bounded entries (about
// 1 KiB each, none keeping a request's large body or line alive).
func TestRevokeFloodIsBounded(t *testing.T) {
	const n = 2000 // twice the journal: the old revocation state grew by 12 MB here
	srv := mockserver.New(mockserver.Config{Control: true})
	before, after := floodHeap(t, srv, n)
	grown := int64(after) - int64(before)
	t.Logf("heap before %d KiB; after %d revocations of unique 3 KB client_ids, %d of garbage tokens, %d token requests and %d protected calls: %d KiB (%+d KiB)",
		before>>10, n, n, n, n, after>>10, grown>>10)
	if grown > 3<<20 {
		t.Errorf("the heap grew by %d KiB", grown>>10)
	}
}

// BenchmarkRevokeFlood is TestRevokeFloodIsBounded at the rate of a 20 s flood
// (20,000 requests of each of the four kinds per iteration), reporting the live heap before and after.
func BenchmarkRevokeFlood(b *testing.B) {
	srv := mockserver.New(mockserver.Config{Control: true})
	var before, after uint64
	for i := range b.N {
		bf, af := floodHeap(b, srv, 20000)
		if i == 0 {
			before = bf
		}
		after = af
	}
	b.ReportMetric(float64(before)/(1<<20), "MiB-heap-before")
	b.ReportMetric(float64(after)/(1<<20), "MiB-heap-after")
}
