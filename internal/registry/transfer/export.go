package transfer

import (
	"context"
	"fmt"
	"gridgov/internal/registry"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// MaxExportRows bounds one export (the system actor is not bound).
const MaxExportRows = 100_000

// exportSheet is the sheet name of a people export.
const exportSheet = "人员"

// exportAccessBatch is how many written rows are gathered before they are
// recorded in person_access, so a large export never holds all its ids.
const exportAccessBatch = 1000

// ExportInput is an export of people: the filter (Limit and Offset are
// ignored), the format ("csv" or "xlsx"), and the reason, required when the
// export needs approval (4–200 characters). Begin, when set, is called once
// with the watermark after the export is audited and before its first byte,
// so that an HTTP handler can name the file.
type ExportInput struct {
	Filter registry.PeopleFilter
	Format string
	Reason string
	Begin  func(Watermark)
}

// ExportResult tells what an export did: Rows people written with Mark,
// or, when Request is set, nothing written and a request awaiting approval
// of Request.Rows people.
type ExportResult struct {
	Rows    int
	Mark    Watermark
	Request *ExportRequest
}

// Watermark identifies an export file (PRIV-4): who exported, when, and
// the reference tying it to its audit entry or export request.
type Watermark struct {
	User string    `json:"user"`
	At   time.Time `json:"at"`
	Ref  string    `json:"ref"`
}

// shanghai is China Standard Time, in which watermarks are shown.
var shanghai = time.FixedZone("CST", 8*3600)

// String is the watermark as one line of text.
func (m Watermark) String() string {
	return fmt.Sprintf("导出人 %s · 时间 %s · 编号 %s", m.User, m.At.In(shanghai).Format("2006-01-02 15:04:05"), m.Ref)
}

// FileName is the file name of an export carrying the watermark, for
// Content-Disposition (CSV files carry the watermark only there).
func (m Watermark) FileName(format string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r == ':' || r == '"' || r < ' ' || r == ' ' {
				return '-'
			}
			return r
		}, s)
	}
	return fmt.Sprintf("people_%s_%s_%s.%s", clean(m.User), m.At.In(shanghai).Format("20060102-150405"),
		clean(m.Ref), format)
}

// threshold is the largest export that needs no approval.
func (s *Service) threshold() int {
	if s.approvalThreshold > 0 {
		return s.approvalThreshold
	}
	return DefaultApprovalThreshold
}

// ExportPeople writes the people matching f that the actor may export as
// "csv" or "xlsx" (see Export). It gives no reason, so an export above the
// approval threshold is refused (422 on reason) rather than requested; the
// system actor (CLI) is never bound. It returns the row count.
func (s *Service) ExportPeople(ctx context.Context, f registry.PeopleFilter, w io.Writer, format string) (int, error) {
	res, err := s.Export(ctx, ExportInput{Filter: f, Format: format}, w)
	return res.Rows, err
}

// Export writes the people matching in.Filter that the actor may see and
// export (registry.read and registry.export scope, key-group people only
// within registry.keygroup scope) in the template's columns, streaming.
// ID numbers and phones are always masked: an export never unmasks. More
// than MaxExportRows people are refused (narrow the filter). More than the
// approval threshold (WithApprovalThreshold, 1,000 by default) writes nothing
// and creates an export request with in.Reason instead, to be approved by
// a second person (RequestExport); the system actor is bound by neither.
// A direct export is audited (person.export) before the first row is
// written, so that a download cut short is on record too; each row
// written is recorded in person_access under the audit entry's reference.
func (s *Service) Export(ctx context.Context, in ExportInput, w io.Writer) (ExportResult, error) {
	if err := exportPerms(ctx); err != nil {
		return ExportResult{}, err
	}
	if in.Format == "" {
		in.Format = "csv"
	}
	if err := validFormat(in.Format); err != nil {
		return ExportResult{}, err
	}
	sel, err := s.reg.SelectExportable(ctx, in.Filter)
	if err != nil {
		return ExportResult{}, err
	}
	total, err := s.exportCount(ctx, sel)
	if err != nil {
		return ExportResult{}, err
	}
	a := actor.From(ctx)
	if !a.System && total > s.threshold() {
		req, err := s.requestExport(ctx, in, total)
		return ExportResult{Rows: total, Request: req}, err
	}
	var ref string
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		f := in.Filter
		var err error
		ref, err = s.reg.RecordRef(ctx, audit.Entry{Action: "person.export", ObjectType: "person", Result: audit.Success,
			Detail: map[string]any{"rows": total, "format": in.Format, "grid_code": f.GridCode, "unit_code": f.UnitCode,
				"person_type": f.PersonType, "awaiting_grid": f.AwaitingGrid, "by_id_number": f.IDNumber != "",
				"by_phone": f.Phone != ""}})
		return err
	})
	if err != nil {
		return ExportResult{}, err
	}
	mark := Watermark{User: a.Username, At: s.now(), Ref: ref}
	n, err := s.streamPeople(ctx, sel, w, in.Format, mark, in.Begin)
	return ExportResult{Rows: n, Mark: mark}, err
}

