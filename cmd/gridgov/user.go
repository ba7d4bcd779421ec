package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gridgov/internal/auth"
)

// runUser handles "user create" and "user passwd".
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runUserWith(ctx, args, os.Stdin, stdout, stderr)
}

func runUserWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return userCreate(ctx, args[1:], stdin, stdout, stderr)
		case "passwd":
			return userPasswd(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, "usage:\n  gridgov user create --username U --password P --unit CODE [--role ROLE] [--scope CODE] [--name NAME]\n"+
		"  gridgov user passwd --username U --password P\n(--password - reads the password from standard input)")
	return 2
}

func userCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("user create", stderr)
	username := fs.String("username", "", "login name (required)")
	password := fs.String("password", "", "password, or - to read it from standard input (required)")
	unit := fs.String("unit", "", "code of the user's home unit (required)")
	role := fs.String("role", "", "role to grant, e.g. admin")
	scope := fs.String("scope", "", "code of the unit the role is granted over (default: --unit)")
	name := fs.String("name", "", "display name (default: the login name)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if missing := missingFlags(map[string]string{"username": *username, "password": *password, "unit": *unit}); missing != "" {
		fmt.Fprintf(stderr, "gridgov user create: missing %s\n", missing)
		return 2
	}
	pw, err := readPassword(*password, stdin)
	if err != nil {
		return fail(stderr, "user create", err)
	}
	in := auth.UserInput{Username: *username, DisplayName: *name, Password: pw, UnitCode: *unit}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if *role != "" {
		if *scope == "" {
			*scope = *unit
		}
		in.Grants = []auth.GrantInput{{Role: *role, ScopeCode: *scope}}
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "user create", err)
	}
	defer a.Close()
	u, err := a.Auth.CreateUser(cliContext(ctx, "cli"), in)
	if err != nil {
		return fail(stderr, "user create", err)
	}
	fmt.Fprintf(stdout, "created user %s (id %d) at unit %s", u.Username, u.ID, u.UnitCode)
	if *role != "" {
		fmt.Fprintf(stdout, " with role %s over %s", *role, *scope)
	}
	fmt.Fprintln(stdout)
	return 0
}

func userPasswd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("user passwd", stderr)
	username := fs.String("username", "", "login name (required)")
	password := fs.String("password", "", "new password, or - to read it from standard input (required)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if missing := missingFlags(map[string]string{"username": *username, "password": *password}); missing != "" {
		fmt.Fprintf(stderr, "gridgov user passwd: missing %s\n", missing)
		return 2
	}
	pw, err := readPassword(*password, stdin)
	if err != nil {
		return fail(stderr, "user passwd", err)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "user passwd", err)
	}
	defer a.Close()
	ctx = cliContext(ctx, "cli")
	u, err := a.Auth.UserByName(ctx, *username)
	if err != nil {
		return fail(stderr, "user passwd", err)
	}
	if err := a.Auth.SetPassword(ctx, u.ID, pw); err != nil {
		return fail(stderr, "user passwd", err)
	}
	fmt.Fprintf(stdout, "password of %s changed; their sessions were ended\n", u.Username)
	return 0
}

// missingFlags names the empty ones among required flags, in a stable order.
func missingFlags(flags map[string]string) string {
	var out []string
	for _, n := range []string{"username", "password", "unit"} {
		if v, ok := flags[n]; ok && strings.TrimSpace(v) == "" {
			out = append(out, "--"+n)
		}
	}
	return strings.Join(out, ", ")
}

// readPassword returns p, or for "-" the first line of stdin, so a password
// need not appear in the process list or shell history.
func readPassword(p string, stdin io.Reader) (string, error) {
	if p != "-" {
		return p, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("read password: standard input is empty")
	}
	return line, nil
}
