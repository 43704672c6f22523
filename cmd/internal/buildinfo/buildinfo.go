// Package buildinfo tells which build of a command is running: its version, the commit it
// was built from and the Go toolchain that built it.
//
// Release builds stamp the version and commit at link time (see the Makefile):
//
//	go build -ldflags "-X github.com/apiops/apiops-conformance/cmd/internal/buildinfo.version=0.1.0 \
//	    -X github.com/apiops/apiops-conformance/cmd/internal/buildinfo.commit=abc1234…"
//
// Without them the values come from the build information the Go toolchain embeds
// (the module version of `go install …@v0.1.0`, the vcs.revision of a build inside a Git
// checkout), and otherwise the version is "devel" and the commit unknown.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// Set with -ldflags -X at link time; empty otherwise.
var (
	version string
	commit  string
)

// Devel is the version of a build that carries no version information.
const Devel = "devel"

// info is the resolved build information.
type info struct {
	version   string
	commit    string
	goVersion string
}

var current = sync.OnceValue(func() info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolve(version, commit, bi)
})

// Version is the version without a leading "v", e.g. "0.1.0", "0.1.0-3-gabc1234-dirty"
// (a build after the tag, with local changes), or "devel".
func Version() string { return current().version }

// Commit is the full commit hash the binary was built from (with "-dirty" when the work
// tree had changes), or "" when unknown.
func Commit() string { return current().commit }

// GoVersion is the Go toolchain that built the binary, e.g. "go1.26.8".
func GoVersion() string { return current().goVersion }

// String is the one-line description that `--version` prints, e.g.
// "apiops-conformance 0.1.0 (commit abc1234, go1.26.8)".
func String(program string) string {
	return current().line(program)
}

func (i info) line(program string) string {
	details := i.goVersion
	if c := i.commit; c != "" {
		short, dirty := strings.CutSuffix(c, "-dirty")
		if len(short) > 7 {
			short = short[:7]
		}
		if dirty {
			short += "-dirty"
		}
		details = "commit " + short + ", " + details
	}
	return fmt.Sprintf("%s %s (%s)", program, i.version, details)
}

// resolve picks each value from the link-time stamp, else the embedded build
// information bi (nil when there is none), else a default.
func resolve(ldVersion, ldCommit string, bi *debug.BuildInfo) info {
	i := info{
		version:   strings.TrimPrefix(strings.TrimSpace(ldVersion), "v"),
		commit:    strings.TrimSpace(ldCommit),
		goVersion: runtime.Version(),
	}
	if bi != nil {
		if bi.GoVersion != "" {
			i.goVersion = bi.GoVersion
		}
		if i.version == "" {
			if v := bi.Main.Version; v != "" && v != "(devel)" {
				i.version = strings.TrimPrefix(v, "v")
			}
		}
		if i.commit == "" {
			i.commit = vcsCommit(bi)
		}
		if i.commit == "" {
			i.commit = pseudoVersionCommit(bi.Main.Version)
		}
	}
	if i.version == "" {
		i.version = Devel
	}
	return i
}

// vcsCommit is vcs.revision of the build settings, "-dirty" added when vcs.modified is
// true; "" when the build recorded no revision (-buildvcs=false, no checkout).
func vcsCommit(bi *debug.BuildInfo) string {
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && modified == "true" {
		rev += "-dirty"
	}
	return rev
}

// pseudoVersionCommit is the 12-character commit prefix that ends a Go pseudo-version
// (v0.1.1-0.20261128125300-4799b81a2b3c, possibly with "+incompatible" or "+dirty"), or
// "" for any other version.
func pseudoVersionCommit(v string) string {
	v, _, _ = strings.Cut(v, "+")
	parts := strings.Split(v, "-")
	if len(parts) < 3 {
		return ""
	}
	rev := parts[len(parts)-1]
	stamp := parts[len(parts)-2]
	if i := strings.LastIndexByte(stamp, '.'); i >= 0 {
		stamp = stamp[i+1:]
	}
	if len(rev) != 12 || !isHex(rev) || len(stamp) != 14 || !isDigits(stamp) {
		return ""
	}
	return rev
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}
