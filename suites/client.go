package suites

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/apiops/apiops-conformance/spec"
)

// maxResponseBody bounds every response read from the target. A larger body is a
// failure ("body exceeds N bytes"); it is never buffered whole.
const maxResponseBody = 1 << 20

// errBodyTooLarge marks a response whose body exceeded maxResponseBody.
var errBodyTooLarge = fmt.Errorf("body exceeds %d bytes", maxResponseBody)

// NewHTTPClient returns the client the suites use for the target: TLS verified against
// the system roots plus cfg.CACert (or not at all with cfg.Insecure), redirects never
// followed (a redirect is evidence, and would resend credentials), connection set-up
// bounded by cfg.Timeout. Each request is also bounded by cfg.Timeout through its context,
// body read included.
func NewHTTPClient(cfg Config) (*http.Client, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // opt-in, warned about
	if cfg.CACert != "" {
		pem, err := os.ReadFile(cfg.CACert)
		if err != nil {
			return nil, fmt.Errorf("--ca-cert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert %s: no PEM certificate in the file", cfg.CACert)
		}
		tlsCfg.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsCfg,
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// reply is what came back for one request: a status, headers and a bounded body, or Err
// when no complete answer arrived (timeout, reset, TLS failure, body too large).
type reply struct {
	Status int
	Header http.Header
	Body   []byte
	Err    error
	// TimedOut: no complete answer within the timeout.
	TimedOut bool
	// RateLimited: the target still asked for time (429) after every wait the harness
	// allows; the answer says nothing about the requirement.
	RateLimited bool
}

// fetch sends req and reads the answer within timeout, body included, reading at most
// maxResponseBody bytes.
func fetch(ctx context.Context, client *http.Client, req *http.Request, timeout time.Duration) *reply {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return &reply{Err: describeErr(ctx, err, timeout), TimedOut: timedOut(ctx, err)}
	}
	defer resp.Body.Close()
	r := &reply{Status: resp.StatusCode, Header: resp.Header}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	r.Body = body
	switch {
	case err != nil:
		r.Err = fmt.Errorf("reading the body: %w", describeErr(ctx, err, timeout))
		r.TimedOut = timedOut(ctx, err)
	case len(body) > maxResponseBody:
		r.Body = body[:maxResponseBody]
		r.Err = errBodyTooLarge
	}
	return r
}

func timedOut(ctx context.Context, err error) bool {
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
}

func describeErr(ctx context.Context, err error, timeout time.Duration) error {
	if timedOut(ctx, err) {
		return fmt.Errorf("no complete answer within the %s timeout (--timeout)", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err // drop the "Post <url>:" prefix: the URL is in the evidence
	}
	return err
}

// MediaType returns the response's media type, lower-case, without parameters.
func (r *reply) MediaType() string {
	if r.Header == nil {
		return ""
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type")))
	}
	return mt
}

// IsJSON reports whether the response declares a JSON media type (spec.IsJSONMediaType).
func (r *reply) IsJSON() bool {
	return r.Header != nil && spec.IsJSONMediaType(r.Header.Get("Content-Type"))
}

// Object decodes the body as a JSON object, numbers kept as json.Number.
func (r *reply) Object() (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %w", err)
	}
	if m == nil {
		return nil, errors.New("body is JSON null, not an object")
	}
	return m, nil
}

// AccessToken returns the body's access_token when it is a non-empty string.
func (r *reply) AccessToken() (string, bool) {
	if r.Err != nil || r.Status != http.StatusOK {
		return "", false
	}
	m, err := r.Object()
	if err != nil {
		return "", false
	}
	tok, ok := m["access_token"].(string)
	return tok, ok && tok != ""
}

// Summary describes the answer in one line for a failure message: the status, media type
// and the body with its white space folded. It is not cut: the caller redacts it first,
// then cuts it (a secret cut in two would no longer be found).
func (r *reply) Summary() string {
	if r == nil {
		return "nothing"
	}
	if r.Err != nil && r.Status == 0 {
		return "no answer: " + r.Err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", r.Status, http.StatusText(r.Status))
	if ct := r.Header.Get("Content-Type"); ct != "" {
		fmt.Fprintf(&b, " (%s)", ct)
	} else {
		b.WriteString(" (no Content-Type)")
	}
	if len(r.Body) > 0 {
		b.WriteString(" " + strings.Join(strings.Fields(string(r.Body)), " "))
	}
	if r.Err != nil {
		b.WriteString(" — " + r.Err.Error())
	}
	return b.String()
}
