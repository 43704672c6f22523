package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/wire"
)

// Requirement IDs of the upstream's answers (the server catalog).
const (
	RuleTokenContract     = "TOKEN-SPEC-001" // token endpoint answers match the contract
	RuleProtectedContract = "TOKEN-SPEC-002" // protected path answers match the contract
)

// pathKind is what the proxy judges on a path.
type pathKind int

const (
	pathOther     pathKind = iota // passed through unjudged
	pathToken                     // the token endpoint: request rules and the contract
	pathProjects                  // the contract's protected path: Bearer rule and the contract
	pathProtected                 // any other /apiops/ path: the Bearer rule only
)

func classify(path string) pathKind {
	switch {
	case path == spec.TokenPath:
		return pathToken
	case path == spec.ProjectsPath:
		return pathProjects
	case strings.HasPrefix(path, "/apiops/"):
		return pathProtected
	}
	return pathOther
}

// exchangeKey carries the *exchange in the outbound request's context.
type exchangeKey struct{}

// exchange is what the proxy saw of one judged request and its answer.
type exchange struct {
	kind  pathKind
	start time.Time
	in    *http.Request // the client's request, without its body

	reqBody     []byte // the first MaxValidate bytes
	reqComplete bool

	status       int
	respHeader   http.Header
	respBody     []byte // the first MaxValidate bytes
	respComplete bool
	upstreamErr  string // set instead of status when no complete answer came back
	clientGone   bool   // the client went away; nothing to judge
	unreached    bool   // no connection to the upstream was made

	judged     []string // rule IDs judged
	violations []wire.Violation
	contract   string // the validator's full finding, redacted
	notes      []string
}

func (x *exchange) judge(rule string, vs []wire.Violation) {
	if !slices.Contains(x.judged, rule) {
		x.judged = append(x.judged, rule)
	}
	for _, v := range vs {
		if v.Rule == rule {
			x.violations = append(x.violations, v)
		}
	}
}

// contractRule is the requirement the answer on x's path is judged by, if any.
func (x *exchange) contractRule() string {
	switch x.kind {
	case pathToken:
		return RuleTokenContract
	case pathProjects:
		return RuleProtectedContract
	}
	return ""
}

// judgeRequest checks the client's request and returns the body to forward: the part
// read for judging followed by the rest, unread.
func (p *Proxy) judgeRequest(r *http.Request, x *exchange) (io.ReadCloser, error) {
	switch x.kind {
	case pathToken:
		prefix, complete, err := readPrefix(r.Body, MaxValidate)
		if err != nil {
			return nil, err
		}
		x.reqBody, x.reqComplete = prefix, complete
		if !complete {
			x.notes = append(x.notes, "request body over 1 MiB: not judged")
			return joinBody(prefix, r.Body), nil
		}
		tr, vs := wire.CheckTokenRequest(r.Method, r.URL.RawQuery, r.Header, prefix)
		p.red.Add(tr.Secrets...)
		for _, rule := range []string{wire.RuleForm, wire.RuleGrantType, wire.RuleCredentials, wire.RuleNoQueryCredentials} {
			x.judge(rule, vs)
		}
		return joinBody(prefix, r.Body), nil
	default: // pathProjects, pathProtected
		if r.Method == http.MethodOptions {
			return r.Body, nil // a CORS preflight never carries credentials
		}
		token, vs := wire.CheckBearer(r.Header)
		p.red.Add(token)
		x.judge(wire.RuleBearer, vs)
		return r.Body, nil
	}
}

// judgeResponse checks the upstream's answer against the contract.
func (p *Proxy) judgeResponse(ctx context.Context, x *exchange) {
	if x.kind == pathToken && x.status == http.StatusOK {
		p.registerTokens(x.respBody)
	}
	rule := x.contractRule()
	if rule == "" {
		return
	}
	if want := contractMethod(x.kind); x.in.Method != want {
		x.notes = append(x.notes, "the contract describes only "+want+" here: answer not judged")
		return
	}
	if !x.respComplete {
		x.notes = append(x.notes, "answer body over 1 MiB: not judged")
		return
	}
	if rule == RuleProtectedContract && x.status == http.StatusUnauthorized {
		x.judge(rule, nil) // a 401 of the protected path is judged by status only
		return
	}
	err, ok := p.validate(ctx, x)
	if !ok {
		x.notes = append(x.notes, "the contract validator failed on this answer: not judged")
		return
	}
	var vs []wire.Violation
	if err != nil {
		x.contract = p.red.String(err.Error())
		vs = append(vs, wire.Violation{Rule: rule, Message: fmt.Sprintf("the %d answer does not match the contract: %s", x.status, oneLine(x.contract))})
	}
	if x.status >= 300 && x.status < 400 {
		vs = append(vs, wire.Violation{Rule: rule, Message: fmt.Sprintf("the upstream redirected (%d); passed through, not followed", x.status)})
	}
	x.judge(rule, vs)
}

