package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCal(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := runCalendar(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCalendarDeadlineCLI(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		from, limit, want string
	}{
		{"2026-09-30T10:00:00+08:00", "3wd", "2026-10-10T18:00:00+08:00\n"},
		{"2026-11-27T09:30:00Z", "1wh", "2026-11-30T09:30:00+08:00\n"}, // Friday 17:30 in Shanghai
		{"2026-11-26T12:30:00+08:00", "24h", "2026-11-27T12:30:00+08:00\n"},
	}
	for _, tt := range tests {
		code, out, errOut := runCal("deadline", "--data", dir, "--from", tt.from, "--limit", tt.limit)
		if code != 0 || out != tt.want {
			t.Errorf("deadline --from %s --limit %s = %d %q (stderr %q), want 0 %q", tt.from, tt.limit, code, out, errOut, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gridgov.db")); !os.IsNotExist(err) {
		t.Errorf("deadline created a database in an empty data dir (stat: %v)", err)
	}
	for _, args := range [][]string{
		{"deadline", "--data", dir, "--from", "2026-09-30T10:00:00+08:00"},
		{"deadline", "--data", dir, "--limit", "3weeks"},
		{"deadline", "--data", dir, "--limit", "3wd", "--from", "yesterday"},
		{"import", "--data", dir},
		{"import", "--data", dir, "--format", "csv", "x.csv"},
		{"days", "--data", dir, "--year", "20"},
		{"frobnicate"},
		{},
	} {
		if code, _, errOut := runCal(args...); code != 2 || !strings.Contains(errOut, "usage:") {
			t.Errorf("calendar %v = %d, stderr %q; want 2 with usage", args, code, errOut)
		}
	}
}

func TestCalendarImportCLI(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		file := filepath.Join(t.TempDir(), "extra.json")
		if err := os.WriteFile(file, []byte(`{"holidays":{"2026-11-30":"Test Day,测试假日,1"},"workdays":{}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCal(append([]string{"import", file}, flags...)...)
		if code != 0 || !strings.Contains(out, "1 inserted") {
			t.Fatalf("import = %d %q %q", code, out, errOut)
		}
		code, out, _ = runCal(append([]string{"deadline", "--from", "2026-11-27T17:30:00+08:00", "--limit", "1wh"}, flags...)...)
		if want := "2026-12-01T09:30:00+08:00\n"; code != 0 || out != want {
			t.Errorf("deadline after import = %d %q, want %q", code, out, want)
		}
		code, out, _ = runCal(append([]string{"days", "--year", "2026"}, flags...)...)
		if code != 0 || !strings.Contains(out, "2026-11-30  Mon  holiday  测试假日 (import:json)") ||
			!strings.Contains(out, "2026-10-10  Sat  workday  国庆节 (embedded)") {
			t.Errorf("days = %d\n%s", code, out)
		}
		code, out, _ = runCal(append([]string{"days", "--year", "2031"}, flags...)...)
		if code != 0 || !strings.Contains(out, "no holiday data for 2031") {
			t.Errorf("days 2031 = %d %q", code, out)
		}
	})
}
