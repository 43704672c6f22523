package suites

import (
	"errors"
	"fmt"
	"net/textproto"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"golang.org/x/net/http/httpguts"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

// Account is a client_id and client_secret (an Apinizer username and password). Its
// fields are declared once for every role (main, special, disabled, locked); the flags
// of a role carry its prefix ("special-client-id") and the help the role sets.
type Account struct {
	ClientID     string `name:"client-id" env:"CLIENT_ID" placeholder:"USER" help:"${account_help}"`
	ClientSecret string `name:"client-secret" env:"CLIENT_SECRET" placeholder:"PASSWORD" help:"Its password (from the environment, never the command line, in CI)." secret:"true"`
}

// Given reports whether the account was configured.
func (a Account) Given() bool { return a.ClientID != "" }

// Config is everything a run of the suites needs to know about its target. It is the one
// declaration of these settings: each field's tags give its flag name, environment
// variable (EnvPrefix + env), default, help and whether it is a secret; the CLI's flags,
// configFromEnv, WithDefaults and Echo are derived from them.
type Config struct {
	// BaseURL is the target's base URL; the token endpoint is BaseURL + spec.TokenPath.
	BaseURL string `name:"base-url" env:"BASE_URL" placeholder:"URL" help:"The target's base URL (the token endpoint is URL/apiops/auth/token). Without it the embedded demo mock is judged."`
	// Account is an active account; required.
	Account Account `embed:"" set:"account_help=An active account's username (required with --base-url)."`
	// Special is an active account whose password needs percent-encoding (optional).
	Special Account `embed:"" prefix:"special-" envprefix:"SPECIAL_" set:"account_help=An account whose password needs percent-encoding: a space, &, =, +, %, /, ? and #, within the characters the server allows (unlocks ${unlocks_special_account})."`
	// Disabled and Locked are accounts the target must refuse (optional).
	Disabled Account `embed:"" prefix:"disabled-" envprefix:"DISABLED_" set:"account_help=A disabled account (unlocks ${unlocks_disabled_account})."`
	Locked   Account `embed:"" prefix:"locked-" envprefix:"LOCKED_" set:"account_help=A locked account (unlocks ${unlocks_locked_account})."`
	// FaultHeader, "Name: value", makes the target answer 500 on the token endpoint.
	FaultHeader string `name:"fault-header" env:"FAULT_HEADER" placeholder:"'NAME: VALUE'" help:"A header that makes the target answer 500 (unlocks ${unlocks_server_error})."`
	// RevokeCommand is a shell command that revokes the token in $APIOPS_TOKEN on a real
	// target (exit 0: revoked).
	RevokeCommand string `name:"revoke-command" env:"REVOKE_COMMAND" placeholder:"CMD" help:"A shell command that revokes the token in $$APIOPS_TOKEN, exit 0 when revoked (unlocks ${unlocks_revocation})."`
	// ControlURL is the base URL of a mock's control API (docs/control-api.md).
	ControlURL string `name:"control-url" env:"CONTROL_URL" placeholder:"URL" help:"Base URL of a running apiops-mock with its control API: instant expiry, revocation and 500 checks, no footprint budget (unlocks ${unlocks_never_expiring} besides)."`
	// ProtectedPath is a path that requires a Bearer token.
	ProtectedPath string `name:"protected-path" env:"PROTECTED_PATH" default:"/apiops/projects/" help:"A path that requires a Bearer token."`
	// MaxExpiryWait bounds how long the run waits for a token to expire.
	MaxExpiryWait time.Duration `name:"max-expiry-wait" env:"MAX_EXPIRY_WAIT" default:"5s" zero:"allowed" help:"Wait at most this long for a token to expire when there is no control API (unlocks ${unlocks_expiry})."`
	// Timeout bounds each request, including reading the response body.
	Timeout time.Duration `name:"timeout" env:"TIMEOUT" default:"10s" help:"Time limit of each request, reading the body included."`
	// RunTimeout bounds the whole run; what has not run by then is not judged.
	RunTimeout time.Duration `name:"run-timeout" env:"RUN_TIMEOUT" default:"10m" help:"Time limit of the whole run; what has not run by then is not judged (exit 3)."`
	// MaxRPS paces the run: at most this many requests per second (0: no pacing).
	MaxRPS float64 `name:"max-rps" env:"MAX_RPS" placeholder:"N" help:"Send at most N requests per second (0: no pacing); 429 answers are always waited out."`
	// CACert is a PEM file of extra trusted CA certificates; Insecure skips TLS verification.
	CACert   string `name:"ca-cert" env:"CA_CERT" placeholder:"FILE" help:"PEM file of CA certificates to trust besides the system's."`
	Insecure bool   `name:"insecure" env:"INSECURE" help:"Do not verify the target's TLS certificate (never for production)."`
	// Strict is the scope of strictness: which SHOULD violations fail their checks
	// instead of being recorded as findings (off: none; all; or one source kind).
	Strict catalog.Scope `name:"strict" env:"STRICT" placeholder:"SCOPE" help:"SHOULD failures fail the run too: --strict (all), or --strict=docs|rfc|owasp for one kind of source."`
}

// EnvPrefix starts every environment variable of a setting; EnvBaseURL is the target's.
const (
	EnvPrefix  = "APIOPS_"
	EnvBaseURL = EnvPrefix + "BASE_URL"
)

// HelpVars are the variables the settings' help interpolates: for each need of the
// catalog, the checks it unlocks ("unlocks_special_account" → "TOKEN-FORM-002,
// TOKEN-FORM-003"), so the help names them from the catalog, never by hand.
func HelpVars() kong.Vars {
	vars := kong.Vars{}
	for _, r := range catalog.All() {
		for _, n := range r.Needs {
			key := "unlocks_" + strings.ReplaceAll(string(n), "-", "_")
			vars[key] = strings.TrimPrefix(vars[key]+", "+r.ID, ", ")
		}
	}
	return vars
}

// configFromEnv reads a Config from the APIOPS_* environment variables its tags declare
// (APIOPS_BASE_URL, APIOPS_CLIENT_ID, APIOPS_SPECIAL_CLIENT_SECRET, …): the same names the
// CLI's flags use. Unset values get their defaults; the result is validated.
func configFromEnv() (Config, error) {
	var holder struct {
		Config `embed:"" envprefix:"APIOPS_"`
	}
	parser, err := kong.New(&holder, HelpVars(), kong.Exit(func(int) {}))
	if err != nil {
		return Config{}, fmt.Errorf("suites: settings: %w", err)
	}
	if _, err := parser.Parse(nil); err != nil {
		return Config{}, fmt.Errorf("environment: %w", err)
	}
	c := holder.Config.WithDefaults()
	return c, c.Check()
}

// WithDefaults returns c with unset optional settings given the defaults of their tags
// (a setting whose zero means something, such as --max-expiry-wait 0, keeps it), and the
// URLs without a trailing slash.
func (c Config) WithDefaults() Config {
	eachSetting(reflect.ValueOf(&c).Elem(), "", func(f reflect.StructField, v reflect.Value, _ string) {
		def, ok := f.Tag.Lookup("default")
		if !ok || !v.IsZero() || f.Tag.Get("zero") == "allowed" {
			return
		}
		switch v.Interface().(type) {
		case time.Duration:
			d, _ := time.ParseDuration(def)
			v.SetInt(int64(d))
		case string:
			v.SetString(def)
		}
	})
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	c.ControlURL = strings.TrimRight(c.ControlURL, "/")
	if scope, err := catalog.ParseScope(string(c.Strict)); err == nil {
		c.Strict = scope // "true" is all, "false" is off; Check reports an unknown scope
	}
	return c
}

// Echo returns the configuration as flag name → value for reports: secrets redacted,
// empty settings left out.
func (c Config) Echo() map[string]string {
	m := map[string]string{}
	eachSetting(reflect.ValueOf(&c).Elem(), "", func(f reflect.StructField, v reflect.Value, name string) {
		s := fmt.Sprint(v.Interface())
		switch {
		case v.IsZero():
			return
		case f.Tag.Get("secret") == "true":
			s = "[REDACTED]"
		case v.Kind() == reflect.Float64:
			s = strconv.FormatFloat(v.Float(), 'g', -1, 64)
		}
		m[name] = s
	})
	return m
}

// eachSetting calls fn for every setting of a Config-like struct: its field, value and
// flag name (with the prefix of an embedded account).
func eachSetting(v reflect.Value, prefix string, fn func(reflect.StructField, reflect.Value, string)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("embed"); ok {
			eachSetting(v.Field(i), prefix+f.Tag.Get("prefix"), fn)
			continue
		}
		if name := f.Tag.Get("name"); name != "" {
			fn(f, v.Field(i), prefix+name)
		}
	}
}

