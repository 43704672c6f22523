package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/proxy"
	"github.com/apiops/apiops-conformance/reports"
)

// proxyProcess is the proxy binary running in the background.
type proxyProcess struct {
	cmd    *exec.Cmd
	addr   string // http://127.0.0.1:port
	out    *bufio.Reader
	first  string
	stderr *bytes.Buffer
}

// startProxy starts the binary's proxy subcommand with args on a free loopback port.
func startProxy(t *testing.T, args ...string) *proxyProcess {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, binary(t), append([]string{"proxy", "--listen", "127.0.0.1:0"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "APIOPS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	p := &proxyProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.out = bufio.NewReader(stdout)
	if p.first, err = p.out.ReadString('\n'); err != nil {
		cmd.Wait()
		t.Fatalf("no first line: %v; stderr:\n%s", err, p.stderr)
	}
	_, rest, ok := strings.Cut(p.first, "proxy on ")
	p.addr, _, _ = strings.Cut(rest, " ")
	if !ok || !strings.HasPrefix(p.addr, "http://127.0.0.1:") {
		t.Fatalf("first line %q names no address", p.first)
	}
	return p
}

// stop sends SIGINT and returns the exit status and the whole stdout.
func (p *proxyProcess) stop(t *testing.T) (int, string) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rem, _ := io.ReadAll(p.out)
	err := p.cmd.Wait()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), p.first + string(rem)
	case err != nil:
		t.Fatal(err)
	}
	return 0, p.first + string(rem)
}

const proxyTestSecret = "alice-secret"

// postToken sends alice's token request through the proxy, with query appended.
func postToken(t *testing.T, addr, query string) *http.Response {
	t.Helper()
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {"alice"}, "client_secret": {proxyTestSecret}}.Encode()
	resp, err := http.Post(addr+"/apiops/auth/token"+query, "application/x-www-form-urlencoded", strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestProxyCommand serves the proxy binary in front of the mock, sends one correct and
// one broken token request through it, stops it with SIGINT and reads its report.
func TestProxyCommand(t *testing.T) {
	mock := httptest.NewServer(mockserver.New(mockserver.Config{Users: fixtures.Default(), TokenTTL: time.Hour}))
	defer mock.Close()
	dir := filepath.Join(t.TempDir(), "out")
	p := startProxy(t, "--upstream", mock.URL, "--report-dir", dir)
	for _, q := range []string{"", "?client_secret=" + proxyTestSecret} {
		resp := postToken(t, p.addr, q)
		if got := resp.Header.Get(proxy.HeaderViolations); (q == "") != (got == "") {
			t.Errorf("query %q: violations %q", q, got)
		}
	}
	code, stdout := p.stop(t)
	if code != exitFailed {
		t.Fatalf("exit %d; want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, p.stderr)
	}
	res, err := reports.ReadJSON(filepath.Join(dir, reports.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Checks {
		if want := c.ID == "CLIENT-FORM-005"; (c.Status == reports.Failed) != want {
			t.Errorf("%s: %s", c.ID, c.Status)
		}
	}
	for name, text := range map[string]string{"stdout": stdout, "stderr": p.stderr.String()} {
		if strings.Contains(text, proxyTestSecret) {
			t.Errorf("%s contains the client_secret:\n%s", name, text)
		}
	}
}

// TestProxyCommandUnreachableUpstream: clients came, the upstream never answered: exit 3.
func TestProxyCommandUnreachableUpstream(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nothing listens there now
	p := startProxy(t, "--upstream", gone.URL)
	if resp := postToken(t, p.addr, ""); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d; want 502", resp.StatusCode)
	}
	if code, stdout := p.stop(t); code != exitNotJudged {
		t.Fatalf("exit %d; want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, p.stderr)
	}
}

func TestProxyUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"proxy"},
		{"proxy", "--upstream", "ftp://x"},
		{"proxy", "--upstream", "http://127.0.0.1:1", "--ca-cert", "/nonexistent.pem"},
		{"proxy", "--upstream", "http://127.0.0.1:1", "--listen", "256.0.0.1:0"},
	} {
		if o := runBinary(t, time.Minute, nil, args...); o.code != exitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, o.code, o.stderr)
		}
	}
}