// exportPerms checks registry.export and registry.read somewhere.
func exportPerms(ctx context.Context) error {
	if err := rbac.RequireAny(ctx, PermExport); err != nil {
		return err
	}
	return rbac.RequireAny(ctx, registry.PermRead)
}

// validFormat accepts "csv" and "xlsx".
func validFormat(format string) error {
	if format != "csv" && format != "xlsx" {
		return apperr.Field("format", apperr.OneOf, "values", "csv, xlsx")
	}
	return nil
}

// exportCount counts the people of sel, refusing more than MaxExportRows
// (except for the system actor).
func (s *Service) exportCount(ctx context.Context, sel registry.Selection) (int, error) {
	total, err := s.reg.CountSelected(ctx, sel)
	if err != nil {
		return 0, err
	}
	if total > MaxExportRows && !actor.From(ctx).System {
		return 0, apperr.Field("filter", apperr.ExportSize, "total", total, "max", MaxExportRows)
	}
	return total, nil
}

// streamPeople writes the people of sel as format with mark, recording
// each row written in person_access (ref mark.Ref) in batches. begin, if
// set, is called before the first byte.
func (s *Service) streamPeople(ctx context.Context, sel registry.Selection, w io.Writer, format string,
	mark Watermark, begin func(Watermark)) (int, error) {
	if begin != nil {
		begin(mark)
	}
	tw, err := newTableWriter(w, format, exportSheet)
	if err != nil {
		return 0, err
	}
	if tw.x != nil {
		if err := watermarkXLSX(tw.x, mark); err != nil {
			tw.x.Close()
			return 0, err
		}
	}
	if err := tw.write(templateHeader()); err != nil {
		return 0, err
	}
	n := 0
	ids := make([]int64, 0, exportAccessBatch)
	flush := func() error {
		err := s.reg.LogAccess(ctx, registry.AccessExport, ids, mark.Ref)
		ids = ids[:0]
		return err
	}
	err = s.reg.EachSelected(ctx, sel, func(p registry.Person) error {
		p.MaskForList() // birth year only, address at building level (PRIV-3)
		if err := tw.write(exportRow(p)); err != nil {
			return err
		}
		n++
		if ids = append(ids, p.ID); len(ids) == exportAccessBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	return n, tw.close()
}

// watermarkXLSX puts mark in the document properties and in the header
// and footer line of the export sheet (PRIV-4).
func watermarkXLSX(x *excelize.File, mark Watermark) error {
	line := mark.String()
	if err := x.SetDocProps(&excelize.DocProperties{
		Creator: mark.User, LastModifiedBy: mark.User, Title: "人员导出 " + mark.Ref,
		Subject: line, Description: line, Identifier: mark.Ref, Keywords: "gridgov export " + mark.Ref,
		Created: mark.At.UTC().Format(time.RFC3339), Modified: mark.At.UTC().Format(time.RFC3339),
	}); err != nil {
		return apperr.Wrap(err, "xlsx watermark")
	}
	hf := "&C" + strings.ReplaceAll(line, "&", "&&")
	if err := x.SetHeaderFooter(exportSheet, &excelize.HeaderFooterOptions{OddHeader: hf, OddFooter: hf}); err != nil {
		return apperr.Wrap(err, "xlsx watermark")
	}
	return nil
}

// exportRow is a person in templateFields order, masked (the caller has
// applied MaskForList).
func exportRow(p registry.Person) []string {
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
