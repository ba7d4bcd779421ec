package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"gridgov/internal/actor"
	"gridgov/internal/db"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// runVersion prints the version, the VCS revision when known, and the Go
// version.
func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, _ := newFlags("version", stderr)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	fmt.Fprintf(stdout, "gridgov %s%s (%s %s/%s)\n", version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

// runMigrate applies the schema migrations and prints those it applied.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("migrate", stderr)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if err := cfg.Validate(); err != nil {
		return fail(stderr, "migrate", err)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return fail(stderr, "migrate", err)
	}
	defer d.Close()
	applied, err := d.Migrate(ctx)
	if err != nil {
		return fail(stderr, "migrate", err)
	}
	for _, name := range applied {
		fmt.Fprintf(stdout, "applied %s\n", name)
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "database %s is up to date\n", d.Where)
	} else {
		fmt.Fprintf(stdout, "database %s: %d migration(s) applied\n", d.Where, len(applied))
	}
	return 0
}

// runAudit handles "audit verify".
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: gridgov audit verify [--data DIR]")
		return 2
	}
	fs, cfg := newFlags("audit verify", stderr)
	if code, done := parseFlags(fs, args[1:]); done {
		return code
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "audit verify", err)
	}
	defer a.Close()
	res, err := a.Audit.Verify(ctx)
	if err != nil {
		return fail(stderr, "audit verify", err)
	}
	if !res.OK {
		fmt.Fprintf(stderr, "audit log BROKEN at entry seq %d: %s (%d entries read)\n", res.BrokenSeq, res.Problem, res.Entries)
		return 1
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries\n", res.Entries)
	return 0
}

// cliContext makes ctx act as the platform itself, named for the audit log,
// with a request id that ties together what one command did.
func cliContext(ctx context.Context, name string) context.Context {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	ctx = actor.WithMeta(ctx, actor.Meta{RequestID: "cli-" + hex.EncodeToString(b), UserAgent: "gridgov-cli"})
	return actor.With(ctx, actor.SystemActor(name))
}
