package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"gridgov/internal/jobs"
)

func TestJobsCommands(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		code, out, errs := cli("", append([]string{"jobs", "list"}, flags...)...)
		if code != 0 {
			t.Fatalf("jobs list: %d %q %q", code, out, errs)
		}
		for _, want := range []string{"NAME", "cases.overdue", "every 1m", "attachments.purge", "every 1h", "idempotency.purge"} {
			if !strings.Contains(out, want) {
				t.Errorf("jobs list lacks %q:\n%s", want, out)
			}
		}
		// An upload never linked, two days old, is what the purge removes.
		a := cliApp(t, flags)
		if _, err := a.DB.Exec(context.Background(), `INSERT INTO attachments (blob_key, filename, content_type, kind,
			size, sha256, created_at) VALUES ('old', 'x.pdf', 'application/pdf', 'document', 1, '00', ?)`,
			time.Now().Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		code, out, errs = cli("", append([]string{"jobs", "run", "attachments.purge", "--json"}, flags...)...)
		var run jobs.Run
		if code != 0 || json.Unmarshal([]byte(out), &run) != nil || run.Result != jobs.ResultOK ||
			run.Cause != jobs.CauseCLI || run.Summary["purged"] != 1 {
			t.Fatalf("jobs run --json: %d %q %q", code, out, errs)
		}
		code, out, errs = cli("", append(append([]string{"jobs", "run"}, flags...), "idempotency.purge")...)
		if code != 0 || !strings.Contains(out, "job idempotency.purge run") || !strings.Contains(out, ": ok (purged=0)") {
			t.Fatalf("jobs run NAME after the flags: %d %q %q", code, out, errs)
		}
		code, out, _ = cli("", append([]string{"jobs", "list"}, flags...)...)
		if code != 0 || !strings.Contains(out, "ok (bytes=1 kept=0 purged=1 uploads=0)") {
			t.Errorf("jobs list after the run:\n%s", out)
		}
		if code, _, errs := cli("", append([]string{"jobs", "run", "no.such"}, flags...)...); code != 1 || !strings.Contains(errs, "no job") {
			t.Errorf("unknown job: %d %q", code, errs)
		}
		for _, args := range [][]string{{"jobs"}, {"jobs", "start"}, {"jobs", "run"}, {"jobs", "list", "extra"}} {
			if code, _, _ := cli("", append(args, flags...)...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}

// TestServeRunsJobs: serve starts the runner, which runs the interval jobs
// at start, and stops it on shutdown.
func TestServeRunsJobs(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan int, 1)
		pr, pw := io.Pipe()
		go func() {
			code := runServe(ctx, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, flags...), pw, io.Discard)
			pw.Close()
			done <- code
		}()
		// Open the database once serve has migrated it and is serving.
		lines := bufio.NewScanner(pr)
		for lines.Scan() && !strings.Contains(lines.Text(), "serving on ") {
		}
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		a := cliApp(t, flags)
		deadline := time.Now().Add(30 * time.Second)
		for {
			var n int
			err := a.DB.QueryRow(context.Background(), `SELECT count(DISTINCT job) FROM job_runs WHERE result = 'ok'`).Scan(&n)
			if err == nil && n == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("jobs run at serve start: %d of 3 (%v)", n, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exit %d", code)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop after cancel")
		}
	})
}
