package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// These tests cover naming, packing and checksums without building anything; `make dist`
// itself (twelve cross-compilations) is checked by hand, see the Makefile.

func TestArchiveNames(t *testing.T) {
	var got []string
	for _, target := range defaultTargets {
		goos, goarch, _ := strings.Cut(target, "/")
		got = append(got, archiveName("v0.1.0", goos, goarch))
	}
	want := []string{
		"apiops-conformance_0.1.0_linux_amd64.tar.gz",
		"apiops-conformance_0.1.0_linux_arm64.tar.gz",
		"apiops-conformance_0.1.0_darwin_amd64.tar.gz",
		"apiops-conformance_0.1.0_darwin_arm64.tar.gz",
		"apiops-conformance_0.1.0_windows_amd64.zip",
		"apiops-conformance_0.1.0_windows_arm64.zip",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("archive names:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if exeSuffix("windows") != ".exe" || exeSuffix("linux") != "" {
		t.Error("only Windows binaries end in .exe")
	}
}

// testFiles writes two small files and returns them as archive entries, listed out of
// name order on purpose.
func testFiles(t *testing.T) []file {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "tool")
	doc := filepath.Join(dir, "README.md")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho hi\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(doc, []byte("# readme\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []file{{name: "tool", src: bin, mode: 0o755}, {name: "README.md", src: doc, mode: 0o644}}
}

var fixed = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func TestTarGzIsReproducible(t *testing.T) {
	files := testFiles(t)
	var a, b bytes.Buffer
	if err := writeTarGz(&a, "p_1_linux_amd64", files, fixed); err != nil {
		t.Fatal(err)
	}
	// Touch the sources: their own times and modes must not leak into the archive.
	for _, f := range files {
		if err := os.Chtimes(f.src, time.Now(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeTarGz(&b, "p_1_linux_amd64", []file{files[1], files[0]}, fixed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two archives of the same files differ")
	}

	zr, err := gzip.NewReader(&a)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q, time %v", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(fixed) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: time %v, owner %d:%d %q:%q", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if h.Name == "p_1_linux_amd64/tool" && h.Mode != 0o755 {
			t.Errorf("tool mode %o, want 755", h.Mode)
		}
	}
	if got := strings.Join(names, " "); got != "p_1_linux_amd64/ p_1_linux_amd64/README.md p_1_linux_amd64/tool" {
		t.Errorf("entries %q", got)
	}
}

func TestZipIsReproducible(t *testing.T) {
	files := testFiles(t)
	var a, b bytes.Buffer
	if err := writeZip(&a, "p_1_windows_amd64", files, fixed); err != nil {
		t.Fatal(err)
	}
	if err := writeZip(&b, "p_1_windows_amd64", []file{files[1], files[0]}, fixed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two archives of the same files differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(fixed) {
			t.Errorf("%s: time %v", f.Name, f.Modified)
		}
	}
	if got := strings.Join(names, " "); got != "p_1_windows_amd64/ p_1_windows_amd64/README.md p_1_windows_amd64/tool" {
		t.Errorf("entries %q", got)
	}
}

func TestChecksums(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b.zip": "bee", "a.tar.gz": "ay"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sums, err := checksums(dir, []string{"b.zip", "a.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	// sha256sum's format: 64 hex digits, two spaces, the name; sorted by name.
	line := regexp.MustCompile(`^[0-9a-f]{64}  \S+$`)
	lines := strings.Split(strings.TrimSuffix(sums, "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "  a.tar.gz") || !strings.HasSuffix(lines[1], "  b.zip") {
		t.Fatalf("SHA256SUMS:\n%s", sums)
	}
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("line %q is not in sha256sum format", l)
		}
	}
	if sum := sha256.Sum256([]byte("ay")); lines[0][:64] != hex.EncodeToString(sum[:]) {
		t.Errorf("hash of a.tar.gz: %s", lines[0])
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"-mtime", "1"},
		{"-version", "1.0", "-mtime", "yesterday"},
		{"-version", "1.0/../x", "-mtime", "1"},
		{"-version", "1.0", "-mtime", "1", "-targets", "linux", "-out", t.TempDir()},
	} {
		if err := run(args); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

// Every target of the Makefile has a "## target: text" line, which `make help` lists.
func TestMakefileTargetsDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^## ([a-z-]+): \S`).FindAllStringSubmatch(string(data), -1) {
		documented[m[1]] = true
	}
	targets := regexp.MustCompile(`(?m)^([a-z][a-z-]*):`).FindAllStringSubmatch(string(data), -1)
	if len(targets) < 10 {
		t.Fatalf("found only %d targets in the Makefile", len(targets))
	}
	for _, m := range targets {
		if !documented[m[1]] {
			t.Errorf("target %s has no '## %s: …' line for make help", m[1], m[1])
		}
	}
}
