package registry

import (
	"context"
	"fmt"
	"io"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// MaxExportRows bounds one export (the system actor is not bound).
const MaxExportRows = 100_000

// ExportPeople writes the people matching f that the actor may see and
// export (registry.read and registry.export scope, key-group people only
// within registry.keygroup scope) as "csv" or "xlsx", in the template's
// columns, streaming. ID numbers and phones are always masked: an export
// never unmasks. f.Limit and f.Offset are ignored. An export of more than
// MaxExportRows people is refused (narrow the filter). The export is
// audited with its filter and row count before the first row is written,
// so that a download cut short is on record too; it returns the row count.
func (s *Service) ExportPeople(ctx context.Context, f PeopleFilter, w io.Writer, format string) (int, error) {
	if err := rbac.RequireAny(ctx, PermExport); err != nil {
		return 0, err
	}
	if err := rbac.RequireAny(ctx, PermRead); err != nil {
		return 0, err
	}
	where, args, err := s.peopleWhere(ctx, f)
	if err != nil {
		return 0, err
	}
	a := actor.From(ctx)
	exp, eargs := rbac.ScopeOf(a, PermExport).SQL("p.unit_path")
	where, args = append(where, exp), append(args, eargs...)
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM people p WHERE `+cond, args...).Scan(&total); err != nil {
		return 0, apperr.Wrap(err, "count export")
	}
	if total > MaxExportRows && !a.System {
		return 0, apperr.Field("filter", fmt.Sprintf("the export would hold %d people, at most %d: narrow the filter",
			total, MaxExportRows))
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.audit.Record(ctx, audit.Entry{Action: "person.export", ObjectType: "person", Result: audit.Success,
			Detail: map[string]any{"rows": total, "format": format, "grid_code": f.GridCode, "unit_code": f.UnitCode,
				"person_type": f.PersonType, "awaiting_grid": f.AwaitingGrid, "by_id_number": f.IDNumber != "",
				"by_phone": f.Phone != ""}})
	})
	if err != nil {
		return 0, err
	}
	tw, err := newTableWriter(w, format, "人员")
	if err != nil {
		return 0, err
	}
	if err := tw.write(templateHeader()); err != nil {
		return 0, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+personCols+` FROM people p WHERE `+cond+` ORDER BY p.id`, args...)
	if err != nil {
		return 0, apperr.Wrap(err, "export people")
	}
	n := 0
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return n, apperr.Wrap(err, "export people")
		}
		if err := tw.write(exportRow(p)); err != nil {
			rows.Close()
			return n, err
		}
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, apperr.Wrap(err, "export people")
	}
	return n, tw.close()
}

// exportRow is a person in templateFields order, masked.
func exportRow(p Person) []string {
	return []string{p.IDNumber, p.Name, p.Gender, p.BirthDate, p.Phone, p.Address, p.GridCode, p.PersonType,
		p.Nation, p.Education, p.Marital, p.Political, p.HukouAddress, p.Workplace, p.SourceRef}
}

// WriteImportFailures writes a job's failed rows as "csv" or "xlsx": the
// file's own header and rows, with an extra 错误原因 (problem) column
// naming the line and the field.
func (s *Service) WriteImportFailures(ctx context.Context, id int64, w io.Writer, format string) error {
	j, err := s.ImportJobByID(ctx, id)
	if err != nil {
		return err
	}
	var stored string
	if err := s.db.QueryRow(ctx, `SELECT failures FROM import_jobs WHERE id = ?`, id).Scan(&stored); err != nil {
		return apperr.Wrap(err, "import failures")
	}
	tw, err := newTableWriter(w, format, "失败行")
	if err != nil {
		return err
	}
	head := make([]string, 0, len(j.Mapping)+2)
	for _, h := range headerOrder(j) {
		head = append(head, h)
	}
	if err := tw.write(append(append(head, "错误原因"), "行号")); err != nil {
		return err
	}
	for _, f := range parseFailures(stored, -1) {
		row := make([]string, len(head))
		copy(row, f.Row)
		problem := f.Problem
		if f.Field != "" && !strings.HasPrefix(problem, f.Field+":") {
			problem = f.Field + ": " + problem
		}
		if err := tw.write(append(append(row, problem), fmt.Sprint(f.Line))); err != nil {
			return err
		}
	}
	return tw.close()
}

// headerOrder is the file's header as imported.
func headerOrder(j ImportJob) []string { return j.header }
