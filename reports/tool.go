package reports

import (
	"runtime"
	"runtime/debug"
)

// BuildTool names the running program for Result.Tool: name and version as given, the
// commit it was built from (when the Go toolchain recorded it, with "-dirty" for a build
// from a modified tree) and the Go version.
func BuildTool(name, version string) Tool {
	t := Tool{Name: name, Version: version, GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return t
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			t.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if t.Commit != "" && dirty {
		t.Commit += "-dirty"
	}
	return t
}
