package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/spec"
)

// A foreign target is a token endpoint built on a real OAuth2 server library, unmodified
// and configured as its own documentation shows. The runner judges it, and every check's
// status is compared with an expected-verdict table under testdata/foreign, so that a
// change of verdict is a deliberate, reviewed edit of that table.

// goOAuth2Target serves the token path and the protected path with
// github.com/go-oauth2/oauth2/v4, configured as its README's quick start does: the
// default manager, the in-memory token store, a client store holding every active
// account of users as a client (username as client ID, password as secret), and the
// library's default error handling. Two choices follow the vendor docs rather than the
// README: credentials are read from the form body (server.ClientFormHandler, which the
// README sets too; the library's default is HTTP Basic), and only the client credentials
// grant is allowed (the README also allows GET token requests; the library's default,
// POST only, is kept). The library has no notion of disabled or locked accounts, so those
// accounts are left out.
//
// The protected path validates the Bearer token with the library's ValidationBearerToken
// and, as the library's example server does, answers a refused token with the error's
// text as text/plain, but with status 401 (the example uses 400; the vendor docs promise
// 401). The library offers no WWW-Authenticate challenge.
func goOAuth2Target(t *testing.T, users fixtures.Set) http.Handler {
	t.Helper()
	manager := manage.NewDefaultManager()
	manager.MustTokenStorage(store.NewMemoryTokenStore())
	clients := store.NewClientStore()
	for _, u := range users.Users {
		if !u.Active() {
			continue
		}
		if err := clients.Set(u.Username, &models.Client{ID: u.Username, Secret: u.Password}); err != nil {
			t.Fatalf("go-oauth2 client store: %v", err)
		}
	}
	manager.MapClientStorage(clients)

	srv := server.NewDefaultServer(manager)
	srv.SetClientInfoHandler(server.ClientFormHandler)
	srv.SetAllowedGrantType(oauth2.ClientCredentials)

	mux := http.NewServeMux()
	mux.HandleFunc(spec.TokenPath, func(w http.ResponseWriter, r *http.Request) {
		_ = srv.HandleTokenRequest(w, r)
	})
	mux.HandleFunc(spec.ProjectsPath, func(w http.ResponseWriter, r *http.Request) {
		_, err := srv.ValidationBearerToken(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		// The library validates the token; the application behind it answers as the
		// vendor's List Projects does, with the caller's (here: no) projects.
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "SUCCESS", "resultList": []any{}, "resultCount": 0})
	})
	return mux
}

// verdict is one row of an expected-verdict table: a check's status and why.
type verdict struct {
	status reports.Status
	reason string
}

// readVerdicts reads a table of ID<TAB>status<TAB>reason lines; blank lines and lines
// starting with # are comments.
func readVerdicts(path string) (map[string]verdict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read verdicts: %w", err)
	}
	defer f.Close()
	out := map[string]verdict{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, "\t", 3)
		if len(fields) != 3 || fields[0] == "" || fields[1] == "" || strings.TrimSpace(fields[2]) == "" {
			return nil, fmt.Errorf("%s:%d: want ID<TAB>status<TAB>reason, got %q", path, n, line)
		}
		if _, dup := out[fields[0]]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", path, n, fields[0])
		}
		out[fields[0]] = verdict{status: reports.Status(fields[1]), reason: fields[2]}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read verdicts %s: %w", path, err)
	}
	return out, nil
}