// validate runs the contract validator; ok is false when it panicked (a defect of the
// validator on a hostile answer must not take the proxy down).
func (p *Proxy) validate(ctx context.Context, x *exchange) (err error, ok bool) {
	defer func() {
		if recover() != nil {
			err, ok = nil, false
		}
	}()
	return p.validator.ValidateResponse(ctx, x.in, x.status, x.respHeader, x.respBody), true
}

// contractMethod is the method the contract describes on a judged path.
func contractMethod(k pathKind) string {
	if k == pathToken {
		return http.MethodPost
	}
	return http.MethodGet
}

// judgeNoAnswer records that the upstream gave no complete answer on a judged path.
func (p *Proxy) judgeNoAnswer(x *exchange) {
	if rule := x.contractRule(); rule != "" && x.in.Method == contractMethod(x.kind) {
		x.judge(rule, []wire.Violation{{Rule: rule, Message: x.upstreamErr}})
	}
}

// registerTokens registers the tokens of a token response for redaction.
func (p *Proxy) registerTokens(body []byte) {
	var tok struct {
		AccessToken  any `json:"access_token"`
		RefreshToken any `json:"refresh_token"`
	}
	if json.Unmarshal(body, &tok) != nil {
		return
	}
	for _, v := range []any{tok.AccessToken, tok.RefreshToken} {
		if s, ok := v.(string); ok {
			p.red.Add(s)
		}
	}
}

// finish logs a judged exchange and records it for the report.
func (p *Proxy) finish(x *exchange) {
	if x.clientGone && x.upstreamErr == "" && x.status == 0 {
		return
	}
	p.rec.add(x, p.red)
	level := slog.LevelInfo
	if len(x.violations) > 0 {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("method", oneLine(x.in.Method)),
		slog.String("path", p.red.String(x.in.URL.Path)),
		slog.Int("status", x.status),
		slog.Int64("ms", time.Since(x.start).Milliseconds()),
	}
	if line := p.headerLine(x.violations); line != "" {
		attrs = append(attrs, slog.String("violations", line))
	}
	if x.upstreamErr != "" {
		attrs = append(attrs, slog.String("error", x.upstreamErr))
	}
	if len(x.notes) > 0 {
		attrs = append(attrs, slog.String("note", strings.Join(x.notes, "; ")))
	}
	p.log.LogAttrs(context.Background(), level, "exchange", attrs...)
}

// Limits of the violations header.
const (
	maxHeaderMessage = 160
	maxHeaderLine    = 1024
)

// headerLine returns the violations as one short, redacted, printable-ASCII line.
func (p *Proxy) headerLine(vs []wire.Violation) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, v.Rule+": "+shorten(oneLine(v.Message), maxHeaderMessage))
	}
	return shorten(asciiOnly(p.red.String(strings.Join(parts, "; "))), maxHeaderLine)
}

// oneLine collapses every run of whitespace, newlines included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// asciiOnly keeps printable ASCII, writes "..." for "…" and "?" for anything else, so
// the value is a valid header on every client.
func asciiOnly(s string) string {
	s = strings.ReplaceAll(s, "…", "...")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= ' ' && r < 0x7f {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// readPrefix reads up to limit bytes of body. complete is true when the body ended
// within the limit. A nil body is empty and complete.
func readPrefix(body io.Reader, limit int) (prefix []byte, complete bool, err error) {
	if body == nil || body == http.NoBody {
		return nil, true, nil
	}
	prefix, err = io.ReadAll(io.LimitReader(body, int64(limit)+1))
	if err != nil {
		return prefix, false, err
	}
	if len(prefix) > limit {
		return prefix, false, nil
	}
	return prefix, true, nil
}

// joinBody returns a body that yields prefix and then the rest of body, and closes body.
func joinBody(prefix []byte, body io.ReadCloser) io.ReadCloser {
	if body == nil || body == http.NoBody {
		if len(prefix) == 0 {
			return http.NoBody
		}
		return io.NopCloser(bytes.NewReader(prefix))
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(prefix), body), body}
}
