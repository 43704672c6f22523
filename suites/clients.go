package suites

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	"github.com/onsi/ginkgo/v2/types"
)

// Bounds of a well-behaved client, stated in the checks' titles and messages.
const (
	// minRetryGap is the least time between a token request answered 5xx and the next
	// one: at most 4 token requests a second.
	minRetryGap = 250 * time.Millisecond
	// maxTokenRequests bounds the token requests after a 500, and after an expiry or a
	// revocation: a few, never a loop.
	maxTokenRequests = 3
	// maxStaleCalls bounds the calls answered 401 after an expiry or a revocation.
	maxStaleCalls = 3
)

// The client suite: one top-level container labelled "client", so a run of the server
// suites (label "server") never selects it and RunClient selects nothing else. The
// checks run in catalog order; each runs the scenarios it needs the first time.
var _ = Describe("client conformance", Label(clientLabel), func() {
	ReportAfterEach(func(r SpecReport) {
		st := clientSt
		if st == nil || st.progress == nil || r.LeafNodeType != types.NodeTypeIt || len(r.ReportEntries) == 0 {
			return
		}
		fmt.Fprintln(st.progress, st.red.String(progressLine(r)))
	})

	clientCheck("CLIENT-FORM-001", func(t *clientT) {
		t.eachRequest(true, "POST with Content-Type: application/x-www-form-urlencoded (the docs: not JSON)",
			func(_ *clientRun, rec Recorded) string { return formRule(rec) })
	})
	clientCheck("CLIENT-FORM-002", func(t *clientT) {
		t.eachRequest(true, "grant_type=client_credentials, once, in the form body",
			func(_ *clientRun, rec Recorded) string { return grantRule(rec) })
	})
	clientCheck("CLIENT-FORM-005", func(t *clientT) {
		t.eachRequest(false, "credentials only in the form body, never in the URL (RFC 6749 §2.3.1)",
			func(run *clientRun, rec Recorded) string {
				return queryRule(rec, leakForms(run.account.ClientID, run.account.ClientSecret))
			})
	})
	clientCheck("CLIENT-FORM-003", judgeCredentials)
	clientCheck("CLIENT-FORM-004", judgeNonASCII)
	clientCheck("CLIENT-BEARER-001", func(t *clientT) {
		t.eachCall("Authorization: Bearer <token> on every call of the protected path (RFC 6750 §2.1)",
			func(_ *clientRun, rec Recorded) string { return bearerRule(rec) })
	})
	clientCheck("CLIENT-BEARER-002", func(t *clientT) {
		t.eachCall("the access_token exactly as the token endpoint issued it: no quotes, whitespace or truncation",
			func(_ *clientRun, rec Recorded) string { return issuedRule(rec, t.st.issued) })
	})
	clientCheck("CLIENT-FLOW-001", judgeFlow)
	clientCheck("CLIENT-REUSE-001", judgeReuse)
	clientCheck("CLIENT-RENEW-001", judgeRenew)
	clientCheck("CLIENT-RETRY-001", judgeRetry)
	clientCheck("CLIENT-SECRET-001", judgeSecrecy)
})

// eachRequest judges every recorded request of every scenario (only those to the token
// endpoint when tokenOnly) by rule, failing on the first violation.
func (t *clientT) eachRequest(tokenOnly bool, expected string, rule func(*clientRun, Recorded) string) {
	n := 0
	for _, run := range t.st.scenarios(t.ctx) {
		for _, rec := range run.reqs {
			if tokenOnly && !isTokenRequest(rec) {
				continue
			}
			n++
			if v := rule(run, rec); v != "" {
				t.evidence(run, rec)
				t.fail(expected, t.sent(run, rec), v)
			}
		}
	}
	if n == 0 {
		t.notJudged("the client sent no request in any scenario (see CLIENT-FLOW-001)")
	}
	t.compared("%s in %d scenarios: all as expected", clPlural(n, "request"), len(allScenarios))
}

