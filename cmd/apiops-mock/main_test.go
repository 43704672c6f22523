package main_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "apiops-mock-test")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "apiops-mock")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if bin, err := buildOnce(); err == nil {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

// mock is a running apiops-mock process.
type mock struct {
	cmd    *exec.Cmd
	url    string
	stdout *bytes.Buffer // after the first line; read it once the process has exited
	stderr *bytes.Buffer
	done   chan error
}

// start runs the binary with args and env, and reads its first stdout line.
func start(t testing.TB, env []string, args ...string) *mock {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	m := &mock{cmd: cmd, stdout: new(bytes.Buffer), stderr: new(bytes.Buffer), done: make(chan error, 1)}
	cmd.Stderr = m.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-m.done
	})
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(m.stdout, r)
		m.done <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		rest, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "apiops-mock listening on ")
		if !ok {
			t.Fatalf("first line %q; stderr: %s", line, m.stderr)
		}
		m.url = rest
	case <-time.After(30 * time.Second):
		t.Fatal("no address line within 30s")
	}
	return m
}

// stop sends SIGTERM and waits for a clean exit.
func (m *mock) stop(t testing.TB) {
	t.Helper()
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-m.done:
		m.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, m.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}
}

func tokenBody(user, secret string) string {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {user}, "client_secret": {secret}}.Encode()
}

func postToken(t testing.TB, client *http.Client, base, body string) (int, map[string]any) {
	t.Helper()
	resp, err := client.Post(base+"/apiops/auth/token", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("token answer: %v", err)
	}
	return resp.StatusCode, out
}

func TestServeAndShutdown(t *testing.T) {
	key := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(key, []byte("a signing key from a file, long enough\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := start(t, nil, "--addr", "127.0.0.1:0", "--control", "--signing-key-file", key, "--log-level", "debug")
	if !strings.HasPrefix(m.url, "http://127.0.0.1:") || strings.HasSuffix(m.url, ":0") {
		t.Fatalf("address %q", m.url)
	}
	status, tok := postToken(t, http.DefaultClient, m.url, tokenBody("bob", "p@ss w0rd&=+%ü/?#"))
	if status != 200 || tok["expires_in"] != float64(3600) {
		t.Fatalf("token: %d %v", status, tok)
	}
	access, _ := tok["access_token"].(string)
	if _, err := jwt.Parse(access, func(*jwt.Token) (any, error) { return []byte("a signing key from a file, long enough"), nil }); err != nil {
		t.Errorf("token does not verify with the key file's key: %v", err)
	}
	resp, err := http.Get(m.url + "/_mock/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("control API: %d", resp.StatusCode)
	}
	m.stop(t)
	logs := m.stderr.String()
	if !strings.Contains(logs, "client_id=bob") || strings.Contains(logs, "p@ss") || strings.Contains(logs, access) {
		t.Errorf("logs:\n%s", logs)
	}
}

func TestEnvNeverExpiring(t *testing.T) {
	m := start(t, []string{"APIOPS_MOCK_ADDR=127.0.0.1:0", "APIOPS_MOCK_TOKEN_TTL=0"})
	status, tok := postToken(t, http.DefaultClient, m.url, tokenBody("alice", "alice-secret"))
	if _, ok := tok["expires_in"]; status != 200 || ok {
		t.Errorf("token with --token-ttl 0: %d %v", status, tok)
	}
	if resp, err := http.Get(m.url + "/_mock/"); err != nil || resp.StatusCode != 404 {
		t.Errorf("control API without --control: %v %v", resp, err)
	}
	m.stop(t)
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	m := start(t, nil, "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(m.url, "https://127.0.0.1:") {
		t.Fatalf("address %q", m.url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if status, tok := postToken(t, client, m.url, tokenBody("alice", "alice-secret")); status != 200 {
		t.Errorf("token over TLS: %d %v", status, tok)
	}
	m.stop(t)
}

func TestUsers(t *testing.T) {
	users := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(users, []byte(`{"users":[{"username":"zed","password":"zed-pw"}],"projects":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m := start(t, nil, "--addr", "127.0.0.1:0", "--users", users)
	if status, _ := postToken(t, http.DefaultClient, m.url, tokenBody("zed", "zed-pw")); status != 200 {
		t.Errorf("zed: %d", status)
	}
	if status, _ := postToken(t, http.DefaultClient, m.url, tokenBody("alice", "alice-secret")); status != 401 {
		t.Errorf("alice with a users file: %d", status)
	}
	m.stop(t)
}

func TestUsageErrors(t *testing.T) {
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	empty := filepath.Join(t.TempDir(), "empty")
	_ = os.WriteFile(empty, nil, 0o600)
	badUsers := filepath.Join(t.TempDir(), "users.yaml")
	_ = os.WriteFile(badUsers, []byte("users: []\n"), 0o600)
	tests := [][]string{
		{"--no-such-flag"},
		{"--token-ttl", "soon"},
		{"--token-ttl", "-1h"},
		{"--token-ttl", "10ms"},
		{"--shutdown-grace=-1s"},
		{"--log-level", "loud"},
		{"--users", "/does/not/exist.yaml"},
		{"--users", badUsers},
		{"--signing-key", "a", "--signing-key-file", empty},
		{"--signing-key-file", empty},
		{"--tls-cert", "/does/not/exist.pem"},
		{"--tls-cert", "/does/not/exist.pem", "--tls-key", "/does/not/exist.key"},
		{"--addr", "not an address"},
		{"--addr", busy.Addr().String()},
		{"extra-argument"},
	}
	for _, args := range tests {
		cmd := exec.Command(bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("%q: %v, want exit status 2; stderr: %s", args, err, stderr.String())
			continue
		}
		msg := strings.TrimRight(stderr.String(), "\n")
		if msg == "" || strings.Contains(msg, "\n") || strings.Contains(msg, "panic") || !strings.HasPrefix(msg, "apiops-mock: ") {
			t.Errorf("%q: stderr should be one line, got:\n%s", args, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: stdout %q", args, stdout.String())
		}
	}
	out, err := exec.Command(bin, "--help").Output()
	if err != nil || !strings.Contains(string(out), "--token-ttl") || !strings.Contains(string(out), "APIOPS_MOCK_TOKEN_TTL") {
		t.Errorf("--help: %v\n%s", err, out)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a pool trusting it.
func selfSigned(t testing.TB, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
