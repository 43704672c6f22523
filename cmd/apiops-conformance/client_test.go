//go:build unix

package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/suites/catalog"
)

// buildGoClient builds testdata/clients/go-oauth2 (golang.org/x/oauth2/clientcredentials).
func buildGoClient(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "go-oauth2")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/clients/go-oauth2").CombinedOutput()
	if err != nil {
		t.Fatalf("build the Go client: %v\n%s", err, out)
	}
	return bin
}

// TestClientJudgesRealAndBrokenClients runs `apiops-conformance client` on real clients,
// which must pass every check, and on broken ones, each of which must fail exactly its
// checks: every check is judged (none skipped) and the exit status follows the levels.
func TestClientJudgesRealAndBrokenClients(t *testing.T) {
	t.Parallel()
	binary(t)
	goClient := buildGoClient(t)
	clients := []struct {
		name    string
		args    []string // after "client"
		failed  []string
		code    int
		blocked []string // skipped as blocked by a failed check (one cause, one card)
	}{
		{"go-oauth2", []string{"--", goClient}, nil, exitOK, nil},
		{"curl", []string{"--", "./testdata/clients/curl-client.sh"}, nil, exitOK, nil},
		{"token per call", []string{"--", "./testdata/clients/curl-token-per-call.sh"}, []string{"CLIENT-REUSE-001"}, exitOK, nil},
		{"token per call, strict", []string{"--strict", "--", "./testdata/clients/curl-token-per-call.sh"}, []string{"CLIENT-REUSE-001"}, exitFailed, nil},
		{"secret not encoded", []string{"--", "./testdata/clients/curl-no-encode.sh"}, []string{"CLIENT-FORM-003", "CLIENT-FORM-004"}, exitFailed, nil},
		{"hot retry loop", []string{"--", "./testdata/clients/curl-hot-loop.sh"}, []string{"CLIENT-RETRY-001"}, exitOK, nil},
		{"secret in a validation error", []string{"--", goClient, "-refuse-non-ascii"}, []string{"CLIENT-FORM-004", "CLIENT-SECRET-001"}, exitFailed, nil},
		{"debug trace", []string{"--", "./testdata/clients/curl-debug-trace.sh"}, []string{"CLIENT-SECRET-001"}, exitFailed, nil},
		{"wrong scheme", []string{"--", goClient, "-scheme", "Token"}, []string{"CLIENT-BEARER-001"}, exitFailed,
			[]string{"CLIENT-BEARER-002", "CLIENT-FLOW-001", "CLIENT-RENEW-001", "CLIENT-RETRY-001", "CLIENT-REUSE-001"}},
	}
	secrets := demoSecrets()
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"client", "--timeout", "20s", "--report-dir", dir}, c.args...)
			o := runBinary(t, 90*time.Second, nil, args...)
			r := o.result(t)
			if got := failedIDs(r); !slices.Equal(got, c.failed) {
				t.Errorf("failed checks %v, want %v\nstdout:\n%s", got, c.failed, o.stdout)
			}
			if o.code != c.code {
				t.Errorf("exit %d, want %d\nstderr:\n%s", o.code, c.code, o.stderr)
			}
			if len(r.Checks) != len(catalog.Clients()) {
				t.Errorf("%d checks in the report, want %d", len(r.Checks), len(catalog.Clients()))
			}
			var blocked []string
			for _, ch := range r.Checks {
				if ch.Status != reports.Passed && ch.Status != reports.Failed {
					blocked = append(blocked, ch.ID)
					if ch.Status != reports.Blocked || !strings.HasPrefix(ch.BlockedBy, "CLIENT-") {
						t.Errorf("%s %s: %s", ch.ID, ch.Status, ch.Reason)
					}
				}
			}
			slices.Sort(blocked)
			if !slices.Equal(blocked, c.blocked) {
				t.Errorf("blocked %v, want %v", blocked, c.blocked)
			}
			assertNoSecrets(t, secrets, o.stdout, o.stderr, dir)
		})
	}
}

// demoSecrets are the passwords of the accounts a client is run with, with their
// percent-encoded forms.
func demoSecrets() []string {
	users := clientFixtures()
	var out []string
	for _, name := range []string{clientMain, clientASCII, clientNonASCII} {
		u, _ := users.User(name)
		out = append(out, u.Password, url.QueryEscape(u.Password))
	}
	return out
}

// assertNoSecrets fails if a secret shows in the output or any file of dir.
func assertNoSecrets(t *testing.T, secrets []string, stdout, stderr, dir string) {
	t.Helper()
	texts := map[string]string{"stdout": stdout, "stderr": stderr}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		texts[f.Name()] = string(data)
	}
	for name, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds a secret (%d bytes)", name, len(s))
			}
		}
		// The mock's tokens are JWTs: their first segment, base64url of `{"alg":`,
		// starts "eyJ". A report never holds one.
		if strings.Contains(text, "eyJ") {
			t.Errorf("%s holds a token", name)
		}
	}
}

// TestClientHangKilledWithProcessGroup: a client that never ends is killed, with its
// children, when --timeout passes, and fails the happy path.
func TestClientHangKilledWithProcessGroup(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	dir := t.TempDir()
	o := runBinary(t, 60*time.Second, []string{"HANG_PIDFILE=" + pidfile},
		"client", "--timeout", "1s", "--label-filter", "CLIENT-FLOW-001", "--report-dir", dir, "--", "./testdata/clients/hang.sh")
	if o.code != exitFailed {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", o.code, exitFailed, o.stdout, o.stderr)
	}
	if got := failedIDs(o.result(t)); !slices.Equal(got, []string{"CLIENT-FLOW-001"}) {
		t.Errorf("failed %v, want [CLIENT-FLOW-001]", got)
	}
	if !strings.Contains(o.stdout, "killed with its process group") {
		t.Errorf("the report does not say the client was killed:\n%s", o.stdout)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("the client did not start its child: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the client's child %d outlived the scenario", pid)
	}
}

// alive reports whether process pid runs: it exists and, where /proc tells, is not a
// zombie waiting for its (re)parent to reap it.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z")
}

// TestClientUsageErrors: a missing or unrunnable command and a bad label filter are
// usage errors (exit 2), said in one line.
func TestClientUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"client"},
		{"client", "--", "./testdata/clients/no-such-client"},
		{"client", "--label-filter", "TOKEN-FORM-001", "--", "./testdata/clients/curl-client.sh"},
		{"client", "--label-filter", "must &&", "--", "./testdata/clients/curl-client.sh"},
		{"client", "--timeout", "0s", "--", "./testdata/clients/curl-client.sh"},
	} {
		o := runBinary(t, 30*time.Second, nil, args...)
		if o.code != exitUsage {
			t.Errorf("%v: exit %d, want %d\nstderr:\n%s", args, o.code, exitUsage, o.stderr)
		}
	}
}

// TestListClients: `list --clients` lists the client catalog, and only it.
func TestListClients(t *testing.T) {
	t.Parallel()
	o := runBinary(t, 30*time.Second, nil, "list", "--clients")
	if o.code != 0 {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	for _, r := range catalog.Clients() {
		if !strings.Contains(o.stdout, r.ID) {
			t.Errorf("%s is not listed", r.ID)
		}
	}
	if strings.Contains(o.stdout, "TOKEN-") {
		t.Errorf("server requirements listed with --clients:\n%s", o.stdout)
	}
}
