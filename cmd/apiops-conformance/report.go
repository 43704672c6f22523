package main

// PLACEHOLDER: owned by the reports work; replaced there.
type reportCmd struct{}

func (reportCmd) Run() error { return exitError{exitUsage} }
