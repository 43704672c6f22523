package main

// PLACEHOLDER: owned by the suites/runner work; replaced there.
type listCmd struct{}

func (listCmd) Run() error { return exitError{exitUsage} }
