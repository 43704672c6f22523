// Command dist builds the release archives of apiops-conformance: both binaries for every
// supported platform, cross-compiled and packed with LICENSE, README.md and CHANGELOG.md
// into apiops-conformance_VERSION_OS_ARCH.tar.gz (.zip for Windows), plus SHA256SUMS in
// the format `sha256sum -c` reads. `make dist` runs it with the version from git describe.
//
// The archives are reproducible: the same commit, version and Go toolchain give the same
// bytes. Builds use -trimpath and no cgo; archive entries are sorted and carry a fixed
// modification time (-mtime, default SOURCE_DATE_EPOCH), owner 0 and fixed modes; gzip
// headers carry no name or time.
//
// Usage:
//
//	go run ./scripts/dist -version 0.1.0 -commit $(git rev-parse HEAD) -mtime 1764332160 -out dist
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Project is the name of the archives and of the folder inside them.
const project = "apiops-conformance"

// buildinfoPkg receives the link-time stamps.
const buildinfoPkg = "github.com/apiops/apiops-conformance/cmd/internal/buildinfo"

// commands are the binaries every archive holds, by package path.
var commands = []string{"./cmd/apiops-conformance", "./cmd/apiops-mock"}

// docs are the files every archive holds next to the binaries.
var docs = []string{"LICENSE", "README.md", "CHANGELOG.md"}

// defaultTargets are the release platforms, GOOS/GOARCH.
var defaultTargets = []string{
	"linux/amd64", "linux/arm64",
	"darwin/amd64", "darwin/arm64",
	"windows/amd64", "windows/arm64",
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "dist: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("dist", flag.ContinueOnError)
	version := fs.String("version", "", "version to stamp and name the archives with (a leading v is dropped)")
	commit := fs.String("commit", "", "commit hash to stamp")
	mtime := fs.String("mtime", os.Getenv("SOURCE_DATE_EPOCH"), "Unix time of every archive entry (default $SOURCE_DATE_EPOCH)")
	out := fs.String("out", "dist", "output folder (emptied first)")
	targets := fs.String("targets", strings.Join(defaultTargets, ","), "comma-separated GOOS/GOARCH list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	v := strings.TrimPrefix(strings.TrimSpace(*version), "v")
	if v == "" {
		return errors.New("-version is required")
	}
	if strings.ContainsAny(v, `/\ `) {
		return fmt.Errorf("-version %q: must not contain a slash or space", v)
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(*mtime), 10, 64)
	if err != nil {
		return fmt.Errorf("-mtime %q (or SOURCE_DATE_EPOCH): want a Unix time: %w", *mtime, err)
	}
	modTime := time.Unix(sec, 0).UTC()

	if err := os.RemoveAll(*out); err != nil {
		return err
	}
	work := filepath.Join(*out, ".work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	var archives []string
	for _, t := range strings.Split(*targets, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(t), "/")
		if !ok || goos == "" || goarch == "" {
			return fmt.Errorf("-targets: %q is not GOOS/GOARCH", t)
		}
		name, err := buildTarget(work, *out, v, *commit, goos, goarch, modTime)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", goos, goarch, err)
		}
		archives = append(archives, name)
		fmt.Println(filepath.Join(*out, name))
	}
	if err := os.RemoveAll(work); err != nil {
		return err
	}
	sums, err := checksums(*out, archives)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "SHA256SUMS"), []byte(sums), 0o644); err != nil {
		return err
	}
	fmt.Println(filepath.Join(*out, "SHA256SUMS"))
	return nil
}

// buildTarget builds both binaries for one platform into work and packs them into an
// archive in out; it returns the archive's file name.
func buildTarget(work, out, version, commit, goos, goarch string, modTime time.Time) (string, error) {
	base := baseName(version, goos, goarch)
	bindir := filepath.Join(work, base)
	var files []file
	for _, pkg := range commands {
		bin := filepath.Base(pkg) + exeSuffix(goos)
		dst := filepath.Join(bindir, bin)
		if err := goBuild(pkg, dst, version, commit, goos, goarch); err != nil {
			return "", err
		}
		files = append(files, file{name: bin, src: dst, mode: 0o755})
	}
	for _, d := range docs {
		files = append(files, file{name: d, src: d, mode: 0o644})
	}
	name := archiveName(version, goos, goarch)
	f, err := os.Create(filepath.Join(out, name))
	if err != nil {
		return "", err
	}
	if goos == "windows" {
		err = writeZip(f, base, files, modTime)
	} else {
		err = writeTarGz(f, base, files, modTime)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("pack %s: %w", name, err)
	}
	return name, nil
}

// goBuild cross-compiles one command with the release flags.
func goBuild(pkg, dst, version, commit, goos, goarch string) error {
	ldflags := "-s -w -X " + buildinfoPkg + ".version=" + version
	if commit != "" {
		ldflags += " -X " + buildinfoPkg + ".commit=" + commit
	}
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", dst, pkg)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// baseName is the archive's name without extension and the folder inside it:
// apiops-conformance_0.1.0_linux_amd64.
func baseName(version, goos, goarch string) string {
	return fmt.Sprintf("%s_%s_%s_%s", project, strings.TrimPrefix(version, "v"), goos, goarch)
}

// archiveName is the file name of a platform's archive: .zip for Windows, else .tar.gz.
func archiveName(version, goos, goarch string) string {
	if goos == "windows" {
		return baseName(version, goos, goarch) + ".zip"
	}
	return baseName(version, goos, goarch) + ".tar.gz"
}

func exeSuffix(goos string) string {
	if goos == "windows" {
		return ".exe"
	}
	return ""
}
