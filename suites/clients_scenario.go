package suites

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/apiops/apiops-conformance/spec"
)

// The scenarios: each runs the client command once, with one account and one twist.
const (
	scHappy       = "happy path"
	scASCII       = "printable-ASCII special secret"
	scNonASCII    = "non-ASCII secret"
	scExpiry      = "token expires after the first call"
	scRevoked     = "token revoked after the first call"
	scServerError = "token endpoint answers 500 once"
)

// allScenarios lists every scenario in the order they run.
var allScenarios = []string{scHappy, scASCII, scNonASCII, scExpiry, scRevoked, scServerError}

// maxOutput bounds what is kept of a client's stdout and of its stderr.
const maxOutput = 1 << 20

// clientRun is what one scenario recorded: the client's requests, raw, and its output.
type clientRun struct {
	name     string
	account  Account
	reqs     []Recorded
	dropped  int // requests beyond recordMaxRequests, only counted
	stdout   []byte
	stderr   []byte
	exit     int // the exit status; -1 when killed or not started
	timedOut bool
	startErr error
	// actedAt is the index in reqs of the call after which the scenario's action (advance
	// the clock, revoke) ran; -1 when it never ran. actionErr is the action's failure.
	actedAt   int
	actionErr error
	elapsed   time.Duration
}

// scenarioAccount returns the account a scenario uses.
func (s *clientState) scenarioAccount(name string) Account {
	switch name {
	case scASCII:
		return s.cfg.ASCIISpecial
	case scNonASCII:
		return s.cfg.NonASCII
	}
	return s.cfg.Account
}

// scenario returns the named scenario's run, running it first if it has not run yet.
func (s *clientState) scenario(ctx context.Context, name string) *clientRun {
	if r, ok := s.runs[name]; ok {
		return r
	}
	r := s.execute(ctx, name)
	s.runs[name] = r
	for _, rec := range r.reqs {
		if rec.Issued != "" {
			s.issued[rec.Issued] = true
			s.red.Add(rec.Issued)
		}
	}
	if s.progress != nil {
		fmt.Fprintf(s.progress, "  scenario %q: %s\n", name, s.red.String(r.summary()))
	}
	return r
}

// scenarios runs (or returns) every scenario.
func (s *clientState) scenarios(ctx context.Context) []*clientRun {
	runs := make([]*clientRun, len(allScenarios))
	for i, name := range allScenarios {
		runs[i] = s.scenario(ctx, name)
	}
	return runs
}

// execute resets the mock, arms the scenario's twist and runs the client once.
func (s *clientState) execute(ctx context.Context, name string) *clientRun {
	r := &clientRun{name: name, account: s.scenarioAccount(name), exit: -1, actedAt: -1}
	ctrl := s.cfg.Control
	if err := ctrl.Reset(ctx); err != nil {
		r.actionErr = fmt.Errorf("reset the mock: %w", err)
		return r
	}
	if name == scServerError {
		if err := ctrl.FailNextTokens(ctx, 1); err != nil {
			r.actionErr = fmt.Errorf("make the next token request fail: %w", err)
			return r
		}
	}
	var mu sync.Mutex
	var lifetime int64 // expires_in of the latest issued token
	done := false      // the scenario is over: a late request changes nothing
	hook := func(i int, rec Recorded) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		if rec.Issued != "" {
			lifetime = rec.ExpiresIn
		}
		if r.actedAt >= 0 || r.actionErr != nil || rec.Path != s.cfg.ProtectedPath || rec.Status != 200 {
			return
		}
		switch name {
		case scExpiry:
			if lifetime <= 0 {
				r.actionErr = errors.New("the token has no expires_in: it cannot expire")
				return
			}
			r.actionErr = ctrl.Advance(ctx, time.Duration(lifetime+60)*time.Second)
		case scRevoked:
			r.actionErr = ctrl.RevokeUser(ctx, r.account.ClientID)
		default:
			return
		}
		r.actedAt = i
	}
	s.cfg.Recorder.start(hook)
	start := time.Now()
	s.runCommand(ctx, r)
	r.elapsed = time.Since(start)
	r.reqs, r.dropped = s.cfg.Recorder.stop()
	mu.Lock()
	defer mu.Unlock()
	done = true
	return r
}