// compareVerdicts returns the differences between a run's statuses and the expected
// table, and the table as it would be if it matched the run: rows whose status changed
// or that are new get a "TODO" reason that names the old status and the check's message.
func compareVerdicts(want map[string]verdict, r reports.Result) (diffs []string, table string) {
	var b strings.Builder
	seen := map[string]bool{}
	for _, c := range r.Checks {
		seen[c.ID] = true
		w, ok := want[c.ID]
		reason := w.reason
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: %s, not in the table", c.ID, c.Status))
			reason = "TODO (new check)" + withMessage(c.Message)
		case w.status != c.Status:
			diffs = append(diffs, fmt.Sprintf("%s: %s, want %s (%s)", c.ID, c.Status, w.status, w.reason))
			reason = fmt.Sprintf("TODO (was %s: %s)", w.status, w.reason) + withMessage(c.Message)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", c.ID, c.Status, reason)
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if !seen[id] {
			diffs = append(diffs, fmt.Sprintf("%s: in the table (%s) but not run", id, want[id].status))
		}
	}
	return diffs, b.String()
}

// withMessage returns ": " and the first line of a check's message, or "" if it has none.
func withMessage(msg string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	if line == "" {
		return ""
	}
	return ": " + line
}

// TestForeignGoOAuth2 judges the go-oauth2 target and compares every check's status with
// testdata/foreign/go-oauth2.tsv.
func TestForeignGoOAuth2(t *testing.T) {
	t.Parallel()
	users := fixtures.Default()
	srv := httptest.NewServer(goOAuth2Target(t, users))
	t.Cleanup(srv.Close)
	bob, ok := users.User("bob")
	if !ok {
		t.Fatal("no special account bob in the default fixtures")
	}
	o := runBinary(t, 90*time.Second, nil, "run", "--base-url", srv.URL,
		"--client-id", "alice", "--client-secret", "alice-secret",
		"--special-client-id", bob.Username, "--special-client-secret", bob.Password,
		"--timeout", "5s", "--report-dir", t.TempDir())
	if o.code != 0 && o.code != 1 {
		t.Fatalf("exit %d, want a judged run (0 or 1)\nstdout:\n%s\nstderr:\n%s", o.code, o.stdout, o.stderr)
	}
	want, err := readVerdicts(filepath.Join("testdata", "foreign", "go-oauth2.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if diffs, table := compareVerdicts(want, o.result(t)); len(diffs) > 0 {
		t.Errorf("go-oauth2 verdicts changed:\n  %s\n\nthe table matching this run (review, then paste into testdata/foreign/go-oauth2.tsv):\n%s",
			strings.Join(diffs, "\n  "), table)
	}
}

func TestCompareVerdicts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "v.tsv")
	table := "# comment\n\nA-001\tpassed\tconforms\nA-002\tfailed\tdiffers\nA-004\tskipped\tnot judged\n"
	if err := os.WriteFile(path, []byte(table), 0o600); err != nil {
		t.Fatal(err)
	}
	want, err := readVerdicts(path)
	if err != nil || len(want) != 3 {
		t.Fatalf("readVerdicts: %v, %v", want, err)
	}
	r := reports.Result{Checks: []reports.Check{
		{ID: "A-001", Status: reports.Passed},
		{ID: "A-002", Status: reports.Passed},
		{ID: "A-003", Status: reports.Failed, Message: "expected: x\ngot: y"},
	}}
	diffs, got := compareVerdicts(want, r)
	wantDiffs := []string{"A-002: passed, want failed (differs)", "A-003: failed, not in the table", "A-004: in the table (skipped) but not run"}
	if !slices.Equal(diffs, wantDiffs) {
		t.Errorf("diffs %q, want %q", diffs, wantDiffs)
	}
	wantTable := "A-001\tpassed\tconforms\nA-002\tpassed\tTODO (was failed: differs)\nA-003\tfailed\tTODO (new check): expected: x\n"
	if got != wantTable {
		t.Errorf("table %q, want %q", got, wantTable)
	}
	for _, bad := range []string{"A-001\tpassed\n", "A-001\tpassed\tx\nA-001\tfailed\ty\n", "A-001 passed reason\n"} {
		_ = os.WriteFile(path, []byte(bad), 0o600)
		if _, err := readVerdicts(path); err == nil {
			t.Errorf("readVerdicts(%q): no error", bad)
		}
	}
}