// eachCall judges every call of the protected path in every scenario by rule.
func (t *clientT) eachCall(expected string, rule func(*clientRun, Recorded) string) {
	n := 0
	for _, run := range t.st.scenarios(t.ctx) {
		for _, rec := range run.filter(t.st.cfg.ProtectedPath, 0) {
			n++
			if v := rule(run, rec); v != "" {
				t.evidence(run, rec)
				t.fail(expected, t.sent(run, rec), v)
			}
		}
	}
	if n == 0 {
		t.notJudged("the client called the protected path in no scenario (see CLIENT-FLOW-001)")
	}
	t.compared("%s of %s in %d scenarios: all as expected", clPlural(n, "call"), t.st.cfg.ProtectedPath, len(allScenarios))
}

// judgeCredentials is CLIENT-FORM-003: the plain and the printable-ASCII special account.
func judgeCredentials(t *clientT) {
	var done []string
	for _, name := range []string{scHappy, scASCII} {
		run := t.scenario(name)
		reqs := run.tokenRequests()
		if len(reqs) == 0 {
			if name == scHappy {
				t.notJudged("the client sent no token request with valid credentials (see CLIENT-FLOW-001)")
			}
			t.fail("a token request whose form decodes to the given client_id and client_secret",
				fmt.Sprintf("scenario %q (%s): no token request", run.name, run.account.ClientID),
				"the client refused a printable-ASCII secret or failed before sending it; "+run.ended()+", "+run.outputTail())
		}
		for _, rec := range reqs {
			if v := credentialsRule(rec, run.account); v != "" {
				t.evidence(run, rec)
				t.fail("a form body that decodes to exactly the given client_id and client_secret (each value percent-encoded as RFC 6749 Appendix B says)",
					t.sent(run, rec), v)
			}
		}
		t.evidence(run, reqs...)
		done = append(done, fmt.Sprintf("%s: %s ✓", run.account.ClientID, clPlural(len(reqs), "token request")))
	}
	t.compared("%s", strings.Join(done, ", "))
}

// judgeNonASCII is CLIENT-FORM-004: a secret outside printable ASCII.
func judgeNonASCII(t *clientT) {
	run := t.scenario(scNonASCII)
	reqs := run.tokenRequests()
	if len(reqs) == 0 {
		t.fail("the secret sent UTF-8 and percent-encoded (RFC 6749 Appendix B)",
			fmt.Sprintf("scenario %q (%s): no token request", run.name, run.account.ClientID),
			"the client refused the secret or failed before sending it (RFC 6749 Appendix A.2 limits client_secret to printable ASCII, but an Apinizer password may hold any character); "+run.ended()+", "+run.outputTail())
	}
	for _, rec := range reqs {
		if v := credentialsRule(rec, run.account); v != "" {
			t.evidence(run, rec)
			t.fail("the secret sent UTF-8 and percent-encoded (RFC 6749 Appendix B), decoding to the given secret", t.sent(run, rec), v)
		}
	}
	t.evidence(run, reqs...)
	t.compared("%s: %s, decoded secret equal ✓", run.account.ClientID, clPlural(len(reqs), "token request"))
}

// judgeFlow is CLIENT-FLOW-001: the happy path works. When a request of the happy path
// broke a wire rule whose check failed, the check is blocked by that check instead.
func judgeFlow(t *clientT) {
	run := t.scenario(scHappy)
	if run.actionErr != nil {
		t.harness(run)
	}
	forms := leakForms(run.account.ClientID, run.account.ClientSecret)
	for _, rec := range run.reqs {
		token, call := isTokenRequest(rec), rec.Path == t.st.cfg.ProtectedPath
		for _, rule := range []struct {
			id     string
			broken bool
		}{
			{"CLIENT-FORM-001", token && formRule(rec) != ""},
			{"CLIENT-FORM-002", token && grantRule(rec) != ""},
			{"CLIENT-FORM-005", queryRule(rec, forms) != ""},
			{"CLIENT-FORM-003", token && credentialsRule(rec, run.account) != ""},
			{"CLIENT-BEARER-001", call && bearerRule(rec) != ""},
			{"CLIENT-BEARER-002", call && issuedRule(rec, t.st.issued) != ""},
		} {
			if rule.broken && t.st.roots[rule.id] != "" {
				t.blocked(t.st.roots[rule.id], "blocked by "+t.st.roots[rule.id]+": the happy path's own requests break it")
			}
		}
	}
	tokens, calls := run.tokenRequests(), run.filter(t.st.cfg.ProtectedPath, 0)
	expected := "a token request answered 200, then calls of the protected path answered 200, then exit 0"
	sent := fmt.Sprintf("scenario %q (%s): %s", run.name, run.account.ClientID, run.summary())
	switch {
	case run.startErr != nil || run.timedOut || run.exit != 0:
		t.evidence(run, run.reqs...)
		t.fail(expected, sent, "the client "+run.ended()+"; "+run.outputTail())
	case !anyStatus(tokens, 200):
		t.evidence(run, run.reqs...)
		t.fail(expected, sent, "no token request was answered 200")
	case !anyStatus(calls, 200):
		t.evidence(run, run.reqs...)
		t.fail(expected, sent, "no call of the protected path was answered 200")
	}
	t.evidence(run, run.reqs...)
	t.compared("exit 0; %s, %s answered 200", clPlural(len(tokens), "token request"), clPlural(countStatus(calls, 200), "call"))
}

