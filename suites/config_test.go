package suites

import (
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

func TestConfigFromEnv(t *testing.T) {
	t.Setenv("APIOPS_BASE_URL", "https://manager.example.com/")
	t.Setenv("APIOPS_CLIENT_ID", "ci")
	t.Setenv("APIOPS_CLIENT_SECRET", "s3cret")
	t.Setenv("APIOPS_TIMEOUT", "3s")
	t.Setenv("APIOPS_STRICT", "true")
	t.Setenv("APIOPS_FAULT_HEADER", "x-fault:  boom ")
	c, err := configFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://manager.example.com" || c.Timeout != 3*time.Second || c.Strict != catalog.ScopeAll ||
		c.MaxExpiryWait != 5*time.Second || c.ProtectedPath != "/apiops/projects/" || c.RunTimeout != 10*time.Minute {
		t.Errorf("configFromEnv = %+v", c)
	}
	if echo := c.Echo(); echo["client-secret"] != "[REDACTED]" || strings.Contains(strings.Join(mapValues(echo), " "), "s3cret") {
		t.Errorf("Echo leaks the secret: %v", echo)
	}
	t.Setenv("APIOPS_TIMEOUT", "soon")
	if _, err := configFromEnv(); err == nil || !strings.Contains(err.Error(), "APIOPS_TIMEOUT") {
		t.Errorf("bad duration: %v", err)
	}
}

func mapValues(m map[string]string) []string {
	var vs []string
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

func TestValidate(t *testing.T) {
	ok := Config{BaseURL: "http://127.0.0.1:8080", Account: Account{"a", "b"}}.WithDefaults()
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Config){
		"--base-url":       func(c *Config) { c.BaseURL = "manager.example.com" },
		"--client-secret":  func(c *Config) { c.Account.ClientSecret = "" },
		"--disabled":       func(c *Config) { c.Disabled = Account{ClientID: "carol"} },
		"--fault-header":   func(c *Config) { c.FaultHeader = "no colon" },
		"--protected-path": func(c *Config) { c.ProtectedPath = "apiops/projects/" },
		"--control-url":    func(c *Config) { c.ControlURL = "ftp://x" },
		"query":            func(c *Config) { c.BaseURL = "http://x/?a=b" },
	} {
		c := ok
		mutate(&c)
		err := c.Check()
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: Validate() = %v, want a one-line error", name, err)
		}
	}
}

func TestParseHeader(t *testing.T) {
	name, value, err := parseHeader("x-apiops-mock-fault: server_error")
	if err != nil || name != "X-Apiops-Mock-Fault" || value != "server_error" {
		t.Errorf("parseHeader = %q, %q, %v", name, value, err)
	}
	for _, bad := range []string{"", ":x", "a b: c", "x: a\r\nb"} {
		if _, _, err := parseHeader(bad); err == nil {
			t.Errorf("parseHeader(%q) accepted", bad)
		}
	}
}

func TestEchoes(t *testing.T) {
	secret := "p@ss w0rd&=+%ü"
	for _, text := range []string{secret, "x=p%40ss+w0rd%26%3D%2B%25%C3%BC", `{"s":"p@ss w0rd\u0026=+%ü"}`} {
		if !echoes(text, secret) {
			t.Errorf("echoes(%q) = false", text)
		}
	}
	if echoes("Bad credentials", secret) {
		t.Error("echoes found a secret that is not there")
	}
}
