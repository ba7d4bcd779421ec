package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/org"
	"gridgov/internal/seed"
)

const seedUsage = `usage: gridgov seed demo [--password PW] [--data DIR]

Loads the demo city into an empty database: Zhengzhou's 15 districts, 208
streets and 3,306 communities, city and district departments, a grid per
district, street and community, demo staff, the accounts admin
(city-wide) and admin-<district code> (e.g. admin-410105 for 金水区), and
synthetic base data for 金水区 and 二七区 (people imported per street,
households, houses, organisations, components, rosters, special and key
groups, visits).
Without --password a random password is generated and printed once;
--password - reads it from standard input.`

// runSeed handles "seed demo". Exit codes: 0 done, 1 failure (also when the
// data dir already has an organisation), 2 usage error.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSeedWith(ctx, args, os.Stdin, stdout, stderr)
}

func runSeedWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "demo" {
		fmt.Fprintln(stderr, seedUsage)
		return 2
	}
	fs, cfg := newFlags("seed demo", stderr)
	password := fs.String("password", "", "password of every demo account (default: generated, printed once; - reads stdin)")
	fs.Usage = func() { fmt.Fprintln(stderr, seedUsage+"\n\nflags:"); fs.PrintDefaults() }
	pos, code, done := parseInterleaved(fs, args[1:])
	if done {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "gridgov seed demo: unexpected argument %q\n\n%s\n", pos[0], seedUsage)
		return 2
	}
	pw, err := readPassword(*password, stdin)
	if err != nil {
		return fail(stderr, "seed demo", err)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "seed demo", err)
	}
	defer a.Close()
	if empty, err := seed.Empty(ctx, a.DB); err != nil {
		return fail(stderr, "seed demo", err)
	} else if !empty {
		fmt.Fprintf(stderr, "gridgov seed demo: %s already has an organisation; nothing was changed "+
			"(seed an empty --data directory or database)\n", a.DB.Where)
		return 1
	}
	fmt.Fprintf(stdout, "seeding the Zhengzhou demo into %s…\n", a.DB.Where)
	start := time.Now()
	res, err := seed.Demo(cliContext(ctx, "seed"), seed.Deps{DB: a.DB, Org: a.Org, Auth: a.Auth,
		Registry: a.Registry, Transfer: a.Transfer, Places: a.Places, Groups: a.Groups},
		seed.Options{Password: pw})
	if apperr.Is(err, apperr.Conflict) {
		fmt.Fprintf(stderr, "gridgov seed demo: %s; nothing was changed (seed an empty --data directory or database)\n",
			apperr.As(err).Message)
		return 1
	}
	if err != nil {
		return fail(stderr, "seed demo", err)
	}
	printSeedResult(stdout, res, time.Since(start))
	return 0
}

// baseCounts summarises the demo base data on one line.
func baseCounts(b *seed.BaseResult) string {
	members := 0
	for _, n := range b.Members {
		members += n
	}
	return fmt.Sprintf("%d people (%d awaiting a grid), %d households, %d houses (%d rented), %d organisations, "+
		"%d components, %d roster entries, %d group memberships (%d key-group people), %d visits",
		b.People, b.AwaitingGrid, b.Households, b.Houses, b.Rented, b.Organisations, b.Components, b.RosterEntries,
		members, b.KeyGroup, b.Visits)
}

// printSeedResult prints the counts, the accounts and, when it was
// generated, the password: the only time it is ever shown.
func printSeedResult(w io.Writer, res seed.Result, took time.Duration) {
	fmt.Fprintf(w, "units:       1 city, %d districts, %d streets, %d communities\n",
		res.Units[org.District], res.Units[org.Street], res.Units[org.Community])
	fmt.Fprintf(w, "departments: %d, with %d offices\n", res.Departments, res.Offices)
	fmt.Fprintf(w, "grids:       %d level 1 (%d with an outline), %d level 2, %d level 3\n",
		res.Grids[1], res.Boundaries, res.Grids[2], res.Grids[3])
	fmt.Fprintf(w, "staff:       %d grid leaders (网格长), %d deployed (下沉人员), %d mass-work team (群众工作队), %d administrators\n",
		res.Staff[org.GridLeader], res.Staff[org.Deployed], res.Staff[org.MassWork], res.Staff[org.NoTeam])
	if b := res.Base; b != nil {
		fmt.Fprintf(w, "base data:   %s\n", baseCounts(b))
	}
	fmt.Fprintf(w, "accounts:    %d, each with the role admin over its unit:\n", len(res.Accounts))
	for _, acc := range res.Accounts {
		fmt.Fprintf(w, "  %-14s %s (%s)\n", acc.Username, acc.UnitName, acc.UnitCode)
	}
	fmt.Fprintf(w, "done in %s\n", took.Round(100*time.Millisecond))
	if res.Password == "" {
		fmt.Fprintln(w, "password:    as given with --password")
		return
	}
	fmt.Fprintf(w, "\npassword of every demo account: %s\n", res.Password)
	fmt.Fprintln(w, "WARNING: this password is shown only this once and stored nowhere in clear: write it down now.")
}
