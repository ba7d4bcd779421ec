package seed_test

import (
	"bytes"
	"context"
	"maps"
	"regexp"
	"slices"
	"testing"
	"unicode"

	"gridgov/internal/actor"
	"gridgov/internal/app"
	"gridgov/internal/apperr"
	"gridgov/internal/apptest"
	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/seed"
)

type env struct {
	ctx   context.Context
	deps  seed.Deps
	audit *audit.Log
	app   *app.App
}

// newEnv seeds through the app's services, without base data unless
// withRegistry adds the registry's.
func newEnv(t *testing.T, d *db.DB) env {
	a := apptest.New(t, d, apptest.Options{Clock: clock.System{}, Key: bytes.Repeat([]byte{7}, 32)})
	return env{
		ctx:   actor.With(context.Background(), actor.SystemActor("test")),
		deps:  seed.Deps{DB: a.DB, Org: a.Org, Auth: a.Auth},
		audit: a.Audit,
		app:   a,
	}
}

func count(t *testing.T, e env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.deps.DB.QueryRow(e.ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// eachParallel is dbtest.Each with the engines run side by side: a demo
// is thousands of audited service calls, slow under -race.
func eachParallel(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, dbtest.Open(t, engine))
		})
	}
}

func TestDemo(t *testing.T) {
	eachParallel(t, func(t *testing.T, d *db.DB) {
		e := withRegistry(t, newEnv(t, d))
		if empty, err := seed.Empty(e.ctx, d); err != nil || !empty {
			t.Fatalf("Empty before seeding = %v, %v; want true", empty, err)
		}
		res, err := seed.Demo(e.ctx, e.deps, seed.Options{BaseDistricts: baseTestDistricts})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
		checkGrids(t, e)
		checkAccounts(t, e, res.Password)
		checkStaff(t, e)
		checkStaffLookReal(t, e)
		checkBase(t, e, res)
		checkGeography(t, e)
		if v, err := e.audit.Verify(e.ctx); err != nil || !v.OK {
			t.Errorf("audit verify = %+v, %v; want an intact log", v, err)
		}

		if empty, err := seed.Empty(e.ctx, d); err != nil || empty {
			t.Errorf("Empty after seeding = %v, %v; want false", empty, err)
		}
		units := count(t, e, "SELECT COUNT(*) FROM org_units")
		_, err = seed.Demo(e.ctx, e.deps, seed.Options{Password: "Kx7#mQ2vL9pR4t"})
		if !apperr.Is(err, apperr.Conflict) {
			t.Errorf("second Demo error = %v, want conflict", err)
		}
		if got := count(t, e, "SELECT COUNT(*) FROM org_units"); got != units {
			t.Errorf("org_units after the refused second Demo = %d, want %d", got, units)
		}
	})
}

func checkResult(t *testing.T, res seed.Result) {
	t.Helper()
	if want := map[org.Level]int{org.City: 1, org.District: 15, org.Street: 208, org.Community: 3306}; !maps.Equal(res.Units, want) {
		t.Errorf("units = %v, want %v", res.Units, want)
	}
	if want := map[int]int{1: 15, 2: 208, 3: 3306}; !maps.Equal(res.Grids, want) {
		t.Errorf("grids = %v, want %v", res.Grids, want)
	}
	// 12 district outlines, tiled by their streets and communities (the
	// three development zones have none).
	if res.Boundaries != 3108 || res.UnitBoundaries != 3108 || len(res.Unmatched) != 3 {
		t.Errorf("boundaries = %d, unit boundaries %d, unmatched %q; want 3108, 3108 and the 3 development zones",
			res.Boundaries, res.UnitBoundaries, res.Unmatched)
	}
	if want := map[org.Team]int{org.NoTeam: 16, org.GridLeader: 3306, org.Deployed: 416, org.MassWork: 624}; !maps.Equal(res.Staff, want) {
		t.Errorf("staff = %v, want %v", res.Staff, want)
	}
	if res.Departments != 14+15*5 || res.Offices < 20 {
		t.Errorf("departments %d offices %d, want %d departments and at least 20 offices", res.Departments, res.Offices, 14+15*5)
	}
	if len(res.Users) != 16 || res.Users[0] != "admin" || !slices.Contains(res.Users, "admin-410105") {
		t.Errorf("users = %v, want admin and 15 admin-<district>", res.Users)
	}
	if len(res.Password) != seed.PasswordLength {
		t.Errorf("generated password has %d characters, want %d", len(res.Password), seed.PasswordLength)
	}
}

func checkGrids(t *testing.T, e env) {
	t.Helper()
	g, err := e.deps.Org.Grid(e.ctx, "410105-01")
	if err != nil {
		t.Fatal(err)
	}
	if g.Level != 1 || g.UnitCode != "410105" || len(g.Boundary) < 100 || g.BoundarySource != seed.BoundarySource {
		t.Errorf("金水区 grid = level %d unit %s boundary %d bytes source %q; want level 1 of 410105 with an outline",
			g.Level, g.UnitCode, len(g.Boundary), g.BoundarySource)
	}
	c, err := e.deps.Org.Grid(e.ctx, "410102001002-01")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "碧沙岗社区第一网格" || c.Level != 3 || c.ParentGridCode != "410102001-01" {
		t.Errorf("community grid = %q level %d parent %s, want 碧沙岗社区第一网格 level 3 under 410102001-01",
			c.Name, c.Level, c.ParentGridCode)
	}
	perCommunity := count(t, e, `SELECT COUNT(DISTINCT g.unit_code) FROM grids g
		JOIN org_units u ON u.code = g.unit_code WHERE u.level = 'community' AND g.level = 3`)
	if perCommunity != 3306 {
		t.Errorf("communities with a level-3 grid = %d, want 3306", perCommunity)
	}
}

