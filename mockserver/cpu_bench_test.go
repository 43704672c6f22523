//go:build unix

package mockserver_test

import (
	"bufio"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// benchServerEnv names the server TestBenchServer runs in a child process.
const benchServerEnv = "APIOPS_BENCH_SERVER"

// cpuPath answers the serving process's CPU time (user + system) in microseconds.
const cpuPath = "/_bench/cpu"

// baselineToken is the yardstick of BenchmarkTokenCPU: the least a token endpoint must do
// with the standard library and the same JWT library — parse the form, check the grant
// and the password, sign an HS256 JWT (sub, iat, exp) and write the JSON answer.
func baselineToken(users map[string]string, key []byte, ttl time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		want, ok := users[id]
		if r.PostForm.Get("grant_type") != "client_credentials" || !ok ||
			subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
			http.Error(w, `{"error":"unauthorized_client"}`, http.StatusUnauthorized)
			return
		}
		now := time.Now()
		token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
			Subject:   id,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		}).SignedString(key)
		if err != nil {
			http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":%d}`, token, int(ttl/time.Second))
	})
}

// TestBenchServer is not a test: BenchmarkTokenCPU runs the test binary again with
// APIOPS_BENCH_SERVER=mock or =baseline to serve that handler on a loopback port in a
// process of its own, so the server's CPU time can be measured apart from the client's.
func TestBenchServer(t *testing.T) {
	kind := os.Getenv(benchServerEnv)
	if kind == "" {
		t.Skip("run by BenchmarkTokenCPU only")
	}
	key := []byte("a benchmark key of thirty-two by")
	var handler http.Handler
	switch kind {
	case "mock":
		handler = mockserver.New(mockserver.Config{SigningKey: key})
	case "baseline":
		users := map[string]string{}
		for _, u := range fixtures.Default().Users {
			users[u.Username] = u.Password
		}
		handler = baselineToken(users, key, mockserver.DefaultTokenTTL)
	default:
		t.Fatalf("%s=%q: want mock or baseline", benchServerEnv, kind)
	}
	mux := http.NewServeMux()
	mux.Handle("/", handler)
	mux.HandleFunc(cpuPath, func(w http.ResponseWriter, _ *http.Request) {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, ru.Utime.Nano()/1000+ru.Stime.Nano()/1000)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); os.Exit(0) }() // the parent closed stdin: stop
	_ = http.Serve(ln, mux)
}

// benchServer is a server process started for BenchmarkTokenCPU.
type benchServer struct {
	url    string
	client *http.Client
}

func startBenchServer(b *testing.B, kind string) *benchServer {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchServerEnv+"="+kind)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close() // the server exits when its stdin closes
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		b.Fatalf("%s server: %q %v", kind, line, err)
	}
	transport := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	b.Cleanup(transport.CloseIdleConnections)
	return &benchServer{url: "http://" + addr, client: &http.Client{Transport: transport}}
}

// cpu returns the server process's CPU time so far.
func (s *benchServer) cpu(b *testing.B) time.Duration {
	b.Helper()
	resp, err := s.client.Get(s.url + cpuPath)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	us, err := strconv.ParseInt(string(body), 10, 64)
	if err != nil {
		b.Fatalf("cpu: %q: %v", body, err)
	}
	return time.Duration(us) * time.Microsecond
}

// post issues one token.
func (s *benchServer) post(body string) error {
	resp, err := s.client.Post(s.url+spec.TokenPath, formType, strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return fmt.Errorf("status %d: %v", resp.StatusCode, err)
	}
	return nil
}

// batch issues n tokens from 4 concurrent keep-alive clients and returns the server's
// CPU time spent on them.
func (s *benchServer) batch(b *testing.B, n int, body string) time.Duration {
	b.Helper()
	before := s.cpu(b)
	const clients = 4
	errs := make(chan error, clients)
	for c := range clients {
		go func() {
			var err error
			for i := c; i < n && err == nil; i += clients {
				err = s.post(body)
			}
			errs <- err
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	return s.cpu(b) - before
}

// BenchmarkTokenCPU measures the server's CPU time per issued token (user + system, from
// getrusage in the serving process, so the client's work is left out) over loopback, for
// the mock (journal, revocation state, the JWT library) and for baselineToken, the least
// a token endpoint can do with the same JWT library. Each op issues one token from each;
// the two servers take turns in batches of 250 tokens, so a change in the machine's load
// weighs on both alike. Compare the metrics mock-cpu-ns/token, baseline-cpu-ns/token and
// their ratio mock/baseline; ns/op is wall time and depends on the load.
func BenchmarkTokenCPU(b *testing.B) {
	baseline, mock := startBenchServer(b, "baseline"), startBenchServer(b, "mock")
	body := credentials(alice, aliceSecret)
	for _, s := range []*benchServer{baseline, mock} {
		s.batch(b, 500, body) // warm up: connections, pools, the GC's pacing
	}
	var baselineCPU, mockCPU time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(250, b.N-done)
		baselineCPU += baseline.batch(b, n, body)
		mockCPU += mock.batch(b, n, body)
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(baselineCPU.Nanoseconds())/float64(b.N), "baseline-cpu-ns/token")
	b.ReportMetric(float64(mockCPU.Nanoseconds())/float64(b.N), "mock-cpu-ns/token")
	b.ReportMetric(float64(mockCPU)/float64(baselineCPU), "mock/baseline")
}