// runCommand runs the client command within the scenario timeout, in its own process
// group, killed whole when the time is up or ctx ends.
func (s *clientState) runCommand(ctx context.Context, r *clientRun) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.cfg.Command[0], s.cfg.Command[1:]...)
	cmd.Dir = s.cfg.Dir
	cmd.Env = clientEnv(os.Environ(), s.cfg.BaseURL, r.account)
	stdout, stderr := &cappedBuffer{max: maxOutput}, &cappedBuffer{max: maxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	ownProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Start()
	if err != nil {
		r.startErr = err
		return
	}
	err = cmd.Wait()
	_ = killProcessGroup(cmd) // children the client left behind
	r.stdout, r.stderr = stdout.buf, stderr.buf
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.timedOut = true
	case err == nil:
		r.exit = 0
	case errors.As(err, &exitErr):
		r.exit = exitErr.ExitCode()
	default:
		r.startErr = err
	}
}

// clientEnv is the harness's environment without its APIOPS_* variables, plus the
// client's three, and loopback exempted from any HTTP proxy.
func clientEnv(environ []string, baseURL string, a Account) []string {
	env := make([]string, 0, len(environ)+5)
	noProxy := "127.0.0.1,localhost,::1"
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, EnvPrefix):
			continue
		case name == "NO_PROXY" || name == "no_proxy":
			if value != "" {
				noProxy = value + "," + noProxy
			}
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		envClientBaseURL+"="+baseURL,
		envClientClientID+"="+a.ClientID,
		envClientClientSecret+"="+a.ClientSecret,
		"NO_PROXY="+noProxy, "no_proxy="+noProxy)
}

// cappedBuffer keeps the first max bytes written to it and drops the rest.
type cappedBuffer struct {
	max int
	buf []byte
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// tokenRequests returns the scenario's requests to the token endpoint, with their index.
func (r *clientRun) tokenRequests() []Recorded { return r.filter(spec.TokenPath, 0) }

// calls returns the scenario's requests to path from index from on.
func (r *clientRun) filter(path string, from int) []Recorded {
	var out []Recorded
	for i := max(from, 0); i < len(r.reqs); i++ {
		if r.reqs[i].Path == path {
			out = append(out, r.reqs[i])
		}
	}
	return out
}

// ended says how the client ended: "exit 0", "killed after --timeout 30s", ….
func (r *clientRun) ended() string {
	switch {
	case r.startErr != nil:
		return "could not be started: " + r.startErr.Error()
	case r.timedOut:
		return "still running after the scenario timeout: killed with its process group"
	}
	return fmt.Sprintf("exit %d", r.exit)
}

// summary is the one-line account of a scenario for progress and messages.
func (r *clientRun) summary() string {
	if r.actionErr != nil && len(r.reqs) == 0 && r.exit == -1 && !r.timedOut && r.startErr == nil {
		return "not run: " + r.actionErr.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s after %s; ", r.ended(), r.elapsed.Round(time.Millisecond))
	var tokens, calls []string
	for _, rec := range r.reqs {
		switch rec.Path {
		case spec.TokenPath:
			tokens = append(tokens, fmt.Sprint(rec.Status))
		default:
			calls = append(calls, fmt.Sprint(rec.Status))
		}
	}
	fmt.Fprintf(&b, "%s%s, %s%s", clPlural(len(tokens), "token request"), clShortList(tokens),
		clPlural(len(calls), "other request"), clShortList(calls))
	if r.dropped > 0 {
		fmt.Fprintf(&b, ", %d more not kept", r.dropped)
	}
	return b.String()
}

func clPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// clShortList joins at most 8 items in parentheses, after a space; "" for none.
func clShortList(items []string) string {
	switch {
	case len(items) == 0:
		return ""
	case len(items) > 8:
		return " (" + strings.Join(items[:8], ", ") + fmt.Sprintf(", … %d more)", len(items)-8)
	}
	return " (" + strings.Join(items, ", ") + ")"
}

// stderrTail returns the last lines of the client's stderr (or stdout), for messages;
// the caller redacts it.
func (r *clientRun) outputTail() string {
	out := r.stderr
	if len(strings.TrimSpace(string(out))) == 0 {
		out = r.stdout
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	s := strings.Join(lines, " | ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		return "no output"
	}
	return "output: " + s
}
