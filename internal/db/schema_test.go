package db_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// schemaAllowed lists the deliberate differences between the schemas the
// two migration trees produce, each line as the test prints it, with its
// reason. Today there are none that the test can see: the PostGIS tables
// (grid_geoms) are made by the atlas at service start, not by
// migrations; tables an extension owns (PostGIS's spatial_ref_sys) are left
// out of the PostgreSQL side; and there are no FTS or R*Tree tables. What the test does not
// compare is deliberately different or engine-specific: operator classes
// and collations (org_units_path_like is text_pattern_ops on PostgreSQL and
// NOCASE on SQLite, the same prefix index on each engine), CHECK
// expressions, defaults, and the triggers that keep the audit log
// append-only (one per statement kind on SQLite, a function on PostgreSQL).
var schemaAllowed = map[string]string{}

// TestMigrationSchemasMatch migrates a SQLite and a PostgreSQL database and
// compares what they hold, read back from each catalogue: tables; columns
// with a type class, nullability and primary key; indexes with their
// columns, uniqueness and partiality; unique constraints; foreign keys with
// their delete action. A difference fails unless schemaAllowed explains it.
// PostGIS tables are created at service start, not by migrations, so they
// are in neither database here.
func TestMigrationSchemasMatch(t *testing.T) {
	ctx := context.Background()
	lite := describe(t, ctx, dbtest.Open(t, db.SQLite))
	pg := describe(t, ctx, dbtest.Open(t, db.Postgres))
	if len(lite) < 40 {
		t.Fatalf("sqlite schema has only %d lines; introspection is broken", len(lite))
	}
	seen := map[string]bool{}
	var diffs []string
	for _, l := range lite {
		if !slices.Contains(pg, l) {
			diffs = append(diffs, "only sqlite: "+l)
		}
	}
	for _, l := range pg {
		if !slices.Contains(lite, l) {
			diffs = append(diffs, "only postgres: "+l)
		}
	}
	for _, d := range diffs {
		seen[d] = true
		if _, ok := schemaAllowed[d]; !ok {
			t.Errorf("schema drift: %s", d)
		}
	}
	for d := range schemaAllowed {
		if !seen[d] {
			t.Errorf("schemaAllowed lists %q, which is no longer a difference: remove it", d)
		}
	}
}

// describe returns the schema of d as sorted lines, one per fact.
func describe(t *testing.T, ctx context.Context, d *db.DB) []string {
	t.Helper()
	var lines []string
	var err error
	if d.Dialect == db.SQLite {
		lines, err = describeSQLite(ctx, d)
	} else {
		lines, err = describePostgres(ctx, d)
	}
	if err != nil {
		t.Fatalf("%s: %v", d.Dialect, err)
	}
	sort.Strings(lines)
	return lines
}

// typeClass folds a declared column type to what both engines agree on.
// SQLite stores booleans as integers, so a boolean is an int.
func typeClass(typ string) string {
	t := strings.ToLower(strings.TrimSpace(typ))
	switch {
	case t == "integer" || t == "bigint" || t == "smallint" || t == "int" || t == "boolean":
		return "int"
	case t == "text" || strings.HasPrefix(t, "character varying") || strings.HasPrefix(t, "varchar"):
		return "text"
	case t == "real" || strings.HasPrefix(t, "double") || t == "numeric":
		return "float"
	case strings.HasPrefix(t, "timestamp"):
		return "time"
	case t == "blob" || t == "bytea":
		return "bytes"
	}
	return "other:" + t
}

