// Package proxy is a validating reverse proxy: it stands between a real client and a real
// manager, passes every exchange through unchanged, and judges the exchanges of the token
// endpoint and of Bearer-protected paths on the way — the client's requests against the
// wire rules (package suites/wire), the manager's answers against the OpenAPI contract
// (package spec). What it finds goes into a response header, the log and, at the end, a
// report in the usual formats (package reports).
//
// Answers reach the client byte for byte as the upstream sent them, with one header added
// when something broke a rule (HeaderViolations). Redirects are passed through, never
// followed. Only the first MaxValidate bytes of a body are kept for judging; the rest is
// streamed. Secrets (every client_secret and access token seen) are redacted everywhere
// the proxy writes.
package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/apiops/apiops-conformance/spec"
)

// HeaderViolations is the response header that lists, on one redacted line, the rules an
// exchange broke: "CLIENT-FORM-005: client_secret is in the URL query; …".
const HeaderViolations = "Apiops-Contract-Violations"

// MaxValidate is how much of a request or response body is kept and judged. A longer
// body is streamed through whole but not judged.
const MaxValidate = 1 << 20

// DefaultTimeout bounds one exchange when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config describes a proxy.
type Config struct {
	// Upstream is the manager's base URL (http or https); the client's path is appended.
	Upstream *url.URL
	// Timeout bounds one exchange, from the request to the last byte of the answer.
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// CACert is a PEM file of CA certificates to trust besides the system's; Insecure
	// skips the verification of the upstream's certificate.
	CACert   string
	Insecure bool
	// Transport replaces the transport built from CACert and Insecure (for tests).
	Transport http.RoundTripper
	// Logger receives one line per judged exchange, redacted. Nil means no logs.
	Logger *slog.Logger
	// Now is the clock of the report; nil means time.Now.
	Now func() time.Time
}

// Proxy is the validating reverse proxy. It implements http.Handler and is safe for
// concurrent use. Create it with New.
type Proxy struct {
	cfg       Config
	rp        *httputil.ReverseProxy
	validator *spec.Validator
	log       *slog.Logger
	red       *redactor
	rec       *recorder
	started   time.Time
}

// New returns a proxy for cfg. It fails when the upstream URL is unusable, the CA file
// cannot be read or the contract does not load.
func New(cfg Config) (*Proxy, error) {
	u := cfg.Upstream
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("proxy: the upstream must be an http or https URL with a host")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("proxy: the upstream URL must not carry credentials, a query or a fragment")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Transport == nil {
		t, err := NewTransport(cfg.CACert, cfg.Insecure, cfg.Timeout)
		if err != nil {
			return nil, err
		}
		cfg.Transport = t
	}
	v, err := spec.NewValidator()
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	p := &Proxy{
		cfg:       cfg,
		validator: v,
		log:       cfg.Logger,
		red:       newRedactor(),
		rec:       newRecorder(),
		started:   cfg.Now(),
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Header["User-Agent"] = pr.In.Header["User-Agent"] // nil stays nil: no Go default
		},
		Transport:      cfg.Transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
		ErrorLog:       log.New(logWriter{p}, "", 0),
	}
	return p, nil
}

// NewTransport returns the transport to the upstream: TLS verified against the system's
// roots plus the certificates in caCert (or not at all with insecure), the answer's
// headers awaited at most timeout. Like every http.Transport it never follows redirects.
func NewTransport(caCert string, insecure bool, timeout time.Duration) (*http.Transport, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // opt-in, warned about
	if caCert != "" {
		pem, err := os.ReadFile(caCert)
		if err != nil {
			return nil, fmt.Errorf("proxy: --ca-cert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("proxy: --ca-cert %s: no PEM certificate in the file", caCert)
		}
		tlsCfg.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  nil, // the upstream is reached directly
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsCfg,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 64 << 10,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConnsPerHost:    16,
		ForceAttemptHTTP2:      true,
	}, nil
}

// ServeHTTP passes the exchange through to the upstream, judging it on the way when it
// is one the contract describes.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Keep the answer as the upstream sent it: no Date and no sniffed Content-Type added
	// by net/http when the upstream sent none (copied values are appended to these).
	w.Header()["Date"] = nil
	w.Header()["Content-Type"] = nil

	ctx, cancel := context.WithTimeout(r.Context(), p.cfg.Timeout)
	defer cancel()
	kind := classify(r.URL.Path)
	if kind == pathOther {
		p.rp.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	x := &exchange{kind: kind, start: time.Now(), in: r.Clone(context.Background())}
	x.in.Body = nil
	defer p.finish(x)
	body, err := p.judgeRequest(r, x)
	if err != nil {
		x.clientGone = true
		http.Error(w, "apiops-conformance proxy: reading the request body failed", http.StatusBadRequest)
		return
	}
	r.Body = body
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(ctx, exchangeKey{}, x)))
}

// modifyResponse judges the upstream's answer and adds the violations header. It keeps
// the first MaxValidate bytes of the body and puts them back in front of the rest.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	x, _ := resp.Request.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		return nil
	}
	x.status = resp.StatusCode
	x.respHeader = resp.Header.Clone()
	prefix, complete, err := readPrefix(resp.Body, MaxValidate)
	resp.Body = joinBody(prefix, resp.Body)
	if err != nil {
		return fmt.Errorf("reading the answer's body: %w", err)
	}
	x.respBody, x.respComplete = prefix, complete
	p.judgeResponse(resp.Request.Context(), x)
	resp.Header.Del(HeaderViolations) // on a judged path, only the proxy speaks in it
	if line := p.headerLine(x.violations); line != "" {
		resp.Header.Set(HeaderViolations, line)
	}
	return nil
}

// errorHandler answers 504 when the upstream did not answer in time and 502 for any
// other failure to get an answer (refused, reset, TLS untrusted, a body cut short).
func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	status, what := http.StatusBadGateway, "the upstream gave no complete answer"
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		status, what = http.StatusGatewayTimeout, fmt.Sprintf("the upstream did not answer within %s", p.cfg.Timeout)
	}
	reason := p.red.String(describeErr(err))
	if notReached(err) {
		what = "the upstream could not be reached"
	}
	x, _ := r.Context().Value(exchangeKey{}).(*exchange)
	if x != nil {
		switch {
		case errors.Is(err, context.Canceled):
			x.clientGone = true // the client went away: not the upstream's doing
		case notReached(err):
			// No connection, no answer to judge: the upstream did not break the
			// contract, the exchange could not judge it.
			x.unreached = true
			x.upstreamErr = what + ": " + reason
			x.notes = append(x.notes, "answer not judged: "+x.upstreamErr)
		default:
			x.upstreamErr = what + ": " + reason
			p.judgeNoAnswer(x)
		}
	}
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if x != nil {
		if line := p.headerLine(x.violations); line != "" {
			h.Set(HeaderViolations, line)
		}
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "apiops-conformance proxy: %s: %s\n", what, reason)
}

// describeErr returns err's text without the request URL (it may carry a secret).
func describeErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// notReached reports whether err means that no connection to the upstream was made:
// the name did not resolve, the dial failed or the upstream's TLS was not trusted.
func notReached(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	return errors.As(err, &op) && op.Op == "dial" || errors.As(err, &dns) ||
		errors.As(err, &cv) || errors.As(err, &rh)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// logWriter sends the ReverseProxy's own log lines to the logger, redacted.
type logWriter struct{ p *Proxy }

func (l logWriter) Write(b []byte) (int, error) {
	l.p.log.Debug("reverse proxy", "detail", l.p.red.String(strings.TrimSpace(string(b))))
	return len(b), nil
}
