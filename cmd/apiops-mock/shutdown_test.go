package main_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hangingRequest opens a token request whose handler is running and waiting for a body
// that never comes: the server has answered "100 Continue", which it does only when the
// handler starts reading the body.
func hangingRequest(t *testing.T, base string) net.Conn {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /apiops/auth/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 100\r\nExpect: 100-continue\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read 100 Continue: %v", err)
	}
	if resp.StatusCode != http.StatusContinue {
		t.Fatalf("status %d, want 100", resp.StatusCode)
	}
	if _, err := io.WriteString(conn, "grant_type="); err != nil {
		t.Fatal(err)
	}
	return conn
}

// waitExit waits for the process to exit after a signal and fails unless it exits 0.
// The bound (20 s) is below the server's 30 s read timeout, so the hanging request was
// closed by the shutdown, not by the timeout.
func (m *mock) waitExit(t *testing.T) {
	t.Helper()
	select {
	case err := <-m.done:
		m.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("exit: %v; stderr: %s", err, m.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit within 20s of the signal; stderr: %s", m.stderr)
	}
}

// TestShutdownClosesRequestsInFlight: SIGTERM with a request hanging in its handler; the
// request gets --shutdown-grace, then is closed, and apiops-mock exits 0.
func TestShutdownClosesRequestsInFlight(t *testing.T) {
	m := start(t, nil, "--addr", "127.0.0.1:0", "--shutdown-grace", "1s")
	conn := hangingRequest(t, m.url)
	start := time.Now()
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	m.waitExit(t)
	t.Logf("exited %v after SIGTERM with a 1s grace", time.Since(start).Round(time.Millisecond))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Errorf("the hanging connection was not closed: %v", err)
	}
	if !strings.Contains(m.stderr.String(), "closing requests still in flight") {
		t.Errorf("stderr does not say requests were closed:\n%s", m.stderr)
	}
}

// TestSecondSignalClosesAtOnce: with a long grace, a second signal closes what is in
// flight without waiting, and the exit status is still 0.
func TestSecondSignalClosesAtOnce(t *testing.T) {
	m := start(t, nil, "--addr", "127.0.0.1:0", "--shutdown-grace", "1h")
	hangingRequest(t, m.url)
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	m.waitExit(t)
}

// TestBanner: after the address line, apiops-mock says where its accounts come from,
// whether the control API is on, the token lifetime and how to stop it.
func TestBanner(t *testing.T) {
	users := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(users, []byte("users:\n  - username: zed\n    password: zed-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--control"}, []string{
			"  accounts:       demo accounts (alice, bob, ", "carol (disabled), dave (locked)",
			"  control API:    on at http://127.0.0.1:", "/_mock/ for loopback clients",
			"  token lifetime: 1h0m0s\n",
			"  stop:           Ctrl-C or SIGTERM (requests in flight get 5s",
		}},
		{[]string{"--users", users, "--token-ttl", "0", "--shutdown-grace", "2s"}, []string{
			"  accounts:       " + users + " (--users)\n",
			"  control API:    off (--control turns it on)\n",
			"  token lifetime: never expires (--token-ttl 0)\n",
			"requests in flight get 2s",
		}},
	}
	for _, tt := range tests {
		m := start(t, nil, append([]string{"--addr", "127.0.0.1:0"}, tt.args...)...)
		m.stop(t)
		out := m.stdout.String()
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%q: banner lacks %q:\n%s", tt.args, w, out)
			}
		}
		if strings.Contains(out, "secret") {
			t.Errorf("%q: banner shows a secret:\n%s", tt.args, out)
		}
	}
}
