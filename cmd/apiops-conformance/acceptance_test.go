package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/reports"
)

// liveArgs are the run flags for a live-like target with the default accounts and no
// control API.
func liveArgs(base string, extra ...string) []string {
	return append([]string{"run", "--base-url", base,
		"--client-id", "alice", "--client-secret", "alice-secret",
		"--special-client-id", "bob", "--special-client-secret", "p@ss w0rd&=+%ü/?#",
		"--disabled-client-id", "carol", "--disabled-client-secret", "carol-secret",
		"--locked-client-id", "dave", "--locked-client-secret", "dave-secret",
		"--timeout", "2s"}, extra...)
}

// statusOf returns the status of check id in r, or "" if it did not run.
func statusOf(r reports.Result, id string) reports.Status {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}

// accept reports every violation of an acceptance test as a failure.
func accept(t *testing.T, violations []string) {
	t.Helper()
	for _, v := range violations {
		t.Error(v)
	}
}

func TestOkToEverythingFailsTheContract(t *testing.T) {
	t.Parallel()
	srv := serve(t, okToEverything())
	o := runBinary(t, 60*time.Second, nil, liveArgs(srv.URL, "--report-dir", t.TempDir())...)
	r := o.result(t)
	var bad []string
	for _, id := range []string{"TOKEN-SPEC-001", "TOKEN-SPEC-002"} {
		if s := statusOf(r, id); s == reports.Passed {
			bad = append(bad, id+" passed for a target that answers 200 to everything")
		}
	}
	if o.code != 1 {
		bad = append(bad, fmt.Sprintf("exit %d, want 1", o.code))
	}
	accept(t, bad)
}

// TestConformantVariants: answers the docs allow, or that RFC 6749 gives where the docs are
// silent, fail no MUST check. Accepting a JSON body is allowed (the docs instruct clients),
// and only the hardening SHOULD TOKEN-FORM-005 notes it; problem+json error bodies carry
// a JSON media type (RFC 6839) and pass everywhere.
func TestConformantVariants(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		wrap   func(http.Handler) http.Handler
		failed []string // non-gating findings expected
	}{
		"JSON body accepted too":       {jsonAccepting, []string{"TOKEN-FORM-005"}},
		"problem+json errors":          {problemJSON, nil},
		"missing client_id gets 400":   {missingClientID400, nil},
		"empty client_secret gets 400": {emptySecret400, nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, tc.wrap(liveMock(time.Hour)))
			o := runBinary(t, 60*time.Second, nil, liveArgs(srv.URL, "--report-dir", t.TempDir())...)
			var bad []string
			if ids := failedIDs(o.result(t)); !slices.Equal(ids, tc.failed) || o.code != 0 {
				bad = append(bad, fmt.Sprintf("exit %d, failed %v; want 0 and %v", o.code, ids, tc.failed))
			}
			accept(t, bad)
		})
	}
}

// TestFootprintBudget: a run on a live target creates at most 6 tokens, and never makes
// two failed logins in a row, nor more than 2 in all, for any account.
func TestFootprintBudget(t *testing.T) {
	t.Parallel()
	fp, h := footprintCounter(liveMock(time.Hour), fixtures.Default())
	srv := serve(t, h)
	o := runBinary(t, 60*time.Second, nil, liveArgs(srv.URL, "--report-dir", t.TempDir())...)
	var bad []string
	if n := fp.totalIssued(); n > 6 {
		bad = append(bad, fmt.Sprintf("%d tokens created, budget 6", n))
	}
	for _, id := range fp.accounts() {
		if total, inRow := fp.failed(id); total > 2 || inRow > 1 {
			bad = append(bad, fmt.Sprintf("%s: %d failed logins, %d in a row", id, total, inRow))
		}
	}
	t.Logf("exit %d, %d tokens", o.code, fp.totalIssued())
	accept(t, bad)
}

