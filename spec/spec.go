// Package spec holds the contract: the OpenAPI document of the token endpoint and of a
// protected endpoint, embedded in the binary, and a validator built on kin-openapi's
// openapi3filter that checks requests and responses against it.
//
// The documented error texts live in the document (components/examples) and are read from
// there with [Error], so no other package repeats them as string literals.
package spec

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The paths the contract describes.
const (
	// TokenPath is the token endpoint: POST, form body, client credentials.
	TokenPath = "/apiops/auth/token"
	// ProjectsPath is List Projects, the protected endpoint used to check Bearer usage.
	ProjectsPath = "/apiops/projects/"
)

//go:embed token.yaml
var tokenYAML []byte

// YAML returns a copy of the embedded OpenAPI document as written.
func YAML() []byte { return bytes.Clone(tokenYAML) }

var load = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(tokenYAML)
	if err != nil {
		return nil, fmt.Errorf("spec: parse token.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("spec: token.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
})

// Load returns the embedded document, parsed and validated once. Callers must not modify it.
func Load() (*openapi3.T, error) { return load() }

// ErrorBody is the JSON error body of every error response:
// {"error": "...", "error_description": "..."} (RFC 6749 §5.2).
type ErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// ErrorName names an error example in the document's components/examples.
type ErrorName string

// The error examples of the document. InvalidRequest comes from RFC 6749 §5.2; the
// others are documented by the vendor (InvalidToken on the List Projects page).
const (
	UnsupportedGrantType ErrorName = "UnsupportedGrantType" // 400, documented
	BadCredentials       ErrorName = "BadCredentials"       // 401, documented
	ServerError          ErrorName = "ServerError"          // 500, documented
	InvalidRequest       ErrorName = "InvalidRequest"       // 400, RFC 6749 §5.2
	InvalidToken         ErrorName = "InvalidToken"         // 401 of List Projects, documented
)

// ProjectList is the 200 body of List Projects (GET /apiops/projects/).
type ProjectList struct {
	Status      string    `json:"status"` // "SUCCESS"
	ResultList  []Project `json:"resultList"`
	ResultCount int       `json:"resultCount"`
}

// Project is one entry of ProjectList.ResultList.
type Project struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// StatusSuccess is ProjectList.Status of a 200.
const StatusSuccess = "SUCCESS"

var errorBodies = sync.OnceValues(func() (map[ErrorName]ErrorBody, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	out := make(map[ErrorName]ErrorBody)
	for name, ref := range doc.Components.Examples {
		if ref == nil || ref.Value == nil {
			continue
		}
		raw, err := json.Marshal(ref.Value.Value)
		if err != nil {
			return nil, fmt.Errorf("spec: example %s: %w", name, err)
		}
		var body ErrorBody
		if err := json.Unmarshal(raw, &body); err != nil || body.Error == "" {
			continue // not an error example
		}
		out[ErrorName(name)] = body
	}
	return out, nil
})

// Error returns the error body the document gives for name. It panics if the embedded
// document lacks the example: that is a defect of this module, caught by its tests.
func Error(name ErrorName) ErrorBody {
	bodies, err := errorBodies()
	if err != nil {
		panic(err)
	}
	body, ok := bodies[name]
	if !ok {
		panic(fmt.Sprintf("spec: no error example %q in token.yaml", name))
	}
	return body
}

// Validator checks HTTP traffic against the embedded document. It is safe for concurrent use.
type Validator struct {
	router routers.Router
}

// NewValidator returns a Validator for the embedded document.
func NewValidator() (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("spec: build router: %w", err)
	}
	return &Validator{router: router}, nil
}

// bearerOnly is the explicit AuthenticationFunc: openapi3filter allows everything when none
// is given. It checks the form of the credentials the document asks for, not their validity.
func bearerOnly(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "bearerAuth" {
		return fmt.Errorf("unknown security scheme %q", in.SecuritySchemeName)
	}
	scheme, token, ok := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return fmt.Errorf("missing or malformed Authorization: Bearer header")
	}
	return nil
}

func (v *Validator) input(req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("spec: %s %s is not in the contract: %w", req.Method, req.URL.Path, err)
	}
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: bearerOnly,
			MultiError:         true,
		},
	}, nil
}

// ValidateRequest checks req (method, path, headers, body, security) against the document.
// The body is read and put back, so req can still be sent or served.
func (v *Validator) ValidateRequest(ctx context.Context, req *http.Request) error {
	in, err := v.input(req)
	if err != nil {
		return err
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return fmt.Errorf("spec: request does not match the contract: %w", err)
	}
	return nil
}

// ValidateResponse checks a response to req (status, Content-Type, body schema, documented
// headers) against the document. Only the request's method, URL and headers are used.
//
// One media-type rule holds everywhere: a JSON media type is application/json or any
// type with the +json suffix (RFC 6839 §3.1, e.g. application/problem+json), with any
// parameters, and the document's JSON schemas apply to all of them.
func (v *Validator) ValidateResponse(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	in, err := v.input(req)
	if err != nil {
		return err
	}
	if IsJSONMediaType(header.Get("Content-Type")) {
		header = header.Clone()
		header.Set("Content-Type", "application/json")
	}
	in.Options = &openapi3filter.Options{
		AuthenticationFunc:    bearerOnly,
		MultiError:            true,
		IncludeResponseStatus: true,
	}
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                in.Options,
	})
	if err != nil {
		return fmt.Errorf("spec: %d response does not match the contract: %w", status, err)
	}
	return nil
}

// IsJSONMediaType reports whether a Content-Type value names a JSON media type:
// application/json or a +json type (RFC 6839 §3.1), whatever its parameters.
func IsJSONMediaType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
