package main

// PLACEHOLDER: owned by the suites/runner work; replaced there.
type runCmd struct{}

func (runCmd) Run() error { return exitError{exitUsage} }
