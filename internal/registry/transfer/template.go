package transfer

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"gridgov/internal/apperr"
)

// templateHeader is the header row of the template and of exports:
// Chinese titles with the field in brackets, 身份证号(id_number), which the
// import reads back.
func templateHeader() []string {
	out := make([]string, len(templateFields))
	for i, f := range templateFields {
		out[i] = fieldTitles[f] + "(" + f + ")"
	}
	return out
}

// WritePeopleTemplate writes the empty import template, "csv" (UTF-8 with
// a BOM, so that Excel opens it right) or "xlsx".
func WritePeopleTemplate(w io.Writer, format string) error {
	tw, err := newTableWriter(w, format, "人员")
	if err != nil {
		return err
	}
	if err := tw.write(templateHeader()); err != nil {
		return err
	}
	return tw.close()
}

// tableWriter writes rows as CSV or as a streamed xlsx sheet.
type tableWriter struct {
	w   io.Writer
	csv *csv.Writer
	x   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

// newTableWriter starts a CSV (with BOM) or xlsx output.
func newTableWriter(w io.Writer, format, sheet string) (*tableWriter, error) {
	switch format {
	case "", "csv":
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
		return &tableWriter{w: w, csv: csv.NewWriter(w)}, nil
	case "xlsx":
		f := excelize.NewFile()
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			f.Close()
			return nil, apperr.Wrap(err, "xlsx")
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			f.Close()
			return nil, apperr.Wrap(err, "xlsx")
		}
		return &tableWriter{w: w, x: f, sw: sw}, nil
	}
	return nil, apperr.Field("format", apperr.OneOf, "values", "csv, xlsx")
}

// write adds one row. A cell that a spreadsheet would take for a formula
// (it starts with = + - @, a tab or a carriage return) is written with a
// leading apostrophe, so that opening an export runs nothing.
func (t *tableWriter) write(row []string) error {
	safe := make([]string, len(row))
	for i, v := range row {
		safe[i] = defuse(v)
	}
	if t.csv != nil {
		return t.csv.Write(safe)
	}
	t.row++
	cells := make([]any, len(safe))
	for i, v := range safe {
		cells[i] = v
	}
	cell, err := excelize.CoordinatesToCellName(1, t.row)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, cells)
}

// defuse neutralises a would-be spreadsheet formula.
func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// close finishes the output.
func (t *tableWriter) close() error {
	if t.csv != nil {
		t.csv.Flush()
		return t.csv.Error()
	}
	defer t.x.Close()
	if err := t.sw.Flush(); err != nil {
		return err
	}
	_, err := t.x.WriteTo(t.w)
	return err
}
