package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
	"sigs.k8s.io/yaml"
)

// maxConfigFile bounds --config.
const maxConfigFile = 1 << 20

// envRef is the only form a secret may take in a config file: ${NAME}.
var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// loadConfigFile is the kong.ConfigurationLoader of --config: a YAML mapping whose keys
// are flag names. Flags and environment variables win over it; a secret must be an
// environment reference, never a literal.
func loadConfigFile(r io.Reader) (kong.Resolver, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	if len(data) > maxConfigFile {
		return nil, fmt.Errorf("--config: larger than %d bytes", maxConfigFile)
	}
	values := map[string]any{}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("--config: not a YAML mapping of flag names to values: %w", err)
	}
	return fileResolver(values), nil
}

// fileResolver resolves flags from a config file's values.
type fileResolver map[string]any

// Validate refuses keys that are no flag and literal secrets.
func (f fileResolver) Validate(app *kong.Application) error {
	flags := map[string]*kong.Flag{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, fl := range n.Flags {
			flags[fl.Name] = fl
		}
		for _, child := range n.Children {
			walk(child)
		}
	}
	walk(app.Node)
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fl, ok := flags[k]
		if !ok || k == "config" || k == "help" {
			return fmt.Errorf("--config: %q is not a setting (the keys are flag names, such as base-url or client-id)", k)
		}
		if isSecret(fl) {
			if s, ok := f[k].(string); !ok || !envRef.MatchString(s) {
				return secretLiteral(k)
			}
		}
	}
	return nil
}

// Resolve returns the file's value of a flag, unless an environment variable of the flag
// is set (the environment wins); a secret's reference is expanded.
func (f fileResolver) Resolve(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	v, ok := f[flag.Name]
	if !ok {
		return nil, nil
	}
	for _, env := range flag.Envs {
		if _, set := os.LookupEnv(env); set {
			return nil, nil
		}
	}
	if isSecret(flag) {
		// Resolve may come before Validate: never trust the value's form here.
		s, _ := v.(string)
		m := envRef.FindStringSubmatch(s)
		if m == nil {
			return nil, secretLiteral(flag.Name)
		}
		name := m[1]
		secret, set := os.LookupEnv(name)
		if !set {
			return nil, fmt.Errorf("--config: %s refers to $%s, which is not set", flag.Name, name)
		}
		return secret, nil
	}
	return v, nil
}

// secretLiteral is the error for a secret written into the file itself.
func secretLiteral(name string) error {
	return fmt.Errorf("--config: %s must be an environment reference such as ${APIOPS_%s}, never the secret itself",
		name, strings.ToUpper(strings.ReplaceAll(name, "-", "_")))
}

func isSecret(fl *kong.Flag) bool { return fl.Tag != nil && fl.Tag.Get("secret") == "true" }
