package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
)

func TestImportExportPeopleCLI(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		a := cliApp(t, flags)
		cliSmallTree(t, a)
		a.Close()
		dir := t.TempDir()
		id := seal.MakeIDNumber("41010519900307123")
		file := filepath.Join(dir, "people.csv")
		content := "id_number,name,gender,birth_date,phone,address,grid_code\n" + id + ",命令行,,,13812345678,经八路1号,\n" +
			"410105199003071231,坏号码,,,,,\n"
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"import", "people", "--unit", "410105", "--json"}, flags...)
		code, out, errOut := cli("", append(args, file)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var job transfer.ImportJob
		if err := json.Unmarshal([]byte(importLastLine(out)), &job); err != nil {
			t.Fatalf("last line %q: %v", importLastLine(out), err)
		}
		if job.Inserted != 1 || job.Failed != 1 || !strings.Contains(out, "line 3: id_number") {
			t.Fatalf("job %+v\n%s", job, out)
		}
		if !strings.Contains(errOut, "import: 100%") {
			t.Errorf("no progress on stderr: %q", errOut)
		}
		code, out, _ = cli("", append(args, file)...)
		if code != 0 || !strings.Contains(out, "0 inserted, 0 updated, 1 unchanged, 1 failed") {
			t.Fatalf("again: exit %d %s", code, out)
		}
		if code, _, errOut := cli("", append(args, filepath.Join(dir, "missing.csv"))...); code != 1 || errOut == "" {
			t.Fatalf("missing file: exit %d", code)
		}
		empty := filepath.Join(dir, "empty.csv")
		_ = os.WriteFile(empty, nil, 0o600)
		if code, _, errOut := cli("", append(args, empty)...); code != 1 || !strings.Contains(errOut, "empty") {
			t.Fatalf("empty file: exit %d %s", code, errOut)
		}
		outFile := filepath.Join(dir, "out.xlsx")
		code, out, errOut = cli("", append(append([]string{"export", "people", "--unit", "410105"}, flags...), outFile)...)
		if code != 0 || !strings.Contains(out, "exported 1 people") {
			t.Fatalf("export: exit %d %s %s", code, out, errOut)
		}
		b, _ := os.ReadFile(outFile)
		if !bytes.HasPrefix(b, []byte("PK")) {
			t.Fatal("export is not an xlsx file")
		}
		if code, _, _ := cli("", "import", "people", "--source", "x", file); code != 2 {
			t.Fatalf("bad source: exit %d", code)
		}
	})
}

func TestBenchRegistrySmall(t *testing.T) {
	dir := t.TempDir()
	smallOrg(t, dir)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"bench", "registry", "--people", "300", "--batch", "100", "--json", "--data", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout %q", out.String())
	}
	for i, want := range []string{"people-import", "people-search"} {
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil || m["workload"] != want || m["rows"] != float64(300) {
			t.Fatalf("line %s: %v", lines[i], err)
		}
	}
	if !strings.Contains(lines[0], `"db_bytes"`) || !strings.Contains(lines[0], `"ratio"`) {
		t.Fatalf("import line %s", lines[0])
	}
}