// Check reports the first setting that makes a run impossible, as one line saying
// what to fix. The names are the CLI's flag names.
func (c Config) Check() error {
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
		if _, _, err := parseHeader(c.FaultHeader); err != nil {
			return fmt.Errorf("--fault-header: %w", err)
		}
	}
	if !strings.HasPrefix(c.ProtectedPath, "/") {
		return fmt.Errorf("--protected-path %q must start with /", c.ProtectedPath)
	}
	if _, err := catalog.ParseScope(string(c.Strict)); err != nil {
		return err
	}
	switch {
	case c.Timeout <= 0:
		return fmt.Errorf("--timeout %s must be positive", c.Timeout)
	case c.RunTimeout <= 0:
		return fmt.Errorf("--run-timeout %s must be positive", c.RunTimeout)
	case c.MaxExpiryWait < 0:
		return fmt.Errorf("--max-expiry-wait %s must not be negative", c.MaxExpiryWait)
	case c.MaxRPS < 0:
		return fmt.Errorf("--max-rps %g must not be negative", c.MaxRPS)
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

// parseHeader splits "Name: value" into a canonical header name and its value.
func parseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	value = strings.TrimSpace(value)
	if !ok || !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(value) {
		return "", "", fmt.Errorf("%q is not a header like 'X-Fault: server_error'", s)
	}
	return textproto.CanonicalMIMEHeaderKey(name), value, nil
}
