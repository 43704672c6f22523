package main

import (
	"fmt"
	"runtime/debug"
)

// version returns the module version from the build info ("devel" for a local build).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "devel"
	}
	return info.Main.Version
}

type versionCmd struct{}

func (versionCmd) Run() error {
	fmt.Println(programName, version())
	return nil
}
