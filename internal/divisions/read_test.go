package divisions_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"gridgov/internal/apperr"
	"gridgov/internal/divisions"
	"gridgov/internal/org"
)

func TestCityCodes(t *testing.T) {
	tests := []struct {
		in, short, unit string
		ok              bool
	}{
		{"4101", "4101", "410100", true},
		{"410100", "4101", "410100", true},
		{" 4102 ", "4102", "410200", true},
		{"41", "", "", false},
		{"410105", "", "", false}, // a district, not a city
		{"41010000", "", "", false},
		{"41a1", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			short, unit, err := divisions.CityCodes(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("CityCodes(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && apperr.As(err).Fields["city"] == "" {
				t.Errorf("error %v does not name the field city", err)
			}
			if short != tt.short || unit != tt.unit {
				t.Errorf("CityCodes(%q) = %q, %q; want %q, %q", tt.in, short, unit, tt.short, tt.unit)
			}
		})
	}
}

// TestReadMixed reads files holding several cities (with a BOM, reordered
// columns and quoted names) and checks that only the chosen city's rows are kept.
func TestReadMixed(t *testing.T) {
	fsys := os.DirFS("testdata/mixed")
	tests := []struct {
		city, code, name string
		counts           [3]int // districts, streets, communities
		districtCodes    []string
	}{
		{"4101", "410100", "郑州市", [3]int{2, 4, 12}, []string{"410102", "410105"}},
		{"410200", "410200", "开封市", [3]int{2, 4, 10}, []string{"410202", "410203"}},
		// 东莞 has no districts: its county-level row repeats the city's code.
		{"4419", "441900", "东莞市", [3]int{1, 2, 6}, []string{"441900-00"}},
		// Municipalities are named 市辖区 in cities.csv; the province names them.
		{"1101", "110100", "北京市", [3]int{1, 1, 1}, []string{"110101"}},
	}
	for _, tt := range tests {
		t.Run(tt.city, func(t *testing.T) {
			set, err := divisions.Read(fsys, tt.city)
			if err != nil {
				t.Fatal(err)
			}
			if set.City.Code != tt.code || set.City.Name != tt.name || set.City.Level != org.City {
				t.Errorf("city = %+v, want code %s name %s level city", set.City, tt.code, tt.name)
			}
			got := [3]int{len(set.Districts), len(set.Streets), len(set.Communities)}
			if got != tt.counts {
				t.Errorf("counts = %v, want %v", got, tt.counts)
			}
			var codes []string
			for _, d := range set.Districts {
				codes = append(codes, d.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.districtCodes, ",") {
				t.Errorf("district codes = %v, want %v", codes, tt.districtCodes)
			}
			checkTree(t, set)
		})
	}
}

// checkTree checks that every unit comes after its parent, with the level
// under its parent's and the city's code as prefix.
func checkTree(t *testing.T, set divisions.Set) {
	t.Helper()
	level := map[string]org.Level{}
	next := map[org.Level]org.Level{org.City: org.District, org.District: org.Street, org.Street: org.Community}
	for i, u := range set.Units() {
		if i > 0 && next[level[u.ParentCode]] != u.Level {
			t.Errorf("unit %s (%s) under %q (%s): want a parent of the level above, listed before it",
				u.Code, u.Level, u.ParentCode, level[u.ParentCode])
		}
		if u.Kind != org.Territory || u.Name == "" || !strings.HasPrefix(u.Code, set.City.Code[:4]) {
			t.Errorf("unit %+v: want a named territory unit of city %s", u, set.City.Code)
		}
		level[u.Code] = u.Level
	}
}

func TestReadStreetNamesQuoted(t *testing.T) {
	set, err := divisions.Read(os.DirFS("testdata/mixed"), "4102")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := set.Streets[0], (org.UnitInput{Code: "410202001", Name: "北书店街道",
		Level: org.Street, Kind: org.Territory, ParentCode: "410202"}); got != want {
		t.Errorf("first street = %+v, want %+v", got, want)
	}
}

const (
	areasHead    = "code,name,cityCode,provinceCode\n"
	streetsHead  = "code,name,areaCode,provinceCode,cityCode\n"
	villagesHead = "code,name,streetCode,provinceCode,cityCode,areaCode\n"
)

// goodFiles is a small valid city 4101 plus a row of city 4102.
func goodFiles() fstest.MapFS {
	return fstest.MapFS{
		"areas.csv": {Data: []byte(areasHead + `410102,"中原区",4101,41` + "\n" +
			`410202,"龙亭区",4102,41` + "\n")},
		"streets.csv": {Data: []byte(streetsHead + `410102001,"林山寨街道",410102,41,4101` + "\n")},
		"villages.csv": {Data: []byte(villagesHead +
			`410102001002,"碧沙岗社区居委会",410102001,41,4101,410102` + "\n")},
	}
}

func withFile(fsys fstest.MapFS, name, data string) fstest.MapFS {
	fsys[name] = &fstest.MapFile{Data: []byte(data)}
	return fsys
}

func TestReadBadRows(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want []string // FILE:LINE: message fragments, in order
	}{
		{"wrong column count", withFile(goodFiles(), "streets.csv", streetsHead+
			`410102001,"林山寨街道",410102,41,4101`+"\n"+`410102002,"建设路街道",410102,41`+"\n"),
			[]string{"streets.csv:3: has 4 columns, want 5"}},
		{"unknown parent", withFile(goodFiles(), "villages.csv", villagesHead+
			`410102001002,"碧沙岗社区居委会",410102001,41,4101,410102`+"\n"+
			`410102009001,"某社区",410102009,41,4101,410102`+"\n"),
			[]string{`villages.csv:3: street "410102009" not found in streets.csv`}},
		{"empty name", withFile(goodFiles(), "areas.csv", areasHead+`410102,"中原区",4101,41`+"\n"+`410103," ",4101,41`+"\n"),
			[]string{"areas.csv:3: empty name"}},
		{"bad code", withFile(goodFiles(), "streets.csv", streetsHead+
			`410102001,"林山寨街道",410102,41,4101`+"\n"+`41010200X,"建设路街道",410102,41,4101`+"\n"),
			[]string{`streets.csv:3: code "41010200X": want 9 digits`}},
		{"duplicate code", withFile(goodFiles(), "streets.csv", streetsHead+
			`410102001,"林山寨街道",410102,41,4101`+"\n"+`410102001,"林山寨街道",410102,41,4101`+"\n"),
			[]string{"streets.csv:3: duplicate code 410102001 (first at streets.csv:2)"}},
		{"code outside the city its column names", withFile(goodFiles(), "areas.csv", areasHead+
			`410102,"中原区",4101,41`+"\n"+`410203,"顺河回族区",4101,41`+"\n"),
			[]string{"areas.csv:3: code 410203 is not under city 4101 although cityCode says it is"}},
		{"code under the city, column names another", withFile(goodFiles(), "areas.csv", areasHead+
			`410102,"中原区",4101,41`+"\n"+`410103,"二七区",4102,41`+"\n"),
			[]string{`areas.csv:3: cityCode "4102" disagrees with code 410103 (city 4101)`}},
		{"street not under its district", withFile(goodFiles(), "streets.csv", streetsHead+
			`410102001,"林山寨街道",410102,41,4101`+"\n"+`410103001,"某街道",410102,41,4101`+"\n"),
			[]string{"streets.csv:3: code 410103001 is not under its district 410102"}},
		{"bare quote", withFile(goodFiles(), "villages.csv", villagesHead+
			`410102001002,"碧沙岗社区居委会",410102001,41,4101,410102`+"\n"+`410102001003,互助"路,410102001,41,4101,410102`+"\n"),
			[]string{"villages.csv:3: cannot parse CSV"}},
		{"missing column", withFile(goodFiles(), "streets.csv", "code,name,provinceCode\n410102001,\"林山寨街道\",41\n"),
			[]string{"streets.csv:1: header lacks column(s) areaCode"}},
		{"several problems in file order", withFile(withFile(goodFiles(), "areas.csv", areasHead+
			`410102,"中原区",4101,41`+"\n"+`410103,"",4101,41`+"\n"), "villages.csv", villagesHead+
			`410102001002,"",410102001,41,4101,410102`+"\n"+`410102001003,"互助路社区居委会",410102001`+"\n"),
			[]string{"areas.csv:3: empty name", "villages.csv:2: empty name", "villages.csv:3: has 3 columns, want 6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := divisions.Read(tt.fsys, "4101")
			var re *divisions.RowsError
			if !errors.As(err, &re) {
				t.Fatalf("Read error = %v, want *RowsError", err)
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("apperr code = %q, want invalid", apperr.CodeOf(err))
			}
			if re.Total != len(tt.want) || len(re.Problems) != len(tt.want) {
				t.Fatalf("got %d problems %v, want %d: %v", re.Total, re.Problems, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if got := re.Problems[i].String(); !strings.HasPrefix(got, w) {
					t.Errorf("problem %d = %q, want prefix %q", i, got, w)
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error message %q lacks %q", err.Error(), w)
				}
			}
		})
	}
}

func TestReadIgnoresOtherCitiesBadRows(t *testing.T) {
	// A broken row of another city does not stop this city's import.
	fsys := withFile(goodFiles(), "streets.csv", streetsHead+
		`410102001,"林山寨街道",410102,41,4101`+"\n"+`410202001,"",410299,41,4102`+"\n"+`410203001,"x"`+"\n")
	set, err := divisions.Read(fsys, "4101")
	if err != nil {
		t.Fatalf("Read: %v, want no error", err)
	}
	if len(set.Streets) != 1 {
		t.Errorf("streets = %d, want 1", len(set.Streets))
	}
}

func TestReadUnknownCity(t *testing.T) {
	_, err := divisions.Read(os.DirFS("testdata/mixed"), "4103")
	if got, want := apperr.As(err).Fields["city"], "no district of city 4103 in areas.csv"; got != want {
		t.Errorf("field city = %q (err %v), want %q", got, err, want)
	}
}

func TestReadMissingFiles(t *testing.T) {
	tests := []struct {
		name   string
		remove string
		want   string
	}{
		{"areas", "areas.csv", "areas.csv not found"},
		{"streets", "streets.csv", "streets.csv not found"},
		{"villages", "villages.csv", "villages.csv not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := goodFiles()
			delete(fsys, tt.remove)
			_, err := divisions.Read(fsys, "4101")
			if got := apperr.As(err).Fields["dir"]; got != tt.want {
				t.Errorf("field dir = %q (err %v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestReadPrefixedNames(t *testing.T) {
	// The shared Zhengzhou copy names its files zhengzhou-districts.csv etc.
	fsys := goodFiles()
	for old, new := range map[string]string{"areas.csv": "zz-districts.csv", "streets.csv": "zz-streets.csv",
		"villages.csv": "zz-villages.csv"} {
		fsys[new] = fsys[old]
		delete(fsys, old)
	}
	set, err := divisions.Read(fsys, "4101")
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Counts(); got[org.District] != 1 || got[org.Street] != 1 || got[org.Community] != 1 {
		t.Errorf("counts = %v, want 1 of each", got)
	}
}
