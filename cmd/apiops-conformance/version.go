package main

import (
	"fmt"

	"github.com/apiops/apiops-conformance/cmd/internal/buildinfo"
	"github.com/apiops/apiops-conformance/reports"
)

// version returns the version of this build, e.g. "0.1.0" or "devel" (see buildinfo).
func version() string { return buildinfo.Version() }

// tool names this build in every report: name, version, commit and Go version.
func tool(name string) reports.Tool {
	return reports.Tool{Name: name, Version: buildinfo.Version(), Commit: buildinfo.Commit(), GoVersion: buildinfo.GoVersion()}
}

// versionCmd is "apiops-conformance version"; --version prints the same line.
type versionCmd struct{}

func (versionCmd) Run() error {
	fmt.Println(buildinfo.String(programName))
	return nil
}
