// Command apiops-conformance judges a deployment of the Apinizer Management API token
// endpoint (POST /apiops/auth/token) and its Bearer tokens against the contract.
//
// With no --base-url it starts the embedded mock server in-process and judges that.
// Exit status: 0 no gating failure, 1 a gating failure, 2 usage or configuration error.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/alecthomas/kong"

	"github.com/apiops/apiops-conformance/cmd/internal/buildinfo"
	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/suites"
)

// Exit statuses: the CI contract.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitNotJudged   = 3
	exitInterrupted = 130
	programName     = "apiops-conformance"
)

type cli struct {
	Run     runCmd     `cmd:"" help:"Run the conformance suites against a target (default: the embedded mock)."`
	Client  clientCmd  `cmd:"" help:"Judge a token client: run it against the embedded mock in several scenarios."`
	List    listCmd    `cmd:"" help:"List the requirement catalog."`
	Spec    specCmd    `cmd:"" help:"Print the embedded OpenAPI document."`
	Report  reportCmd  `cmd:"" help:"Re-render reports from a saved conformance.json."`
	Proxy   proxyCmd   `cmd:"" help:"Serve a validating proxy between a client and a manager; report on stop."`
	Version versionCmd `cmd:"" help:"Print the version."`

	VersionFlag kong.VersionFlag `name:"version" help:"Print the version and exit."`
}

// exitError carries an exit status out of a command's Run method.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	var c cli
	parser, err := kong.New(&c,
		kong.Name(programName),
		kong.Description("Conformance and contract tests for the Apinizer Management API token endpoint."),
		kong.UsageOnError(),
		kong.Configuration(loadConfigFile),
		suites.HelpVars(),
		kong.Vars{"version": buildinfo.String(programName)},
		kong.Exit(func(code int) {
			if code != 0 {
				code = exitUsage
			}
			os.Exit(code)
		}),
	)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", programName, err)
		return exitUsage
	}
	ctx, err := parser.Parse(bareStrict(args))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v (see --help)\n", programName, err)
		return exitUsage
	}
	if err := ctx.Run(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		fmt.Fprintf(os.Stderr, "%s: %v\n", programName, err)
		return exitUsage
	}
	return exitOK
}

// bareStrict spells a bare --strict (no scope) as --strict=all: the flag takes an
// optional value, which the flag parser cannot express itself.
func bareStrict(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "--strict" {
			a = "--strict=all"
		}
		out[i] = a
	}
	return out
}

// usage prints err as one line, naming the command, and returns exit status 2.
func usage(command string, err error) error {
	fmt.Fprintf(os.Stderr, "%s: %s: %v\n", programName, command, err)
	return exitError{exitUsage}
}

// finish prints the console summary of res, writes its reports into reportDir (when
// given), and returns the exit status the result decides.
func finish(res reports.Result, console reports.ConsoleOptions, reportDir string) error {
	fmt.Println()
	reports.WriteConsole(os.Stdout, res, console)
	if reportDir != "" {
		if err := reports.WriteFiles(reportDir, res); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", programName, err)
			return exitError{exitUsage}
		}
		fmt.Printf("reports written to %s\n", reportDir)
	}
	return exitError{res.ExitCode()}
}
