package main

import (
	"context"
	"fmt"
	"io"

	"gridgov/internal/citizen"
)

// runAPIKey handles "apikey create", "apikey list" and "apikey revoke":
// the Open311 API keys. A created key is printed once; only its hash is
// stored.
func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "create", "list", "revoke":
			return apiKeyCmd(ctx, args[0], args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, "usage:\n  gridgov apikey create --name NAME   (prints the key once)\n"+
		"  gridgov apikey list\n  gridgov apikey revoke --id ID")
	return 2
}

func apiKeyCmd(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("apikey "+sub, stderr)
	name := fs.String("name", "", "with create: what the key is for, e.g. the client's name (required)")
	id := fs.Int64("id", 0, "with revoke: id of the key (see apikey list)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if sub == "create" && *name == "" {
		fmt.Fprintln(stderr, "gridgov apikey create: missing --name")
		return 2
	}
	if sub == "revoke" && *id <= 0 {
		fmt.Fprintln(stderr, "gridgov apikey revoke: missing --id")
		return 2
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "apikey "+sub, err)
	}
	defer a.Close()
	cctx := cliContext(ctx, "cli")
	switch sub {
	case "create":
		k, secret, err := a.Citizen.CreateKey(cctx, *name)
		if err != nil {
			return fail(stderr, "apikey create", err)
		}
		fmt.Fprintf(stdout, "created API key %d (%s); it is shown only this once:\n%s\n", k.ID, k.Name, secret)
	case "list":
		keys, err := a.Citizen.Keys(cctx)
		if err != nil {
			return fail(stderr, "apikey list", err)
		}
		for _, k := range keys {
			fmt.Fprintf(stdout, "%d\t%s…\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Name,
				k.CreatedAt.Format("2006-01-02 15:04"), keyState(k))
		}
	case "revoke":
		if err := a.Citizen.RevokeKey(cctx, *id); err != nil {
			return fail(stderr, "apikey revoke", err)
		}
		fmt.Fprintf(stdout, "revoked API key %d\n", *id)
	}
	return 0
}

func keyState(k citizen.APIKey) string {
	if k.RevokedAt != nil {
		return "revoked " + k.RevokedAt.Format("2006-01-02 15:04")
	}
	if k.LastUsedAt != nil {
		return "active, last used " + k.LastUsedAt.Format("2006-01-02 15:04")
	}
	return "active, never used"
}
