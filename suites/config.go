package suites

import (
	"errors"
	"fmt"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

// Account is a client_id and client_secret (an Apinizer username and password).
type Account struct {
	ClientID     string
	ClientSecret string
}

// Given reports whether the account was configured.
func (a Account) Given() bool { return a.ClientID != "" }

// Config is everything a run of the suites needs to know about its target.
type Config struct {
	// BaseURL is the target's base URL, e.g. https://manager.example.com. The token
	// endpoint is BaseURL + spec.TokenPath.
	BaseURL string
	// Account is an active account; required.
	Account Account
	// Special is an active account whose password needs percent-encoding (optional).
	Special Account
	// Disabled and Locked are accounts the target must refuse (optional).
	Disabled Account
	Locked   Account
	// FaultHeader, "Name: value", makes the target answer 500 on the token endpoint
	// (optional; only for targets that offer such a switch).
	FaultHeader string
	// ProtectedPath is a path that requires a Bearer token; default spec.ProjectsPath.
	ProtectedPath string
	// MaxExpiryWait bounds how long an expiry check may really wait for a token to expire.
	MaxExpiryWait time.Duration
	// Timeout bounds each request, including reading the response body.
	Timeout time.Duration
	// CACert is a PEM file of extra trusted CA certificates; Insecure skips TLS verification.
	CACert   string
	Insecure bool
	// Strict is the scope of strictness: which SHOULD violations fail their checks instead
	// of being recorded as findings (off: none; all; or one source kind, e.g. docs).
	Strict catalog.Scope
	// RunTimeout bounds the whole run; what has not run by then is not judged.
	RunTimeout time.Duration
	// MaxRPS paces the run: at most this many requests per second (0: no pacing).
	MaxRPS float64
	// RevokeCommand is a shell command that revokes the token in $APIOPS_TOKEN on a real
	// target (exit 0: revoked); it unlocks the revocation check without a control API.
	RevokeCommand string
	// ControlURL is the base URL of a mock's control API (see docs/control-api.md); when
	// set, expiry, revocation and server-error checks use it instead of waiting or skipping.
	ControlURL string
}

// Defaults for the optional settings.
const (
	DefaultProtectedPath = "/apiops/projects/"
	DefaultMaxExpiryWait = 5 * time.Second
	DefaultTimeout       = 10 * time.Second
	DefaultRunTimeout    = 10 * time.Minute
)

// Environment variables read by ConfigFromEnv.
const (
	EnvBaseURL = "APIOPS_BASE_URL"
	EnvPrefix  = "APIOPS_"
)

// ConfigFromEnv reads a Config from APIOPS_* environment variables: APIOPS_BASE_URL,
// APIOPS_CLIENT_ID, APIOPS_CLIENT_SECRET, APIOPS_SPECIAL_CLIENT_ID, …, APIOPS_FAULT_HEADER,
// APIOPS_PROTECTED_PATH, APIOPS_MAX_EXPIRY_WAIT, APIOPS_TIMEOUT, APIOPS_CA_CERT,
// APIOPS_INSECURE, APIOPS_STRICT, APIOPS_CONTROL_URL — the same names the CLI's flags use.
// Unset values get their defaults; the result is validated.
func ConfigFromEnv() (Config, error) {
	env := func(name string) string { return os.Getenv(EnvPrefix + name) }
	c := Config{
		BaseURL:       env("BASE_URL"),
		Account:       Account{env("CLIENT_ID"), env("CLIENT_SECRET")},
		Special:       Account{env("SPECIAL_CLIENT_ID"), env("SPECIAL_CLIENT_SECRET")},
		Disabled:      Account{env("DISABLED_CLIENT_ID"), env("DISABLED_CLIENT_SECRET")},
		Locked:        Account{env("LOCKED_CLIENT_ID"), env("LOCKED_CLIENT_SECRET")},
		FaultHeader:   env("FAULT_HEADER"),
		ProtectedPath: env("PROTECTED_PATH"),
		CACert:        env("CA_CERT"),
		ControlURL:    env("CONTROL_URL"),
		RevokeCommand: env("REVOKE_COMMAND"),
	}
	var errs []error
	for name, d := range map[string]*time.Duration{"MAX_EXPIRY_WAIT": &c.MaxExpiryWait, "TIMEOUT": &c.Timeout, "RUN_TIMEOUT": &c.RunTimeout} {
		if v := env(name); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s%s=%q is not a duration like 5s", EnvPrefix, name, v))
			}
			*d = parsed
		}
	}
	if v := env("STRICT"); v != "" {
		scope, err := catalog.ParseScope(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%sSTRICT: %w", EnvPrefix, err))
		}
		c.Strict = scope
	}
	if v := env("MAX_RPS"); v != "" {
		rps, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%sMAX_RPS=%q is not a number", EnvPrefix, v))
		}
		c.MaxRPS = rps
	}
	for name, b := range map[string]*bool{"INSECURE": &c.Insecure} {
		if v := env(name); v != "" {
			parsed, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s%s=%q is not true or false", EnvPrefix, name, v))
			}
			*b = parsed
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	c = c.WithDefaults()
	return c, c.Validate()
}