func checkAccounts(t *testing.T, e env, password string) {
	t.Helper()
	u, err := e.deps.Auth.UserByName(e.ctx, "admin-410105")
	if err != nil {
		t.Fatal(err)
	}
	if u.UnitCode != "410105" || len(u.Grants) != 1 || u.Grants[0].Role != auth.RoleAdmin || u.Grants[0].ScopeCode != "410105" {
		t.Errorf("admin-410105 = unit %s grants %+v, want unit 410105 with admin over 410105", u.UnitCode, u.Grants)
	}
	if u.StaffID == nil {
		t.Errorf("admin-410105 has no staff member, want one")
	} else if p, err := e.deps.Org.StaffMember(e.ctx, *u.StaffID); err != nil || p.UnitCode != "410105" {
		t.Errorf("staff of admin-410105 = %+v, %v; want a member of 410105", p, err)
	}
	a, err := e.deps.Auth.UserByName(e.ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if a.UnitCode != seed.CityCode || len(a.Grants) != 1 || a.Grants[0].ScopeCode != seed.CityCode {
		t.Errorf("admin = unit %s grants %+v, want admin over %s", a.UnitCode, a.Grants, seed.CityCode)
	}
	if _, err := e.deps.Auth.Login(e.ctx, "admin-410105", password, auth.KindAPI); err != nil {
		t.Errorf("login as admin-410105 with the generated password: %v", err)
	}
}

func checkStaff(t *testing.T, e env) {
	t.Helper()
	leaders := count(t, e, `SELECT COUNT(*) FROM staff s JOIN staff_grids sg ON sg.staff_id = s.id
		WHERE s.team = 'grid_leader' AND sg.grid_code = s.unit_code || '-01'`)
	if leaders != 3306 {
		t.Errorf("grid leaders responsible for their community's grid = %d, want 3306", leaders)
	}
	unassigned := count(t, e, `SELECT COUNT(*) FROM grids g WHERE g.level = 3
		AND NOT EXISTS (SELECT 1 FROM staff_grids sg JOIN staff s ON s.id = sg.staff_id
			WHERE sg.grid_code = g.code AND s.team = 'deployed')`)
	if unassigned != 0 {
		t.Errorf("community grids without deployed staff = %d, want 0", unassigned)
	}
}

func TestDemoRefusesWeakPassword(t *testing.T) {
	eachParallel(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, err := seed.Demo(e.ctx, e.deps, seed.Options{Password: "short"})
		if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Fields["password"] == "" {
			t.Errorf("Demo with a weak password: %v, want invalid naming password", err)
		}
		for _, table := range []string{"org_units", "users", "grids", "staff"} {
			if got := count(t, e, "SELECT COUNT(*) FROM "+table); got != 0 {
				t.Errorf("%s rows after a failed Demo = %d, want 0", table, got)
			}
		}
	})
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw, err := seed.GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		var lower, upper, digit, other bool
		for _, r := range pw {
			switch {
			case unicode.IsLower(r):
				lower = true
			case unicode.IsUpper(r):
				upper = true
			case unicode.IsDigit(r):
				digit = true
			default:
				other = true
			}
		}
		if len(pw) < 16 || !lower || !upper || !digit || !other {
			t.Errorf("password %q: want ≥16 characters with lower, upper, digit and symbol", pw)
		}
		if err := auth.CheckPassword(auth.PolicyMLPS3, "admin-410105", pw); err != nil {
			t.Errorf("password %q refused by the mlps3 policy: %v", pw, err)
		}
		if seen[pw] {
			t.Errorf("password %q generated twice", pw)
		}
		seen[pw] = true
	}
}

func TestShortName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"碧沙岗社区居委会", "碧沙岗社区"},
		{"河南工大社区居民委员会", "河南工大社区"},
		{"体育社区居民居委会", "体育社区"},
		{"亚星社区居民管理委员会", "亚星社区"},
		{"福华南街社区委员会", "福华南街社区"},
		{"柿园村民委员会", "柿园村"},
		{"小李庄村委会", "小李庄村"},
		{"陇海居委会", "陇海社区"},
		{"光合花园社区", "光合花园社区"},
		{"居委会", "居委会"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := seed.ShortName(tt.in); got != tt.want {
				t.Errorf("ShortName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAdminName(t *testing.T) {
	for code, want := range map[string]string{"410100": "admin", "410105": "admin-410105"} {
		if got := seed.AdminName(code); got != want {
			t.Errorf("AdminName(%s) = %q, want %q", code, got, want)
		}
	}
}

var mobile = regexp.MustCompile(`^1[3-9]\d{9}$`)

// checkStaffLookReal checks the generated people: mainland mobile numbers
// and two- or three-character names.
func checkStaffLookReal(t *testing.T, e env) {
	t.Helper()
	rows, err := e.deps.DB.Query(e.ctx, "SELECT name, phone FROM staff ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, phone string
		if err := rows.Scan(&name, &phone); err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(name)); n < 2 || n > 3 || !mobile.MatchString(phone) {
			t.Errorf("staff %q %q: want a 2–3 character name and a mainland mobile number", name, phone)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