// TestLockoutTarget: a target that locks an account after 3 failed logins in a row is
// judged without locking any.
func TestLockoutTarget(t *testing.T) {
	t.Parallel()
	l, h := lockout(liveMock(time.Hour), fixtures.Default())
	srv := serve(t, h)
	o := runBinary(t, 60*time.Second, nil, liveArgs(srv.URL, "--report-dir", t.TempDir())...)
	var bad []string
	for _, id := range []string{"alice", "bob"} {
		if l.isLocked(id) {
			bad = append(bad, id+" locked")
		}
	}
	if ids := failedIDs(o.result(t)); o.code != 0 {
		bad = append(bad, fmt.Sprintf("exit %d, failed %v", o.code, ids))
	}
	accept(t, bad)
}

// TestRateLimitedTarget: 429 answers are waited out, not judged.
func TestRateLimitedTarget(t *testing.T) {
	t.Parallel()
	l, h := rateLimit(liveMock(time.Hour), 10, nil)
	srv := serve(t, h)
	o := runBinary(t, 120*time.Second, nil, liveArgs(srv.URL, "--report-dir", t.TempDir())...)
	var bad []string
	if ids := failedIDs(o.result(t)); o.code != 0 {
		bad = append(bad, fmt.Sprintf("exit %d, failed %v after %d answers 429", o.code, ids, l.answered429()))
	}
	accept(t, bad)
}

// TestCouldNotJudge: a target that cannot be judged gives exit 3 within the time bounds,
// not a list of failed checks.
func TestCouldNotJudge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		base func(t *testing.T) string
	}{
		{"nothing listening", refusingURL},
		{"unknown CA", func(t *testing.T) string { return unknownCA(t, liveMock(time.Hour)).URL }},
		{"redirect to https", func(t *testing.T) string { return serve(t, redirectToHTTPS()).URL }},
		{"hangs", func(t *testing.T) string { return serve(t, hangAll(t.Context())).URL }},
		{"hangs on the protected path", func(t *testing.T) string { return serve(t, hangProtected(liveMock(time.Hour), t.Context())).URL }},
		{"credentials refused", func(t *testing.T) string { return serve(t, badCredentials(liveMock(time.Hour), "alice")).URL }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := runBinary(t, 60*time.Second, nil, liveArgs(tc.base(t), "--report-dir", t.TempDir())...)
			var bad []string
			if o.code != 3 {
				bad = append(bad, fmt.Sprintf("exit %d, want 3", o.code))
			}
			if limit := 2*time.Second + 3*time.Second; o.elapsed > limit { // --timeout 2s
				bad = append(bad, fmt.Sprintf("took %s, want at most --timeout + 3s", o.elapsed.Round(time.Millisecond)))
			}
			t.Logf("%s: exit %d after %s", tc.name, o.code, o.elapsed.Round(time.Millisecond))
			accept(t, bad)
		})
	}
}

// TestExpiryMeasured: the runner measures how long a token really lives (2–4 s here, on
// the real clock) and compares it with expires_in.
func TestExpiryMeasured(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		lt     lifetime
		id     string
		status reports.Status
	}{
		{"honest", honestExpiry(2 * time.Second), "TOKEN-EXP-002", reports.Passed},
		{"late", lateExpiry(2 * time.Second), "TOKEN-EXP-002", reports.Failed},
		{"early", earlyExpiry(4 * time.Second), "TOKEN-EXP-001", reports.Failed},
		{"announces 1s, lives 2s", roundingDown(2 * time.Second), "TOKEN-EXP-002", reports.Passed},
		{"whole-second clock", wholeSecondClock(2 * time.Second), "TOKEN-EXP-001", reports.Passed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, expiring(liveMock(time.Hour), tc.lt, nil))
			o := runBinary(t, 90*time.Second, nil, liveArgs(srv.URL, "--label-filter", "expiry", "--max-expiry-wait", "10s", "--report-dir", t.TempDir())...)
			var bad []string
			if s := statusOf(o.result(t), tc.id); s != tc.status {
				bad = append(bad, fmt.Sprintf("%s %s, want %s", tc.id, s, tc.status))
			}
			accept(t, bad)
		})
	}
}
