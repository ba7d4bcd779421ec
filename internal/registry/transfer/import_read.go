package transfer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"gridgov/internal/registry"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"gridgov/internal/apperr"
	"gridgov/internal/seal"
)

// The importable fields of a person, in template order: the first seven
// are the standard template's leading columns.
var importFields = []string{"id_number", "name", "gender", "birth_date", "phone", "address", "grid_code",
	"person_type", "nation", "education", "marital", "political", "hukou_address", "workplace", "source_ref",
	"id_type", "nationality"}

// templateFields are the columns of the template and of exports.
var templateFields = importFields[:15]

// fieldTitles are the Chinese column titles of the fields.
var fieldTitles = map[string]string{
	"id_number": "身份证号", "name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "联系电话",
	"address": "现住址", "grid_code": "网格编码", "person_type": "人员类型", "nation": "民族", "education": "学历",
	"marital": "婚姻状况", "political": "政治面貌", "hukou_address": "户籍地址", "workplace": "工作单位",
	"source_ref": "来源编号", "id_type": "证件类型", "nationality": "国籍",
}

// headerAliases are further Chinese titles seen in population-library files.
var headerAliases = map[string]string{
	"公民身份号码": "id_number", "身份证号码": "id_number", "证件号码": "id_number", "手机号": "phone",
	"手机号码": "phone", "电话": "phone", "联系方式": "phone", "居住地址": "address", "现居住地址": "address",
	"住址": "address", "网格": "grid_code", "网格代码": "grid_code", "户籍地": "hukou_address",
	"户籍地详址": "hukou_address", "文化程度": "education", "婚姻": "marital", "工作单位及职务": "workplace",
}

// fieldOfHeader maps a header cell to a field: the import's own mapping
// first, then the field names, the Chinese titles, and a title of the
// template form 身份证号(id_number). "" means the column is ignored.
func fieldOfHeader(h string, mapping map[string]string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	if f, ok := mapping[h]; ok {
		return f
	}
	if i := strings.IndexAny(h, "(（"); i > 0 && (strings.HasSuffix(h, ")") || strings.HasSuffix(h, "）")) {
		inner := strings.TrimSuffix(strings.TrimSuffix(h[i:], ")"), "）")
		inner = strings.TrimPrefix(strings.TrimPrefix(inner, "("), "（")
		if f := fieldOfHeader(inner, nil); f != "" {
			return f
		}
		h = strings.TrimSpace(h[:i])
	}
	lower := strings.ToLower(h)
	for _, f := range importFields {
		if lower == f {
			return f
		}
	}
	for f, t := range fieldTitles {
		if h == t {
			return f
		}
	}
	return headerAliases[h]
}

// table reads the rows of an import file, header first.
type table interface {
	// next returns the next row and its line (CSV) or row number (xlsx);
	// io.EOF at the end.
	next() ([]string, int, error)
	close() error
}

// fileInfo is what the first pass over a file learns.
type fileInfo struct {
	sha256 string
	xlsx   bool
	utf8   bool
}

// inspect hashes the file and tells its kind: xlsx by the zip magic, and
// for CSV whether the bytes are valid UTF-8 (otherwise GB18030 is read).
func inspect(path string) (fileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileInfo{}, err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	info := fileInfo{utf8: true}
	var carry []byte
	first := true
	for {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			if first {
				info.xlsx = bytes.HasPrefix(chunk, []byte("PK\x03\x04"))
				first = false
			}
			if info.utf8 && !info.xlsx {
				data := append(carry, chunk...)
				// Keep an incomplete trailing sequence for the next chunk.
				cut := len(data)
				for i := 1; i <= utf8.UTFMax && i <= len(data); i++ {
					if utf8.RuneStart(data[len(data)-i]) {
						if !utf8.FullRune(data[len(data)-i:]) {
							cut = len(data) - i
						}
						break
					}
				}
				if !utf8.Valid(data[:cut]) {
					info.utf8 = false
				}
				carry = append(carry[:0], data[cut:]...)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fileInfo{}, err
		}
	}
	if len(carry) > 0 {
		info.utf8 = false
	}
	info.sha256 = hex.EncodeToString(h.Sum(nil))
	return info, nil
}

