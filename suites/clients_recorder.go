package suites

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apiops/apiops-conformance/spec"
)

// Bounds of what a ClientRecorder keeps: a client in a hot loop must not exhaust memory.
const (
	recordMaxRequests = 2000     // per scenario; later requests are only counted
	recordMaxBody     = 64 << 10 // bytes of a request or response body
)

// Recorded is one request a client under test sent to the mock, raw (secrets included),
// and the mock's answer. It lives in memory only: the checks redact what they report.
type Recorded struct {
	Time     time.Time
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	Status   int
	// RespBody is the answer's body, cut to recordMaxBody bytes.
	RespBody []byte
	// Issued is the access_token of a 200 answer of the token endpoint, else "".
	Issued string
	// ExpiresIn is that answer's expires_in in seconds, 0 when absent.
	ExpiresIn int64
}

// ClientRecorder is middleware around the mock's handler that keeps, in memory, every
// request a client under test sends (the control API under /_mock/ excepted) and calls
// a hook with each one (and its index) after the mock answered and before the answer leaves, so a
// scenario can act (advance the clock, revoke) between two requests of the client.
// Create it with NewClientRecorder; it is safe for concurrent use.
type ClientRecorder struct {
	next http.Handler

	mu      sync.Mutex
	reqs    []Recorded
	dropped int
	hook    func(i int, rec Recorded)
}

// NewClientRecorder wraps next, the mock's handler.
func NewClientRecorder(next http.Handler) *ClientRecorder {
	return &ClientRecorder{next: next}
}

// ServeHTTP implements http.Handler.
func (c *ClientRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_mock/") {
		c.next.ServeHTTP(w, r)
		return
	}
	rec := Recorded{Time: time.Now(), Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()}
	if r.Body != nil {
		head, err := io.ReadAll(io.LimitReader(r.Body, recordMaxBody))
		if err == nil {
			rec.Body = head
		}
		r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	}
	buf := &bufferedWriter{header: http.Header{}}
	c.next.ServeHTTP(buf, r)
	rec.Status = buf.status
	if rec.Status == 0 {
		rec.Status = http.StatusOK
	}
	rec.RespBody = buf.body.Bytes()
	if len(rec.RespBody) > recordMaxBody {
		rec.RespBody = rec.RespBody[:recordMaxBody]
	}
	if rec.Status == http.StatusOK && r.URL.Path == spec.TokenPath {
		var ok struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int64  `json:"expires_in"`
		}
		if json.Unmarshal(buf.body.Bytes(), &ok) == nil {
			rec.Issued, rec.ExpiresIn = ok.AccessToken, ok.ExpiresIn
		}
	}
	c.mu.Lock()
	index := -1
	if len(c.reqs) < recordMaxRequests {
		index = len(c.reqs)
		c.reqs = append(c.reqs, rec)
	} else {
		c.dropped++
	}
	hook := c.hook
	c.mu.Unlock()
	if hook != nil && index >= 0 {
		hook(index, rec) // before the answer leaves: the client sees the effect on its next request
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Status)
	_, _ = w.Write(buf.body.Bytes())
}

// start empties the recorder and sets the hook for the next scenario.
func (c *ClientRecorder) start(hook func(i int, rec Recorded)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs, c.dropped, c.hook = nil, 0, hook
}

// stop removes the hook and returns what was recorded since start, and how many
// requests were only counted.
func (c *ClientRecorder) stop() ([]Recorded, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reqs, dropped := c.reqs, c.dropped
	c.reqs, c.dropped, c.hook = nil, 0, nil
	return reqs, dropped
}

type readCloser struct {
	io.Reader
	io.Closer
}

// bufferedWriter holds an answer until the recorder lets it go.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.body.Len() > recordMaxBody*16 { // the mock's answers are small; bound a surprise
		return len(p), nil
	}
	return b.body.Write(p)
}
