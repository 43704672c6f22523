package main

import (
	"os"

	"github.com/apiops/apiops-conformance/spec"
)

type specCmd struct{}

func (specCmd) Help() string {
	return "Prints the embedded OpenAPI 3.0 document (YAML) that the suites and the mock use.\n\nExample:\n  apiops-conformance spec > token.yaml"
}

func (specCmd) Run() error {
	_, err := os.Stdout.Write(spec.YAML())
	return err
}