// openTable opens path as told by info.
func openTable(path string, info fileInfo) (table, error) {
	if info.xlsx {
		return openXLSX(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if !info.utf8 {
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvTable{f: f, r: cr}, nil
}

type csvTable struct {
	f *os.File
	r *csv.Reader
}

func (t *csvTable) next() ([]string, int, error) {
	rec, err := t.r.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := t.r.FieldPos(0)
	return rec, line, nil
}

func (t *csvTable) close() error { return t.f.Close() }

// xlsxTable streams the first sheet with excelize's row iterator.
type xlsxTable struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
}

func openXLSX(path string) (table, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "the file is neither CSV nor a readable .xlsx workbook")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, apperr.New(apperr.Invalid, "the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, apperr.Wrap(err, "read sheet")
	}
	return &xlsxTable{f: f, rows: rows}, nil
}

func (t *xlsxTable) next() ([]string, int, error) {
	for t.rows.Next() {
		t.n++
		cols, err := t.rows.Columns()
		if err != nil {
			return nil, 0, err
		}
		return cols, t.n, nil
	}
	if err := t.rows.Error(); err != nil {
		return nil, 0, err
	}
	return nil, 0, io.EOF
}

func (t *xlsxTable) close() error {
	t.rows.Close()
	return t.f.Close()
}

// header is the mapping of an import file's columns to fields.
type header struct {
	cells []string
	// col[i] is the field of column i, "" when ignored.
	col []string
	// ignored are the header cells of ignored columns, once each.
	ignored []string
}

// readHeader reads the first row and maps it; a file without a name
// column cannot be imported.
func readHeader(t table, mapping map[string]string) (header, error) {
	row, _, err := t.next()
	if errors.Is(err, io.EOF) {
		return header{}, apperr.New(apperr.Invalid, "the file is empty: the first row must be the header")
	}
	if err != nil {
		return header{}, apperr.New(apperr.Invalid, "the file cannot be read: "+err.Error())
	}
	h := header{cells: append([]string(nil), row...), col: make([]string, len(row))}
	seen := map[string]bool{}
	for i, c := range row {
		f := fieldOfHeader(c, mapping)
		if f != "" && !validField(f) {
			return header{}, apperr.Field("mapping", apperr.ColumnUnknownField, "column", c, "field", f)
		}
		if f == "" || seen[f] {
			if c = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")); c != "" {
				h.ignored = append(h.ignored, c)
			}
			continue
		}
		seen[f] = true
		h.col[i] = f
	}
	if !seen["name"] {
		return header{}, apperr.New(apperr.Invalid, "the header has no name (姓名) column; the first row must be the header")
	}
	return h, nil
}

// validField reports whether f is an importable field.
func validField(f string) bool {
	for _, g := range importFields {
		if g == f {
			return true
		}
	}
	return false
}

// genders maps the spellings of gender found in files to GB/T 2261.1.
var genders = map[string]string{"男": "1", "女": "2", "男性": "1", "女性": "2", "m": "1", "f": "2",
	"male": "1", "female": "2", "未知": "0", "未说明": "9"}

// personTypeNames maps Chinese person types to the codes.
var personTypeNames = map[string]string{"户籍人口": "registered", "户籍": "registered", "流动人口": "migrant",
	"流动": "migrant", "境外人员": "foreign", "境外": "foreign", "留守人员": "left_behind", "留守": "left_behind"}

// masked is a copy of a data row with its ID-card number and phone cells
// masked: failed rows are kept in the job and handed back to whoever may
// see the job, and the database holds no identifier in plain text.
func (h header) masked(row []string) []string {
	out := append([]string(nil), row...)
	for i, f := range h.col {
		if i >= len(out) {
			break
		}
		switch v := strings.TrimSpace(out[i]); {
		case v == "":
		case f == "id_number":
			out[i] = seal.MaskID(v)
		case f == "phone":
			out[i] = seal.MaskPhone(v)
		}
	}
	return out
}

// toInput turns a data row into a person input.
func (h header) toInput(row []string, unit string, src registry.Source) registry.PersonInput {
	in := registry.PersonInput{UnitCode: unit, Source: src}
	for i, f := range h.col {
		if f == "" || i >= len(row) {
			continue
		}
		v := strings.TrimSpace(row[i])
		switch f {
		case "id_number":
			in.IDNumber = v
		case "name":
			in.Name = v
		case "gender":
			if g, ok := genders[strings.ToLower(v)]; ok {
				v = g
			}
			in.Gender = v
		case "birth_date":
			in.BirthDate = normalizeDate(v)
		case "phone":
			in.Phone = v
		case "address":
			in.Address = v
		case "grid_code":
			in.GridCode = v
		case "person_type":
			if p, ok := personTypeNames[v]; ok {
				v = p
			}
			in.PersonType = v
		case "nation":
			in.Nation = v
		case "education":
			in.Education = v
		case "marital":
			in.Marital = v
		case "political":
			in.Political = v
		case "hukou_address":
			in.HukouAddress = v
		case "workplace":
			in.Workplace = v
		case "source_ref":
			in.SourceRef = v
		case "id_type":
			in.IDType = v
		case "nationality":
			in.Nationality = v
		}
	}
	return in
}

// normalizeDate accepts 1990-03-07, 1990/3/7 and 19900307.
func normalizeDate(v string) string {
	if len(v) == 8 && strings.Trim(v, "0123456789") == "" {
		return v[:4] + "-" + v[4:6] + "-" + v[6:]
	}
	v = strings.ReplaceAll(v, "/", "-")
	parts := strings.Split(v, "-")
	if len(parts) == 3 && len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2 {
		pad := func(s string) string {
			if len(s) == 1 {
				return "0" + s
			}
			return s
		}
		return parts[0] + "-" + pad(parts[1]) + "-" + pad(parts[2])
	}
	return v
}