// judgeReuse is CLIENT-REUSE-001: one token for every call of the happy path.
func judgeReuse(t *clientT) {
	run := t.scenario(scHappy)
	tokens, calls := run.tokenRequests(), run.filter(t.st.cfg.ProtectedPath, 0)
	if len(calls) < 2 {
		t.notJudged(fmt.Sprintf("the client called %s %s; a client under test must call it at least twice, so reuse can be seen",
			t.st.cfg.ProtectedPath, clPlural(len(calls), "time")))
	}
	used := map[string]bool{}
	for _, c := range calls {
		if tok := bearerToken(c.Header); tok != "" {
			used[tok] = true
		}
	}
	if len(tokens) != 1 || len(used) != 1 {
		t.evidence(run, tokens...)
		t.fail("one token request, its token reused for every call while it is valid (expires_in)",
			fmt.Sprintf("scenario %q (%s): %s", run.name, run.account.ClientID, run.summary()),
			fmt.Sprintf("%s and %s with %s for %s", clPlural(len(tokens), "token request"), clPlural(len(used), "distinct token"),
				"no expiry in between", clPlural(len(calls), "call")))
	}
	t.evidence(run, run.reqs...)
	t.compared("%s with 1 token request", clPlural(len(calls), "call"))
}

// judgeRenew is CLIENT-RENEW-001: after an expiry and after a revocation the client gets
// a new token and succeeds, without a loop.
func judgeRenew(t *clientT) {
	var done []string
	for _, name := range []string{scExpiry, scRevoked} {
		run := t.scenario(name)
		if run.actionErr != nil {
			t.harness(run)
		}
		expected := "after the 401 of a stale token: a new token (at most 3 token requests), a call answered 200 with it, exit 0"
		sent := fmt.Sprintf("scenario %q (%s): %s", run.name, run.account.ClientID, run.summary())
		if run.actedAt < 0 {
			t.evidence(run, run.reqs...)
			t.fail(expected, sent, "no call of the protected path was answered 200, so there was no token to expire or revoke; "+run.ended()+", "+run.outputTail())
		}
		stale := run.reqs[run.actedAt].Header.Get("Authorization")
		after := run.reqs[run.actedAt+1:]
		var newTokens, refused, renewed int
		for _, rec := range after {
			switch {
			case isTokenRequest(rec):
				newTokens++
			case rec.Path == t.st.cfg.ProtectedPath && rec.Status == 401:
				refused++
			case rec.Path == t.st.cfg.ProtectedPath && rec.Status == 200 && rec.Header.Get("Authorization") != stale:
				renewed++
			}
		}
		var got string
		switch {
		case newTokens > maxTokenRequests || run.dropped > 0:
			got = fmt.Sprintf("%d token requests after the token went stale: a loop", newTokens+run.dropped)
		case refused > maxStaleCalls:
			got = fmt.Sprintf("%d calls answered 401 after the token went stale: the client kept using it", refused)
		case newTokens == 0 || renewed == 0:
			got = "no new token was used successfully after the token went stale; " + run.ended() + ", " + run.outputTail()
		case run.startErr != nil || run.timedOut || run.exit != 0:
			got = "the client " + run.ended() + "; " + run.outputTail()
		}
		if got != "" {
			t.evidence(run, run.reqs...)
			t.fail(expected, sent, got)
		}
		t.evidence(run, run.reqs[run.actedAt:]...)
		done = append(done, fmt.Sprintf("%s: %d × 401, %s, %d × 200 with it ✓", name, refused, clPlural(newTokens, "new token request"), renewed))
	}
	t.compared("%s", strings.Join(done, "; "))
}

