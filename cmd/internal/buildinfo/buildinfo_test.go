package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.modified", Value: modified},
		}
	}
	const rev = "4799b81a2b3c4d5e6f708192a3b4c5d6e7f80912"
	tests := []struct {
		name                string
		ldVersion, ldCommit string
		bi                  *debug.BuildInfo
		want                info
	}{
		{
			name: "no build information at all",
			want: info{version: "devel", goVersion: runtime.Version()},
		},
		{
			name:      "link-time stamp wins over build information",
			ldVersion: "v0.1.0", ldCommit: rev,
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v9.9.9"},
				Settings: vcs("ffffffffffffffffffffffffffffffffffffffff", "false")},
			want: info{version: "0.1.0", commit: rev, goVersion: "go1.26.8"},
		},
		{
			name:      "git describe output after the tag, dirty",
			ldVersion: "v0.1.0-3-g4799b81-dirty", ldCommit: rev + "-dirty",
			want: info{version: "0.1.0-3-g4799b81-dirty", commit: rev + "-dirty", goVersion: runtime.Version()},
		},
		{
			name: "go install of a release",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"}},
			want: info{version: "0.1.0", goVersion: "go1.26.8"},
		},
		{
			name: "go install of a pseudo-version",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8",
				Main: debug.Module{Version: "v0.1.1-0.20261128125300-4799b81a2b3c"}},
			want: info{version: "0.1.1-0.20261128125300-4799b81a2b3c", commit: "4799b81a2b3c", goVersion: "go1.26.8"},
		},
		{
			name: "local build in a modified checkout",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
				Settings: vcs(rev, "true")},
			want: info{version: "devel", commit: rev + "-dirty", goVersion: "go1.26.8"},
		},
		{
			name: "local build without VCS stamping",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			want: info{version: "devel", goVersion: "go1.26.8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resolve(tt.ldVersion, tt.ldCommit, tt.bi); got != tt.want {
				t.Errorf("resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		in   info
		want string
	}{
		{info{"0.1.0", "4799b81a2b3c4d5e", "go1.26.8"}, "apiops-conformance 0.1.0 (commit 4799b81, go1.26.8)"},
		{info{"0.1.0-dirty", "4799b81a2b3c4d5e-dirty", "go1.26.8"}, "apiops-conformance 0.1.0-dirty (commit 4799b81-dirty, go1.26.8)"},
		{info{"devel", "", "go1.26.8"}, "apiops-conformance devel (go1.26.8)"},
		{info{"0.1.0", "abc", "go1.26.8"}, "apiops-conformance 0.1.0 (commit abc, go1.26.8)"},
	}
	for _, tt := range tests {
		if got := tt.in.line("apiops-conformance"); got != tt.want {
			t.Errorf("line(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPseudoVersionCommit(t *testing.T) {
	tests := map[string]string{
		"v0.0.0-20261128125300-4799b81a2b3c":                "4799b81a2b3c",
		"v0.1.1-0.20261128125300-4799b81a2b3c":              "4799b81a2b3c",
		"v0.1.1-rc.1.0.20261128125300-4799b81a2b3c":         "4799b81a2b3c",
		"v0.1.1-0.20261128125300-4799b81a2b3c+dirty":        "4799b81a2b3c",
		"v2.0.1-0.20261128125300-4799b81a2b3c+incompatible": "4799b81a2b3c",
		"v0.1.0":                       "",
		"v0.1.0-rc.1":                  "",
		"v0.1.0-beta-4799b81a2b3c":     "",
		"v0.0.0-2026112812530-4799b81": "",
		"":                             "",
		"(devel)":                      "",
	}
	for in, want := range tests {
		if got := pseudoVersionCommit(in); got != want {
			t.Errorf("pseudoVersionCommit(%q) = %q, want %q", in, got, want)
		}
	}
}

// The running test binary has no link-time stamp: the package-level functions still
// give a usable line.
func TestString(t *testing.T) {
	line := String("apiops-mock")
	if !strings.HasPrefix(line, "apiops-mock "+Version()+" (") || !strings.HasSuffix(line, GoVersion()+")") {
		t.Errorf("String = %q; want program, version and Go version", line)
	}
	if Version() == "" || GoVersion() == "" {
		t.Errorf("Version %q, GoVersion %q: want both set", Version(), GoVersion())
	}
}
