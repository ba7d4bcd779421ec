package archtest

import (
	"bufio"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

const module = "gridgov/"

// root is the repository root, two levels above this package.
var root = filepath.Join("..", "..")

// tableMap is the "Table owners" section of docs/architecture.md.
type tableMap struct {
	owner   map[string]string          // table → owning package
	readers map[string]map[string]bool // table → packages that may read it
}

// owners reads the "Table owners" section of docs/architecture.md: rows of
// a Markdown table whose first cell lists tables, whose second names the
// owning package and whose third, if any, the packages that may also read
// them, all in backquotes. It is the one copy of the map.
func owners(t *testing.T) tableMap {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tick := regexp.MustCompile("`([^`]+)`")
	out := tableMap{owner: map[string]string{}, readers: map[string]map[string]bool{}}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = strings.EqualFold(strings.TrimSpace(line[3:]), "Table owners")
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 2 {
			continue
		}
		pkgs := tick.FindAllStringSubmatch(cells[1], -1)
		if len(pkgs) != 1 {
			continue // the header and the separator
		}
		readers := map[string]bool{}
		if len(cells) > 2 {
			for _, m := range tick.FindAllStringSubmatch(cells[2], -1) {
				readers[m[1]] = true
			}
		}
		for _, m := range tick.FindAllStringSubmatch(cells[0], -1) {
			if prev, dup := out.owner[m[1]]; dup {
				t.Errorf("docs/architecture.md gives table %s two owners: %s and %s", m[1], prev, pkgs[0][1])
			}
			out.owner[m[1]] = pkgs[0][1]
			out.readers[m[1]] = readers
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out.owner) == 0 {
		t.Fatal(`docs/architecture.md has no "Table owners" section`)
	}
	return out
}

// tableRef finds the tables an SQL text names: after FROM (with a comma
// list) and JOIN it reads them; after INTO, UPDATE, DELETE FROM, TABLE and
// COPY it writes them.
var (
	tableRef = regexp.MustCompile(`\b(DELETE\s+FROM|FROM|JOIN|INTO|UPDATE|TABLE|COPY)\s+((?:[a-z_][a-z0-9_]*(?:\s+(?:AS\s+)?[a-z_][a-z0-9_]*)?\s*,\s*)*[a-z_][a-z0-9_]*)`)
	listItem = regexp.MustCompile(`(?:^|,)\s*([a-z_][a-z0-9_]*)`)
)

// use is one SQL string literal naming a table.
type use struct {
	pkg, table, at string
	write          bool
}

// sqlUses returns, for every non-test Go file of the module, the known
// tables its string literals name as SQL.
func sqlUses(t *testing.T, known map[string]bool) []use {
	t.Helper()
	var out []use
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			pkg := filepath.ToSlash(rel)
			fs := token.NewFileSet()
			f, err := parser.ParseFile(fs, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, m := range tableRef.FindAllStringSubmatch(s, -1) {
					write := m[1] != "FROM" && m[1] != "JOIN"
					for _, item := range listItem.FindAllStringSubmatch(m[2], -1) {
						if known[item[1]] {
							at := fmt.Sprintf("%s:%d", filepath.ToSlash(path[len(root)+1:]), fs.Position(lit.Pos()).Line)
							out = append(out, use{pkg, item[1], at, write})
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// mayName reports whether pkg may name a table owned by owner: the owner
// itself, and a package below it that owns no table of its own (such as
// internal/org/orgdir, the org module's answers for other modules).
func mayName(pkg, owner string, owning map[string]bool) bool {
	if pkg == owner {
		return true
	}
	return strings.HasPrefix(pkg, owner+"/") && !owning[pkg]
}

// TestTableOwners fails when a package's SQL names a table another
// package owns, when a table of the schema has no owner in
// docs/architecture.md, or when the map names a table the schema lacks.
func TestTableOwners(t *testing.T) {
	own := owners(t)
	d := dbtest.Open(t, db.SQLite)
	rows, err := d.Query(context.Background(), `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	schema := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		schema[n] = true
	}
	rows.Close()
	known := map[string]bool{}
	owning := map[string]bool{}
	for table, pkg := range own.owner {
		known[table] = true
		owning[pkg] = true
		if _, err := os.Stat(filepath.Join(root, pkg)); err != nil {
			t.Errorf("table %s: owner %s is not a package directory", table, pkg)
		}
	}
	for table := range schema {
		if own.owner[table] == "" {
			t.Errorf("table %s has no owner in docs/architecture.md (Table owners)", table)
		}
	}
	uses := sqlUses(t, known)
	named := map[string]bool{}
	var bad []string
	for _, u := range uses {
		named[u.table] = true
		owner := own.owner[u.table]
		switch {
		case mayName(u.pkg, owner, owning):
		case own.readers[u.table][u.pkg] && u.write:
			bad = append(bad, fmt.Sprintf("%s writes %s, which it may only read (owner %s)", u.at, u.table, owner))
		case !own.readers[u.table][u.pkg]:
			bad = append(bad, fmt.Sprintf("%s names %s (owner %s)", u.at, u.table, owner))
		}
	}
	for table := range own.owner {
		if !schema[table] && !named[table] {
			t.Errorf("docs/architecture.md gives an owner to %s, which no migration or code creates", table)
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
	if len(uses) < 100 {
		t.Errorf("found only %d table names in SQL: the scanner has stopped finding SQL", len(uses))
	}
}
