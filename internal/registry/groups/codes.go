package groups

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"gridgov/internal/org/orgdir"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// codesFS holds the shipped code tables, one JSON file per table.
//
//go:embed data/codes/*.json
var codesFS embed.FS

// The code tables other code names.
const (
	TableGroupKind = "group_kind"
	TableRiskLevel = "risk_level"
)

// codeFile is the shape of a code-table file and of an import.
type codeFile struct {
	Table    string `json:"table"`
	Title    string `json:"title"`
	Standard string `json:"standard"`
	Version  string `json:"version"`
	Codes    []Code `json:"codes"`
}

var (
	tableName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	versionForm = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
	attrName    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// EmbeddedTables returns the code tables shipped with the program.
func EmbeddedTables() ([]CodeTable, error) {
	names, err := fs.Glob(codesFS, "data/codes/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []CodeTable
	for _, n := range names {
		b, err := fs.ReadFile(codesFS, n)
		if err != nil {
			return nil, err
		}
		t, err := parseCodeTable(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// parseCodeTable decodes and checks a code-table document.
func parseCodeTable(b []byte) (CodeTable, error) {
	var f codeFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return CodeTable{}, apperr.New(apperr.BadRequest, "code table: "+err.Error())
	}
	t := CodeTable{Table: strings.TrimSpace(f.Table), Title: strings.TrimSpace(f.Title),
		Standard: strings.TrimSpace(f.Standard), Version: strings.TrimSpace(f.Version), Codes: f.Codes}
	return t, checkCodeTable(t)
}

// checkCodeTable validates a table's header, its codes and, for group
// kinds, their definitions.
func checkCodeTable(t CodeTable) error {
	fe := apperr.FieldErrors{}
	if !tableName.MatchString(t.Table) {
		fe.Add("table", apperr.LowerName)
	}
	if t.Title == "" {
		fe.Add("title", apperr.Required)
	}
	if !versionForm.MatchString(t.Version) {
		fe.Add("version", apperr.Version)
	}
	if len(t.Codes) == 0 {
		fe.Add("codes", apperr.CodeRequiredOne)
	}
	seen := map[string]bool{}
	for i, c := range t.Codes {
		f := fmt.Sprintf("codes[%d]", i)
		switch {
		case strings.TrimSpace(c.Code) == "" || len(c.Code) > 40 || c.Code != strings.TrimSpace(c.Code):
			fe.Add(f+".code", apperr.CharsBetween, "min", 1, "max", 40)
		case seen[c.Code]:
			fe.Add(f+".code", apperr.DuplicateCode, "code", c.Code)
		}
		seen[c.Code] = true
		if strings.TrimSpace(c.Name) == "" {
			fe.Add(f+".name", apperr.Required)
		}
		if c.Parent != "" && !seen[c.Parent] {
			fe.Add(f+".parent", apperr.EarlierCode)
		}
		if t.Table != TableGroupKind && (c.Key || c.VisitDays != 0 || len(c.Attrs) > 0) {
			fe.Add(f, apperr.GroupKindOnly)
		}
		if c.VisitDays < 0 || c.VisitDays > 3660 {
			fe.Add(f+".visit_days", apperr.IntRange, "min", 0, "max", 3660)
		}
		checkAttrs(fe, f, c.Attrs)
	}
	return fe.Err()
}

func checkAttrs(fe apperr.FieldErrors, f string, attrs []Attr) {
	names := map[string]bool{}
	for j, a := range attrs {
		af := fmt.Sprintf("%s.attrs[%d]", f, j)
		if !attrName.MatchString(a.Name) || names[a.Name] {
			fe.Add(af+".name", apperr.UniqueLowerName)
		}
		names[a.Name] = true
		if strings.TrimSpace(a.Label) == "" {
			fe.Add(af+".label", apperr.Required)
		}
		switch a.Type {
		case "text", "date":
			if a.Table != "" {
				fe.Add(af+".table", apperr.CodeTableOnly)
			}
		case "code":
			if !tableName.MatchString(a.Table) {
				fe.Add(af+".table", apperr.CodeTableNamed)
			}
		default:
			fe.Add(af+".type", apperr.OneOf, "values", "text, date, code")
		}
	}
}

// newerVersion reports whether version a is newer than b (dotted numbers).
func newerVersion(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x > y
		}
	}
	return false
}

// EnsureCodeTables loads the shipped code tables: a table missing from the
// database or held in an older version is loaded; a current or newer one
// is left alone. It runs at start as the platform.
func (s *Service) EnsureCodeTables(ctx context.Context) error {
	tables, err := EmbeddedTables()
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := s.load(ctx, t, "code_table.load"); err != nil {
			return fmt.Errorf("code table %s: %w", t.Table, err)
		}
	}
	return nil
}

// ImportCodeTable loads a newer version of a code table from its JSON
// document (the shape of data/codes/*.json). Only the platform or a user
// holding registry.write over a top-level unit may do so; a version not
// newer than the current one is a conflict.
func (s *Service) ImportCodeTable(ctx context.Context, doc []byte) (CodeTable, error) {
	if err := s.requireRoot(ctx); err != nil {
		return CodeTable{}, err
	}
	t, err := parseCodeTable(doc)
	if err != nil {
		return CodeTable{}, err
	}
	loaded, err := s.load(ctx, t, "code_table.import")
	if err != nil {
		return CodeTable{}, err
	}
	if !loaded {
		return CodeTable{}, apperr.Newf(apperr.Conflict, "code table %s already holds version %s or newer", t.Table, t.Version)
	}
	return s.CodeTable(ctx, t.Table)
}

// requireRoot checks registry.write over every top-level unit.
func (s *Service) requireRoot(ctx context.Context) error {
	a := actor.From(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if a.System {
		return nil
	}
	roots, err := orgdir.New(s.db).Roots(ctx)
	if err != nil {
		return apperr.Wrap(err, "top units")
	}
	n := 0
	for _, u := range roots {
		n++
		if !rbac.Can(a, PermWrite, u.Path) {
			return apperr.Newf(apperr.Forbidden, "permission %s over the top-level unit required", PermWrite)
		}
	}
	if n == 0 {
		return apperr.Newf(apperr.Forbidden, "permission %s over the top-level unit required", PermWrite)
	}
	return nil
}

// load stores t as the current version when it is newer than the stored
// one, reporting whether it did.
func (s *Service) load(ctx context.Context, t CodeTable, action string) (bool, error) {
	loaded := false
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.st.tableVersion(ctx, t.Table)
		if err != nil {
			return apperr.Wrap(err, "code table version")
		}
		if cur != "" && !newerVersion(t.Version, cur) {
			return nil
		}
		var oldKeys map[string]bool
		if t.Table == TableGroupKind && cur != "" {
			if oldKeys, err = s.kindKeys(ctx, cur); err != nil {
				return err
			}
		}
		if err := s.st.writeCodes(ctx, t); err != nil {
			return apperr.Wrap(err, "code table")
		}
		if err := s.st.setVersion(ctx, t, cur == "", s.now()); err != nil {
			return apperr.Wrap(err, "code table version")
		}
		loaded = true
		if err := s.audit.Record(ctx, audit.Entry{Action: action, ObjectType: "code_table", ObjectID: t.Table,
			Detail: map[string]any{"version": t.Version, "previous": cur, "codes": len(t.Codes), "standard": t.Standard}}); err != nil {
			return err
		}
		for _, c := range t.Codes {
			if was, ok := oldKeys[c.Code]; ok && was != c.Key {
				if err := s.rekeyKind(ctx, c.Code, c.Key, t.Version); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return loaded, err
}

// CodeTables lists the current version of every code table, without codes.
func (s *Service) CodeTables(ctx context.Context) ([]CodeTable, error) {
	if actor.From(ctx) == nil {
		return nil, apperr.New(apperr.Unauthenticated, "login required")
	}
	out, err := s.st.tables(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "code tables")
	}
	return out, nil
}

// CodeTable returns the current version of a table with its codes.
func (s *Service) CodeTable(ctx context.Context, table string) (CodeTable, error) {
	if actor.From(ctx) == nil {
		return CodeTable{}, apperr.New(apperr.Unauthenticated, "login required")
	}
	return s.codeTable(ctx, table)
}

func (s *Service) codeTable(ctx context.Context, table string) (CodeTable, error) {
	t, ok, err := s.st.table(ctx, table)
	if err != nil {
		return CodeTable{}, apperr.Wrap(err, "code table")
	}
	if !ok {
		return CodeTable{}, apperr.NotFoundf("no code table %s", table)
	}
	return t, nil
}

// Valid reports whether code is in the current version of table (false
// for an unknown table). Other parts of the registry check coded fields
// with it.
func (s *Service) Valid(ctx context.Context, table, code string) (bool, error) {
	ok, err := s.st.valid(ctx, table, code)
	if err != nil {
		return false, apperr.Wrap(err, "code")
	}
	return ok, nil
}

// Kinds returns the group kinds with their definitions.
func (s *Service) Kinds(ctx context.Context) ([]Code, error) {
	t, err := s.codeTable(ctx, TableGroupKind)
	if err != nil {
		return nil, err
	}
	return t.Codes, nil
}

// kind returns one group kind's definition, or a 422 on field.
func (s *Service) kind(ctx context.Context, code, field string) (Code, error) {
	kinds, err := s.Kinds(ctx)
	if err != nil {
		return Code{}, err
	}
	for _, k := range kinds {
		if k.Code == code {
			return k, nil
		}
	}
	return Code{}, apperr.Field(field, apperr.UnknownValue, "value", code)
}
