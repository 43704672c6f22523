package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/apiops/apiops-conformance/suites"
)

// TestConfigFile: --config sets flags by name; the environment wins over it and flags win
// over both; a secret is only ever an environment reference, and unknown keys are refused.
func TestConfigFile(t *testing.T) {
	t.Parallel()
	srv := serve(t, liveMock(time.Hour))
	write := func(body string) string {
		p := filepath.Join(t.TempDir(), "apiops.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("base-url: " + srv.URL + "\nclient-id: alice\nclient-secret: ${MY_CI_SECRET}\ntimeout: 3s\nlabel-filter: TOKEN-FORM-001\n")
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string // the timeout the run echoes
	}{
		{"file", nil, nil, "3s"},
		{"environment over file", []string{"APIOPS_TIMEOUT=4s"}, nil, "4s"},
		{"flag over both", []string{"APIOPS_TIMEOUT=4s"}, []string{"--timeout", "5s"}, "5s"},
	} {
		o := runBinary(t, 30*time.Second, append(tc.env, "MY_CI_SECRET=alice-secret"),
			append([]string{"run", "--config", good, "--report-dir", t.TempDir()}, tc.args...)...)
		if o.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", tc.name, o.code, o.stdout, o.stderr)
		}
		if r := o.result(t); r.Config["timeout"] != tc.want || r.Config["client-secret"] != "[REDACTED]" {
			t.Errorf("%s: config echoed %v, want timeout %s and the secret redacted", tc.name, r.Config, tc.want)
		}
	}
	for name, body := range map[string]string{
		"a literal secret":   "base-url: " + srv.URL + "\nclient-id: alice\nclient-secret: alice-secret\n",
		"an unknown key":     "base-url: " + srv.URL + "\nclient: alice\n",
		"an unset reference": "base-url: " + srv.URL + "\nclient-id: alice\nclient-secret: ${NOT_SET_ANYWHERE}\n",
	} {
		o := runBinary(t, 30*time.Second, nil, "run", "--config", write(body))
		if o.code != 2 || !strings.Contains(o.stderr, "--config") || strings.Contains(o.stderr, "alice-secret") {
			t.Errorf("%s: exit %d, stderr %q; want 2, naming --config, never the secret", name, o.code, o.stderr)
		}
	}
}

// FuzzConfigFile: any file given to --config is refused with an error or resolved into
// settings; it never panics.
func FuzzConfigFile(f *testing.F) {
	f.Add([]byte("base-url: http://127.0.0.1:1\nclient-id: a\nclient-secret: ${HOME}\ntimeout: 3s\n"))
	f.Add([]byte("client-secret: literal\n"))
	f.Add([]byte("timeout: [1, 2]\nstrict: {a: b}\nmax-rps: -1e400\n"))
	f.Add([]byte("- not a mapping\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := loadConfigFile(bytes.NewReader(data))
		if err != nil {
			return
		}
		var c cli
		parser, err := kong.New(&c, kong.Exit(func(int) {}), kong.Resolvers(res), suites.HelpVars(), kong.Vars{"version": "fuzz"})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = parser.Parse([]string{"run"})
	})
}
