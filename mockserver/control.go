package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// controlPrefix is the reserved path prefix of the control API (docs/control-api.md).
const controlPrefix = "/_mock"

// maxControlBody bounds a control API request body.
const maxControlBody = 4 << 10

// maxFailNext bounds fail_next_tokens, so a typo cannot wedge the mock for ever.
const maxFailNext = 1_000_000

// serveControl is the control API under /_mock/. Every answer is JSON; bad input is a
// 4xx JSON error, never a 5xx.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if !s.guardControl(w, r) {
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch path {
	case controlPrefix:
		if !allow(w, r, http.MethodGet) {
			return
		}
		writeControl(w, s.State())
	case controlPrefix + "/clock/advance":
		if !allow(w, r, http.MethodPost) {
			return
		}
		var in struct {
			By string `json:"by"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		d, err := parseDuration(in.By)
		if err != nil || d <= 0 {
			badControl(w, fmt.Sprintf(`"by" must be a positive Go duration such as "90m", not %q`, truncate(in.By)))
			return
		}
		s.Advance(d)
		writeControl(w, map[string]time.Time{"now": s.Now().UTC()})
	case controlPrefix + "/revoke":
		if !allow(w, r, http.MethodPost) {
			return
		}
		var in struct {
			Token    *string `json:"token"`
			ClientID *string `json:"client_id"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		var n int
		switch {
		case in.Token != nil && in.ClientID == nil && *in.Token != "":
			revoked, err := s.Revoke(*in.Token)
			switch {
			case errors.Is(err, ErrMalformedToken):
				badControl(w, `"token" is not a JWT: give an access_token this mock issued`)
				return
			case err != nil:
				writeError(w, http.StatusNotFound, "not_found", `"token" is not a token this mock issued (its signature does not verify with the mock's key)`)
				return
			case revoked:
				n = 1
			}
		case in.ClientID != nil && in.Token == nil && *in.ClientID != "":
			var err error
			if n, err = s.RevokeUser(*in.ClientID); err != nil {
				writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf(`"client_id" %q is not one of the mock's accounts`, truncate(*in.ClientID)))
				return
			}
		default:
			badControl(w, `give exactly one of "token" or "client_id", not empty`)
			return
		}
		writeControl(w, map[string]int{"revoked": n})
	case controlPrefix + "/faults":
		if !allow(w, r, http.MethodPost) {
			return
		}
		var in struct {
			FailNextTokens *int    `json:"fail_next_tokens"`
			Latency        *string `json:"latency"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		var latency time.Duration
		if in.Latency != nil {
			d, err := parseDuration(*in.Latency)
			if err != nil || d < 0 || d > MaxLatency {
				badControl(w, fmt.Sprintf(`"latency" must be a Go duration from "0s" to %q, not %q`, MaxLatency, truncate(*in.Latency)))
				return
			}
			latency = d
		}
		if in.FailNextTokens != nil && (*in.FailNextTokens < 0 || *in.FailNextTokens > maxFailNext) {
			badControl(w, fmt.Sprintf(`"fail_next_tokens" must be from 0 to %d`, maxFailNext))
			return
		}
		if in.FailNextTokens != nil {
			s.FailNextTokens(*in.FailNextTokens)
		}
		if in.Latency != nil {
			s.SetLatency(latency)
		}
		writeControl(w, s.State())
	case controlPrefix + "/token-ttl":
		if !allow(w, r, http.MethodPost) {
			return
		}
		var in struct {
			TTL *string `json:"ttl"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		if in.TTL == nil {
			badControl(w, `give "ttl": a Go duration, "0s" for never-expiring tokens or at least "1s"`)
			return
		}
		d, err := parseDuration(*in.TTL)
		if err == nil && d < 0 {
			err = errors.New("negative")
		}
		if err == nil {
			err = s.SetTokenTTL(d)
		}
		if err != nil {
			badControl(w, fmt.Sprintf(`"ttl" must be "0s" (never expires) or a Go duration of at least "1s", not %q`, truncate(*in.TTL)))
			return
		}
		writeControl(w, s.State())
	case controlPrefix + "/journal":
		switch r.Method {
		case http.MethodGet:
			writeControl(w, map[string][]JournalEntry{"entries": s.Journal()})
		case http.MethodDelete:
			s.ClearJournal()
			writeControl(w, struct{}{})
		default:
			writeMethodNotAllowed(w, r, "GET, DELETE")
		}
	case controlPrefix + "/reset":
		if !allow(w, r, http.MethodPost) {
			return
		}
		s.Reset()
		writeControl(w, s.State())
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such control endpoint; see docs/control-api.md")
	}
}

// allow writes a 405 and reports false unless r uses method.
func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	writeMethodNotAllowed(w, r, method)
	return false
}

// decodeControl decodes a bounded JSON object into v, strictly (unknown fields and
// trailing data are errors), writing a 400 and reporting false on failure. An empty
// body counts as {}.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request",
				fmt.Sprintf("the control request body is larger than %d bytes", maxControlBody))
			return false
		}
		badControl(w, "could not read the request body")
		return false
	}
	if err := decodeStrict(body, v); err != nil {
		badControl(w, err.Error())
		return false
	}
	return true
}

// decodeStrict decodes exactly one JSON object from body into v.
func decodeStrict(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return errors.New("the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	if dec.More() {
		return errors.New("invalid JSON body: data after the object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON body: data after the object")
	}
	return nil
}

// parseDuration is time.ParseDuration with a bound on the input's length.
func parseDuration(s string) (time.Duration, error) {
	if len(s) > 64 {
		return 0, errors.New("duration too long")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("parse duration: %w", err)
	}
	return d, nil
}

// truncate shortens user input quoted in an error text, as the journal cuts.
func truncate(s string) string { return cut(s, 64) }

func badControl(w http.ResponseWriter, description string) {
	writeError(w, http.StatusBadRequest, "invalid_request", description)
}

// writeControl writes a 200 JSON answer of the control API.
func writeControl(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "encoding the answer failed")
		return
	}
	writeJSONBody(w, http.StatusOK, body)
}