// WithDefaults returns c with unset optional settings given their defaults.
func (c Config) WithDefaults() Config {
	if c.ProtectedPath == "" {
		c.ProtectedPath = DefaultProtectedPath
	}
	if c.MaxExpiryWait == 0 {
		c.MaxExpiryWait = DefaultMaxExpiryWait
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.RunTimeout == 0 {
		c.RunTimeout = DefaultRunTimeout
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	c.ControlURL = strings.TrimRight(c.ControlURL, "/")
	return c
}

// Validate reports the first setting that makes a run impossible, as one line saying
// what to fix. The names are the CLI's flag names.
func (c Config) Validate() error {
	if err := checkURL("--base-url", c.BaseURL); err != nil {
		return err
	}
	if c.ControlURL != "" {
		if err := checkURL("--control-url", c.ControlURL); err != nil {
			return err
		}
	}
	if c.Account.ClientID == "" || c.Account.ClientSecret == "" {
		return errors.New("--client-id and --client-secret are required with --base-url (an active account of the target)")
	}
	for _, a := range []struct {
		flag string
		acc  Account
	}{{"special", c.Special}, {"disabled", c.Disabled}, {"locked", c.Locked}} {
		if (a.acc.ClientID == "") != (a.acc.ClientSecret == "") {
			return fmt.Errorf("give both --%s-client-id and --%s-client-secret, or neither", a.flag, a.flag)
		}
	}
	if c.FaultHeader != "" {
		if _, _, err := ParseHeader(c.FaultHeader); err != nil {
			return fmt.Errorf("--fault-header: %w", err)
		}
	}
	if !strings.HasPrefix(c.ProtectedPath, "/") {
		return fmt.Errorf("--protected-path %q must start with /", c.ProtectedPath)
	}
	if c.Timeout <= 0 || c.RunTimeout <= 0 || c.MaxExpiryWait < 0 || c.MaxRPS < 0 {
		return errors.New("--timeout and --run-timeout must be positive, --max-expiry-wait and --max-rps not negative")
	}
	return nil
}

func checkURL(flag, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q is not an http(s) URL like https://manager.example.com", flag, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%s %q must not carry a query, fragment or user info", flag, raw)
	}
	return nil
}

// ParseHeader splits "Name: value" into a canonical header name and its value.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	value = strings.TrimSpace(value)
	if !ok || !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(value) {
		return "", "", fmt.Errorf("%q is not a header like 'X-Fault: server_error'", s)
	}
	return textproto.CanonicalMIMEHeaderKey(name), value, nil
}

// Secrets returns every secret the configuration holds, for redaction.
func (c Config) Secrets() []string {
	return []string{c.Account.ClientSecret, c.Special.ClientSecret, c.Disabled.ClientSecret, c.Locked.ClientSecret}
}

// Echo returns the configuration as flag name → value, secrets redacted, for reports.
func (c Config) Echo() map[string]string {
	red := func(s string) string {
		if s == "" {
			return ""
		}
		return "[REDACTED]"
	}
	m := map[string]string{
		"base-url":               c.BaseURL,
		"client-id":              c.Account.ClientID,
		"client-secret":          red(c.Account.ClientSecret),
		"special-client-id":      c.Special.ClientID,
		"special-client-secret":  red(c.Special.ClientSecret),
		"disabled-client-id":     c.Disabled.ClientID,
		"disabled-client-secret": red(c.Disabled.ClientSecret),
		"locked-client-id":       c.Locked.ClientID,
		"locked-client-secret":   red(c.Locked.ClientSecret),
		"fault-header":           c.FaultHeader,
		"protected-path":         c.ProtectedPath,
		"max-expiry-wait":        c.MaxExpiryWait.String(),
		"timeout":                c.Timeout.String(),
		"ca-cert":                c.CACert,
		"insecure":               strconv.FormatBool(c.Insecure),
		"strict":                 string(c.Strict),
		"run-timeout":            c.RunTimeout.String(),
		"max-rps":                formatRPS(c.MaxRPS),
		"revoke-command":         c.RevokeCommand,
		"control-url":            c.ControlURL,
	}
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}

func formatRPS(r float64) string {
	if r == 0 {
		return ""
	}
	return strconv.FormatFloat(r, 'g', -1, 64)
}
