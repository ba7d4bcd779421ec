package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

const attachmentsUsage = `usage: gridgov attachments purge [--older-than 24h] [--json] [--data DIR]`

// runAttachments handles "attachments purge".
func runAttachments(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "purge" {
		fmt.Fprintln(stderr, attachmentsUsage)
		return 2
	}
	const name = "attachments purge"
	fs, cfg := newFlags(name, stderr)
	olderThan := fs.Duration("older-than", 24*time.Hour, "purge uploads never linked and older than this")
	asJSON := fs.Bool("json", false, `print one JSON line {"purged":N,"ids":[…],"bytes":N,"before":"…"}`)
	if code, done := parseFlags(fs, args[1:]); done {
		return code
	}
	if fs.NArg() > 0 || *olderThan <= 0 {
		problem := fmt.Sprintf("unexpected argument %q", fs.Arg(0))
		if fs.NArg() == 0 {
			problem = "--older-than must be positive"
		}
		fmt.Fprintf(stderr, "gridgov %s: %s\n%s\n", name, problem, attachmentsUsage)
		return 2
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, name, err)
	}
	defer a.Close()
	res, err := a.Blobs.PurgeOrphans(cliContext(ctx, "cli"), *olderThan)
	if err != nil {
		return fail(stderr, name, err)
	}
	if *asJSON {
		line, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(line))
		return 0
	}
	fmt.Fprintf(stdout, "purged %d unlinked attachment(s) uploaded before %s (%d bytes)\n",
		res.Purged, res.Before.Format(time.RFC3339), res.Bytes)
	return 0
}
