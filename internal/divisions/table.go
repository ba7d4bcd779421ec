package divisions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"gridgov/internal/apperr"
)

// table reads one CSV file whose columns are found by header name, so the
// column order does not matter and extra columns are ignored.
type table struct {
	file  string // name shown in problems
	f     fs.File
	r     *csv.Reader
	col   map[string]int
	width int
}

// findFile returns the name of the file for base in fsys: base itself, or
// else the single file named *-base or *-alt (the shared Zhengzhou copy is
// named zhengzhou-districts.csv and so on). It returns "" when none exists.
func findFile(fsys fs.FS, base string, alts ...string) (string, error) {
	if _, err := fs.Stat(fsys, base); err == nil {
		return base, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", apperr.Wrap(err, "read "+base)
	}
	for _, name := range append([]string{base}, alts...) {
		matches, err := fs.Glob(fsys, "*-"+name)
		if err != nil {
			return "", apperr.Wrap(err, "list files")
		}
		if len(matches) > 1 {
			return "", apperr.Field("dir", apperr.ShapefileAmbiguous, "base", base, "files", strings.Join(matches, ", "))
		}
		if len(matches) == 1 {
			return matches[0], nil
		}
	}
	return "", nil
}

// openTable opens name and reads its header. A header lacking a required
// column is returned as a problem on line 1.
func openTable(fsys fs.FS, name string, required ...string) (*table, *Problem, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, apperr.Wrap(err, "open "+name)
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // column counts are checked per row, to report them with the line
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	t := &table{file: path.Base(name), f: f, r: r, col: map[string]int{}}
	header, err := r.Read()
	if err == io.EOF {
		f.Close()
		return nil, &Problem{File: t.file, Line: 1, Message: "empty file, want a header line"}, nil
	}
	if err != nil {
		f.Close()
		return nil, &Problem{File: t.file, Line: 1, Message: "header: " + csvMessage(err)}, nil
	}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		t.col[columnKey(h)] = i
	}
	t.width = len(header)
	var missing []string
	for _, c := range required {
		if _, ok := t.col[columnKey(c)]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		f.Close()
		return nil, &Problem{File: t.file, Line: 1, Message: fmt.Sprintf(
			"header lacks column(s) %s (have %s)", strings.Join(missing, ", "), strings.Join(header, ","))}, nil
	}
	return t, nil, nil
}

// columnKey matches header names loosely: cityCode, citycode and city_code
// are the same column.
func columnKey(h string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(h), "_", ""))
}

// has reports whether the table has the column.
func (t *table) has(name string) bool {
	_, ok := t.col[columnKey(name)]
	return ok
}

// get returns the trimmed value of a column of rec ("" when absent).
func (t *table) get(rec []string, name string) string {
	i, ok := t.col[columnKey(name)]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// each calls row for every record with its line number, and bad for every
// record the CSV reader cannot parse.
func (t *table) each(row func(rec []string, line int), bad func(line int, msg string)) error {
	defer t.f.Close()
	for {
		rec, err := t.r.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad(pe.StartLine, csvMessage(err))
			continue
		}
		if err != nil {
			return apperr.Wrap(err, "read "+t.file)
		}
		line, _ := t.r.FieldPos(0)
		row(rec, line)
	}
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot parse CSV (column %d): %v", pe.Column, pe.Err)
	}
	return err.Error()
}
