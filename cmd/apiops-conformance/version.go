package main

import (
	"fmt"

	"github.com/apiops/apiops-conformance/cmd/internal/buildinfo"
)

// version returns the version of this build, e.g. "0.1.0" or "devel" (see buildinfo).
func version() string { return buildinfo.Version() }

// versionCmd is "apiops-conformance version"; --version prints the same line.
type versionCmd struct{}

func (versionCmd) Run() error {
	fmt.Println(buildinfo.String(programName))
	return nil
}