func describeSQLite(ctx context.Context, d *db.DB) ([]string, error) {
	tables, err := db.Collect(ctx, d, db.ScanOne[string],
		`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tb := range tables {
		out = append(out, "table "+tb)
		type col struct {
			name, typ string
			notNull   bool
			pk        int
		}
		cols, err := db.Collect(ctx, d, func(s db.Scanner) (col, error) {
			var c col
			err := s.Scan(&c.name, &c.typ, &c.notNull, &c.pk)
			return c, err
		}, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, tb)
		if err != nil {
			return nil, err
		}
		var pk []string
		sort.Slice(cols, func(i, j int) bool { return cols[i].pk < cols[j].pk })
		for _, c := range cols {
			// A primary key column is never null, whatever SQLite reports.
			out = append(out, fmt.Sprintf("column %s.%s %s %s", tb, c.name, typeClass(c.typ), nullness(c.notNull || c.pk > 0)))
			if c.pk > 0 {
				pk = append(pk, c.name)
			}
		}
		if len(pk) > 0 {
			out = append(out, fmt.Sprintf("primary key %s(%s)", tb, strings.Join(pk, ", ")))
		}
		type index struct {
			name, origin string
			unique, part bool
		}
		idxs, err := db.Collect(ctx, d, func(s db.Scanner) (index, error) {
			var i index
			err := s.Scan(&i.name, &i.unique, &i.origin, &i.part)
			return i, err
		}, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, tb)
		if err != nil {
			return nil, err
		}
		for _, ix := range idxs {
			if ix.origin == "pk" {
				continue
			}
			names, err := db.Collect(ctx, d, func(s db.Scanner) (string, error) {
				var n *string
				err := s.Scan(&n)
				if n == nil {
					return "<expr>", err
				}
				return *n, err
			}, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.name)
			if err != nil {
				return nil, err
			}
			out = append(out, indexLine(tb, ix.name, ix.origin == "u", ix.unique, ix.part, names))
		}
		type fk struct {
			id          int
			table, from string
			to          *string
			onDelete    string
		}
		fks, err := db.Collect(ctx, d, func(s db.Scanner) (fk, error) {
			var f fk
			err := s.Scan(&f.id, &f.table, &f.from, &f.to, &f.onDelete)
			return f, err
		}, `SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, tb)
		if err != nil {
			return nil, err
		}
		byID := map[int][]fk{}
		for _, f := range fks {
			byID[f.id] = append(byID[f.id], f)
		}
		for _, parts := range byID {
			var from, to []string
			for _, f := range parts {
				from = append(from, f.from)
				if f.to != nil {
					to = append(to, *f.to)
				}
			}
			if len(to) == 0 { // REFERENCES t without columns: t's primary key
				to, err = db.Collect(ctx, d, db.ScanOne[string],
					`SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, parts[0].table)
				if err != nil {
					return nil, err
				}
			}
			out = append(out, fkLine(tb, from, parts[0].table, to, parts[0].onDelete))
		}
	}
	return out, nil
}

func describePostgres(ctx context.Context, d *db.DB) ([]string, error) {
	// Tables an extension owns (PostGIS's spatial_ref_sys, where the test
	// database has PostGIS) are the extension's, not the migrations'.
	owned, err := db.Collect(ctx, d, db.ScanOne[string], `SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
		JOIN pg_depend x ON x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e'`)
	if err != nil {
		return nil, err
	}
	lines, err := describePostgresTables(ctx, d)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range lines {
		if !slices.ContainsFunc(owned, func(t string) bool { return mentionsTable(l, t) }) {
			out = append(out, l)
		}
	}
	return out, nil
}

// mentionsTable reports whether a line describes table t (its table, its
// columns, keys or indexes; not a foreign key of another table to it).
func mentionsTable(line, t string) bool {
	for _, p := range []string{"table " + t, "column " + t + ".", "primary key " + t + "(", "unique " + t + "(", "foreign key " + t + "("} {
		if line == p || strings.HasPrefix(line, p) && p != "table "+t {
			return true
		}
	}
	return strings.Contains(line, " on "+t+"(")
}

func describePostgresTables(ctx context.Context, d *db.DB) ([]string, error) {
	var out []string
	type col struct{ table, name, typ, nullable string }
	cols, err := db.Collect(ctx, d, func(s db.Scanner) (col, error) {
		var c col
		err := s.Scan(&c.table, &c.name, &c.typ, &c.nullable)
		return c, err
	}, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	tables := map[string]bool{}
	for _, c := range cols {
		tables[c.table] = true
		out = append(out, fmt.Sprintf("column %s.%s %s %s", c.table, c.name, typeClass(c.typ), nullness(c.nullable == "NO")))
	}
	for tb := range tables {
		out = append(out, "table "+tb)
	}
	// Indexes, with the constraint (primary key, unique) each backs.
	type index struct {
		table, name, contype string
		unique, part         bool
		cols                 string
	}
	idxs, err := db.Collect(ctx, d, func(s db.Scanner) (index, error) {
		var i index
		err := s.Scan(&i.table, &i.name, &i.contype, &i.unique, &i.part, &i.cols)
		return i, err
	}, `SELECT t.relname, i.relname, COALESCE(con.contype::text, ''), x.indisunique, x.indpred IS NOT NULL,
		       COALESCE((SELECT string_agg(COALESCE(a.attname, '<expr>'), ', ' ORDER BY k.n)
		         FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
		         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0), '')
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
		LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.contype IN ('p', 'u')`)
	if err != nil {
		return nil, err
	}
	for _, ix := range idxs {
		names := strings.Split(ix.cols, ", ")
		if ix.contype == "p" {
			out = append(out, fmt.Sprintf("primary key %s(%s)", ix.table, ix.cols))
			continue
		}
		out = append(out, indexLine(ix.table, ix.name, ix.contype == "u", ix.unique, ix.part, names))
	}
	type fk struct{ table, from, ref, to, onDelete string }
	fks, err := db.Collect(ctx, d, func(s db.Scanner) (fk, error) {
		var f fk
		err := s.Scan(&f.table, &f.from, &f.ref, &f.to, &f.onDelete)
		return f, err
	}, `SELECT t.relname,
		       (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
		          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
		       r.relname,
		       (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
		          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
		       c.confdeltype::text
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class r ON r.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
		WHERE c.contype = 'f'`)
	if err != nil {
		return nil, err
	}
	actions := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
	for _, f := range fks {
		out = append(out, fkLine(f.table, strings.Split(f.from, ", "), f.ref, strings.Split(f.to, ", "), actions[f.onDelete]))
	}
	return out, nil
}

func nullness(notNull bool) string {
	if notNull {
		return "not null"
	}
	return "null"
}

// indexLine describes an index. Indexes created by name are compared by
// name; those backing a UNIQUE constraint get engine-chosen names, so they
// are compared by their columns alone.
func indexLine(table, name string, constraint, unique, partial bool, cols []string) string {
	if constraint {
		return fmt.Sprintf("unique %s(%s)", table, strings.Join(cols, ", "))
	}
	kind := "index"
	if unique {
		kind = "unique index"
	}
	where := ""
	if partial {
		where = " partial"
	}
	return fmt.Sprintf("%s %s on %s(%s)%s", kind, name, table, strings.Join(cols, ", "), where)
}

func fkLine(table string, from []string, ref string, to []string, onDelete string) string {
	return fmt.Sprintf("foreign key %s(%s) references %s(%s) on delete %s",
		table, strings.Join(from, ", "), ref, strings.Join(to, ", "), strings.ToUpper(onDelete))
}
