package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
)

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

const contentTypeJSON = "application/json;charset=UTF-8"

// The header values every answer of the mock carries, allocated once: net/http only reads
// them, and nothing in the mock changes a value in place.
var (
	headerJSON    = []string{contentTypeJSON}
	headerNoStore = []string{"no-store"}
	headerNoCache = []string{"no-cache"}
)

// writeJSONBody writes a JSON body with the headers every answer of the mock carries.
func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = headerJSON
	h["Cache-Control"] = headerNoStore
	h["Pragma"] = headerNoCache
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes {"error": code, "error_description": description}.
func writeError(w http.ResponseWriter, status int, code, description string) {
	body, err := json.Marshal(spec.ErrorBody{Error: code, Description: description})
	if err != nil { // cannot happen for two strings
		body = []byte(`{"error":"server_error","error_description":""}`)
	}
	writeJSONBody(w, status, body)
}

// writeSpecError writes one of the contract's documented error bodies.
func (s *Server) writeSpecError(w http.ResponseWriter, status int, name spec.ErrorName) {
	writeJSONBody(w, status, s.errBodies[name])
}

// writeMethodNotAllowed answers 405 with the Allow header for a method an endpoint refuses.
func writeMethodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "invalid_request",
		fmt.Sprintf("method %s is not allowed here; use %s", sanitizeMethod(r.Method), allow))
}

// sanitizeMethod keeps a hostile method name out of an error text.
func sanitizeMethod(m string) string {
	if len(m) > 20 || strings.ContainsFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		return "this method"
	}
	return m
}
