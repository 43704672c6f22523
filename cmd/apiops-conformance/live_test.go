package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/spec"
)

// TestInterruptDuringExpiryWait: Ctrl-C while the run waits for a token to expire stops
// it within a second, exits 130 and records no failure for the check that was cut.
func TestInterruptDuringExpiryWait(t *testing.T) {
	t.Parallel()
	srv := serve(t, expiring(liveMock(time.Hour), honestExpiry(8*time.Second), nil)) // waits of seconds: room for a loaded machine
	dir := t.TempDir()
	cmd := exec.Command(binary(t), liveArgs(srv.URL, "--max-expiry-wait", "20s", "--report-dir", dir)...)
	cmd.Env = withoutAPIOPS()
	var stdout lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "waiting") {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the run never said it was waiting:\n%s", stdout.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the child's output, not waiting for time
	}
	sent := time.Now()
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	took := time.Since(sent)
	code := cmd.ProcessState.ExitCode()
	if code != 130 || took > time.Second {
		t.Errorf("exit %d (%v) %s after SIGINT, want 130 within 1s\n%s", code, err, took.Round(time.Millisecond), stdout.String())
	}
	r, err := reports.ReadJSON(dir + "/conformance.json")
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedIDs(r); len(ids) > 0 || r.Run.Status != reports.RunInterrupted {
		t.Errorf("failed %v, run %+v; want no failure and an interrupted run", ids, r.Run)
	}
}

// TestRevokeCommand: --revoke-command revokes a token of a live target, which unlocks
// TOKEN-EXP-004; the token reaches the command in $APIOPS_TOKEN, never on its command line.
func TestRevokeCommand(t *testing.T) {
	t.Parallel()
	mock := mockserver.New(mockserver.Config{Users: fixtures.Default(), TokenTTL: time.Hour, Control: true})
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_mock/") && r.Header.Get("X-Test-Revoker") == "" {
			http.NotFound(w, r) // the harness must not find the control API
			return
		}
		mock.ServeHTTP(w, r)
	}))
	revoker := fmt.Sprintf("%s -test.run='^TestRevokeHelper$'", os.Args[0])
	o := runBinary(t, 60*time.Second, []string{"APIOPS_TEST_REVOKE_URL=" + srv.URL},
		liveArgs(srv.URL, "--revoke-command", revoker, "--report-dir", t.TempDir())...)
	r := o.result(t)
	if s := statusOf(r, "TOKEN-EXP-004"); s != reports.Passed {
		t.Errorf("TOKEN-EXP-004 %s, want passed\n%s", s, o.stdout)
	}
	broken := runBinary(t, 60*time.Second, nil, liveArgs(srv.URL, "--revoke-command", "exit 3", "--report-dir", t.TempDir())...)
	if s := statusOf(broken.result(t), "TOKEN-EXP-004"); s != reports.NotJudged {
		t.Errorf("a failing revoke command: TOKEN-EXP-004 %s, want not judged", s)
	}
}

// TestRevokeHelper is the revoke command of TestRevokeCommand: it revokes $APIOPS_TOKEN
// through the mock's control API.
func TestRevokeHelper(t *testing.T) {
	base := os.Getenv("APIOPS_TEST_REVOKE_URL")
	if base == "" {
		t.Skip("only run as TestRevokeCommand's revoke command")
	}
	body, _ := json.Marshal(map[string]string{"token": os.Getenv("APIOPS_TOKEN")})
	req, _ := http.NewRequest(http.MethodPost, base+"/_mock/revoke", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Revoker", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("revoke: %v %v", err, resp)
	}
	resp.Body.Close()
}

