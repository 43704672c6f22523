package mockserver

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apiops/apiops-conformance/spec"
)

// FaultHeader is the request header that, with the control API on, makes the token
// endpoint answer 500 server_error when its value is FaultServerError.
const (
	FaultHeader      = "X-Apiops-Mock-Fault"
	FaultServerError = "server_error"
)

// The token request's parameters (RFC 6749 §4.4.2, §2.3.1).
const (
	paramGrantType    = "grant_type"
	paramClientID     = "client_id"
	paramClientSecret = "client_secret"
	grantClientCreds  = "client_credentials"
	formContentType   = "application/x-www-form-urlencoded"
)

// errNotForm and friends say why a token request is an invalid_request; they go to the
// debug log, never to the client (which gets the contract's documented body).
var (
	errNotForm       = errors.New("Content-Type is not application/x-www-form-urlencoded")
	errCharset       = errors.New("form charset is not UTF-8")
	errInQuery       = errors.New("credentials or grant_type in the URL query (RFC 6749 §2.3.1)")
	errRepeated      = errors.New("a parameter appears more than once (RFC 6749 §3.2)")
	errInvalidUTF8   = errors.New("a form key or value is not valid UTF-8")
	errTooLarge      = errors.New("request body too large")
	errReadBody      = errors.New("reading the request body")
	errBadPercentEnc = errors.New("malformed form encoding")
)

// serveToken is POST /apiops/auth/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, entry *JournalEntry) {
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, r, http.MethodPost)
		return
	}
	form, err := readForm(w, r)
	entry.Form = form
	defer redactForm(form) // before the journal sees it, after the credentials are checked
	if s.injectedFault(r) {
		s.writeSpecError(w, http.StatusInternalServerError, spec.ServerError)
		return
	}
	if err != nil {
		if errors.Is(err, errTooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request",
				fmt.Sprintf("the request body is larger than %d bytes", maxBodyBytes))
			return
		}
		s.log.DebugContext(r.Context(), "invalid token request", "reason", cut(err.Error(), maxJournalText))
		s.writeSpecError(w, http.StatusBadRequest, spec.InvalidRequest)
		return
	}
	if form.Get(paramGrantType) != grantClientCreds {
		s.writeSpecError(w, http.StatusBadRequest, spec.UnsupportedGrantType)
		return
	}
	username := form.Get(paramClientID)
	if !s.authenticate(username, form.Get(paramClientSecret)) {
		s.writeSpecError(w, http.StatusUnauthorized, spec.BadCredentials)
		return
	}
	ttl := s.TokenTTL() // read once: the JWT's exp and expires_in agree
	token, err := s.issue(username, ttl)
	if err != nil {
		s.log.ErrorContext(r.Context(), "issuing a token", "error", cut(err.Error(), maxJournalText))
		s.writeSpecError(w, http.StatusInternalServerError, spec.ServerError)
		return
	}
	writeJSONBody(w, http.StatusOK, tokenResponse(token, ttl))
}

// injectedFault reports whether this token request must answer 500: the fault header
// (control API on) or a pending FailNextTokens count, which it consumes.
func (s *Server) injectedFault(r *http.Request) bool {
	if s.cfg.Control {
		for _, v := range r.Header.Values(FaultHeader) {
			if strings.EqualFold(strings.TrimSpace(v), FaultServerError) {
				return true
			}
		}
	}
	for {
		n := s.failNext.Load()
		if n <= 0 {
			return false
		}
		if s.failNext.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// readForm reads and decodes a token request per RFC 6749 Appendix B and §3.2. The
// returned form holds what could be decoded even when err is not nil (for the journal).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errTooLarge
		}
		return nil, fmt.Errorf("%w: %w", errReadBody, err)
	}
	if ct := r.Header.Get("Content-Type"); ct != formContentType { // the common case, parsed fast
		mediaType, params, err := mime.ParseMediaType(ct)
		if err != nil || mediaType != formContentType {
			return nil, errNotForm
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, errCharset
		}
	}
	if r.URL.RawQuery != "" {
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil { // not wrapped: url's errors quote the bad escape, a piece of a secret
			return nil, fmt.Errorf("%w in the URL query", errBadPercentEnc)
		}
		for _, name := range []string{paramGrantType, paramClientID, paramClientSecret} {
			if _, ok := query[name]; ok {
				return nil, errInQuery
			}
		}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return form, errBadPercentEnc // not wrapped, as above
	}
	for name, values := range form {
		if !utf8.ValidString(name) {
			return form, errInvalidUTF8
		}
		for _, v := range values {
			if !utf8.ValidString(v) {
				return form, errInvalidUTF8
			}
		}
	}
	for _, name := range []string{paramGrantType, paramClientID, paramClientSecret} {
		if len(form[name]) > 1 {
			return form, errRepeated
		}
	}
	return form, nil
}

// authenticate checks a username and password in constant time with respect to the
// password, and with similar work for unknown users; empty values and inactive accounts
// fail like a wrong password.
func (s *Server) authenticate(username, password string) bool {
	got := sha256.Sum256([]byte(password))
	acct, known := s.users[username]
	want := s.dummy
	if known {
		want = acct.digest
	}
	match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	return match && known && acct.active && username != "" && password != ""
}

// claims are the issued token's claims: sub, iat, exp (omitted when never expiring), jti.
type claims = jwt.RegisteredClaims

// issue signs a new token for username (an existing account) and counts it; it expires
// ttl after its issue on the mock's clock (no exp claim when ttl is 0). The jti carries
// the issue sequence number (see seqOf), which RevokeUser relies on.
func (s *Server) issue(username string, ttl time.Duration) (string, error) {
	var random [12]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("random jti: %w", err)
	}
	var jti [13 + 1 + 16]byte // base-36 uint64, ".", base64url of 12 bytes
	id := strconv.AppendUint(jti[:0], s.seq.Add(1), 36)
	id = base64.RawURLEncoding.AppendEncode(append(id, '.'), random[:])
	now := s.Now()
	c := claims{
		Subject:  username,
		IssuedAt: jwt.NewNumericDate(now),
		ID:       string(id),
	}
	if ttl > 0 {
		c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	s.countIssued(username)
	return token, nil
}

// tokenResponse is the 200 body for a token issued with lifetime ttl (no expires_in when
// 0). The token is base64url and dots, so it needs no escaping.
func tokenResponse(token string, ttl time.Duration) []byte {
	b := make([]byte, 0, len(token)+80)
	b = append(b, `{"access_token":"`...)
	b = append(b, token...)
	b = append(b, `","token_type":"Bearer"`...)
	if ttl > 0 {
		b = append(b, `,"expires_in":`...)
		b = strconv.AppendInt(b, int64(ttl/time.Second), 10)
	}
	return append(b, '}')
}

// seqOf returns the issue sequence number encoded in a jti, or false.
func seqOf(jti string) (uint64, bool) {
	head, _, ok := strings.Cut(jti, ".")
	if !ok {
		return 0, false
	}
	seq, err := strconv.ParseUint(head, 36, 64)
	return seq, err == nil
}