// judgeRetry is CLIENT-RETRY-001: after a 500 of the token endpoint, a retry after a
// delay or a clean failure.
func judgeRetry(t *clientT) {
	run := t.scenario(scServerError)
	if run.actionErr != nil {
		t.harness(run)
	}
	tokens := run.tokenRequests()
	expected := fmt.Sprintf("after the 500: a retry no sooner than %s later (at most %d token requests in all), or a clean failure (non-zero exit)",
		minRetryGap, maxTokenRequests+1)
	sent := fmt.Sprintf("scenario %q (%s): %s", run.name, run.account.ClientID, run.summary())
	if len(tokens) == 0 || tokens[0].Status != 500 {
		t.evidence(run, run.reqs...)
		t.fail(expected, sent, "no token request met the injected 500; "+run.ended()+", "+run.outputTail())
	}
	for i := 1; i < len(tokens); i++ {
		if gap := tokens[i].Time.Sub(tokens[i-1].Time); tokens[i-1].Status >= 500 && gap < minRetryGap {
			t.evidence(run, tokens[i-1], tokens[i])
			t.fail(expected, sent, fmt.Sprintf("token request %d came %s after a %d: no delay", i+1, gap.Round(time.Millisecond), tokens[i-1].Status))
		}
	}
	t.evidence(run, tokens...)
	obtained := anyStatus(tokens, 200)
	switch {
	case len(tokens) > maxTokenRequests+1 || run.dropped > 0:
		t.fail(expected, sent, fmt.Sprintf("%d token requests: a retry loop", len(tokens)+run.dropped))
	case run.startErr != nil || run.timedOut:
		t.fail(expected, sent, "the client "+run.ended())
	case !obtained && run.exit == 0:
		t.fail(expected, sent, "exit 0 without a token: the failure does not show in the exit status")
	}
	if obtained {
		t.compared("500, then %s; a token obtained; %s", clPlural(len(tokens)-1, "retry"), run.ended())
	} else {
		t.compared("500, then a clean failure (%s) after %s", run.ended(), clPlural(len(tokens), "token request"))
	}
}

// judgeSecrecy is CLIENT-SECRET-001: no secret and no token in any scenario's output.
func judgeSecrecy(t *clientT) {
	runs := t.st.scenarios(t.ctx)
	var tokens []string
	for tok := range t.st.issued {
		tokens = append(tokens, tok)
	}
	var bytesRead, encodings int
	for _, run := range runs {
		forms := leakForms(run.account.ClientID, run.account.ClientSecret)
		encodings = max(encodings, len(forms))
		for _, out := range []struct {
			name string
			data []byte
		}{{"stdout", run.stdout}, {"stderr", run.stderr}} {
			bytesRead += len(out.data)
			for _, leak := range []struct {
				what  string
				forms []string
			}{{"the client secret", forms}, {"a token", tokens}} {
				if line, text := findLeak(out.data, leak.forms); line > 0 {
					t.fail("no secret and no token on stdout or stderr (the docs: store tokens securely)",
						fmt.Sprintf("scenario %q (%s): the client's %s", run.name, run.account.ClientID, out.name),
						fmt.Sprintf("%s on %s line %d: %s", leak.what, out.name, line, clCut(t.st.red.String(text), 200)))
				}
			}
		}
	}
	t.compared("stdout and stderr of %d scenarios (%d bytes) searched for the secret in up to %d encodings and %s: none found",
		len(runs), bytesRead, encodings, clPlural(len(tokens), "issued token"))
}

func anyStatus(recs []Recorded, status int) bool { return countStatus(recs, status) > 0 }

func countStatus(recs []Recorded, status int) int {
	n := 0
	for _, r := range recs {
		if r.Status == status {
			n++
		}
	}
	return n
}
