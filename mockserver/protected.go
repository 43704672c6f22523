package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
)

// errNoCredentials marks a request without an Authorization header: its challenge has no
// error attribute (RFC 6750 §3.1).
var errNoCredentials = errors.New("no Authorization header")

// serveProjects is List Projects, GET /apiops/projects/: with a valid Bearer token, the
// projects the token's user is a member of; otherwise 401 with the documented body and a
// WWW-Authenticate: Bearer challenge.
func (s *Server) serveProjects(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeMethodNotAllowed(w, r, http.MethodGet)
		return
	}
	user, err := s.authorize(r)
	if err != nil {
		challenge := s.challengeInvalid
		if errors.Is(err, errNoCredentials) {
			challenge = s.challengeMissing
		}
		s.log.DebugContext(r.Context(), "bearer token refused", "reason", cut(err.Error(), maxJournalText))
		w.Header().Set("WWW-Authenticate", challenge)
		s.writeSpecError(w, http.StatusUnauthorized, spec.InvalidToken)
		return
	}
	body, ok := s.projects[user]
	if !ok { // a user of the signing key's earlier fixtures
		body = s.noProjects
	}
	writeJSONBody(w, http.StatusOK, body)
}

// authorize checks the request's Bearer token (RFC 6750 §2.1: the scheme is
// case-insensitive) and returns its subject. Errors never contain the token.
func (s *Server) authorize(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", errNoCredentials
	case len(values) > 1:
		return "", errors.New("more than one Authorization header")
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errors.New("the Authorization scheme is not Bearer")
	}
	token = strings.TrimLeft(token, " ")
	if token == "" {
		return "", errors.New("empty Bearer token")
	}
	c, err := s.verify(token)
	if err != nil {
		return "", err
	}
	if s.isRevoked(c) {
		return "", errors.New("the token was revoked")
	}
	return c.Subject, nil
}

// verify checks a token's signature (HS256 only) and expiry on the mock's clock.
func (s *Server) verify(token string) (*claims, error) {
	var c claims
	if _, err := s.parser.ParseWithClaims(token, &c, s.keyFunc); err != nil {
		return nil, fmt.Errorf("invalid token: %w", err)
	}
	if c.Subject == "" || c.ID == "" {
		return nil, errors.New("invalid token: no sub or jti")
	}
	return &c, nil
}