// TestNoSilentEmbeddedMode: a base URL that is set but empty is a usage error, never a
// run of the embedded mock.
func TestNoSilentEmbeddedMode(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]outcome{
		"APIOPS_BASE_URL=": runBinary(t, 30*time.Second, []string{"APIOPS_BASE_URL="}, "run"),
		"--base-url=":      runBinary(t, 30*time.Second, nil, "run", "--base-url="),
		"--base-url \"\"":  runBinary(t, 30*time.Second, nil, "run", "--base-url", ""),
	} {
		if o.code != 2 || !strings.Contains(o.stderr, "base-url") {
			t.Errorf("%s: exit %d, want 2 naming --base-url\n%s%s", name, o.code, o.stdout, o.stderr)
		}
	}
	o := runBinary(t, 30*time.Second, nil, "run", "--label-filter", "TOKEN-FORM-001")
	if first, _, _ := strings.Cut(o.stdout, "\n"); !strings.Contains(first, "embedded demo mock (not your deployment)") {
		t.Errorf("the first line does not say the embedded mock is judged: %q", first)
	}
}

// TestSingleUseTokens: a token that works only once fails the reuse check.
func TestSingleUseTokens(t *testing.T) {
	t.Parallel()
	srv := serve(t, singleUse(liveMock(time.Hour)))
	o := runBinary(t, 60*time.Second, nil, liveArgs(srv.URL, "--report-dir", t.TempDir())...)
	if s := statusOf(o.result(t), "TOKEN-BEARER-007"); s != reports.Failed || o.code != 1 {
		t.Errorf("TOKEN-BEARER-007 %s, exit %d; want failed and 1\n%s", s, o.code, o.stdout)
	}
}

// TestStrictScope: --strict=SCOPE gates only on the SHOULD requirements of that kind of
// source. A target without Cache-Control: no-store breaks an RFC SHOULD only.
func TestStrictScope(t *testing.T) {
	t.Parallel()
	mock := liveMock(time.Hour)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded(mock, r)
		if r.URL.Path == spec.TokenPath {
			rec.Header().Del("Cache-Control")
		}
		replay(w, rec, nil)
	}))
	for scope, want := range map[string]int{"": 0, "--strict=docs": 0, "--strict=rfc": 1, "--strict": 1} {
		args := liveArgs(srv.URL, "--label-filter", "TOKEN-SUCCESS-006 || TOKEN-FORM-001")
		if scope != "" {
			args = append(args, scope)
		}
		if o := runBinary(t, 60*time.Second, nil, args...); o.code != want {
			t.Errorf("%q: exit %d, want %d\n%s", scope, o.code, want, o.stdout)
		}
	}
}

func withoutAPIOPS() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "APIOPS_") {
			env = append(env, kv)
		}
	}
	return env
}

// lockedBuffer is a bytes.Buffer safe for a child's output and the test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestUnreliableTargetEndsEarly: a target that answers one request in three ends the run
// as could not judge (exit 3) long before any run deadline: in the preflight when it hangs
// there, else after a few unanswered requests and a failed liveness probe.
func TestUnreliableTargetEndsEarly(t *testing.T) {
	t.Parallel()
	for name, wantReason := range map[string]string{"from the first request": "Could not reach", "after the preflight": "stopped answering"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			flaky := oneInThree(liveMock(time.Hour), t.Context())
			var h http.Handler = flaky
			if name == "after the preflight" {
				var mu sync.Mutex
				n := 0
				mock := liveMock(time.Hour)
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					n++
					first := n <= 2
					mu.Unlock()
					if first {
						mock.ServeHTTP(w, r)
						return
					}
					flaky.ServeHTTP(w, r)
				})
			}
			o := runBinary(t, 60*time.Second, nil, liveArgs(serve(t, h).URL, "--timeout", "1s", "--report-dir", t.TempDir())...)
			r := o.result(t)
			if o.code != 3 || r.Run.Status != reports.RunCouldNotJudge || !strings.Contains(r.Run.Reason, wantReason) {
				t.Errorf("exit %d, run %+v; want 3, could not judge: %s\n%s", o.code, r.Run, wantReason, o.stdout)
			}
			t.Logf("one answer in three %s, --timeout 1s: ended after %s", name, o.elapsed.Round(time.Millisecond))
		})
	}
}
