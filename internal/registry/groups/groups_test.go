package groups_test

import (
	"bytes"
	"context"
	"fmt"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
	"gridgov/internal/registry/groups"
)

type fixture struct {
	reg    *registry.Service // people and households of visits
	places *places.Service   // houses and organisations of visits
	d      *db.DB
	svc    *groups.Service
	clk    *clock.Fake
	sys    context.Context
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, org.NewService(d, log, clk))
	sealer, err := seal.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(d, log, clk, sealer, nil)
	plc := places.NewService(reg, d, log, clk)
	f := &fixture{d: d, clk: clk, sys: sys, reg: reg, places: plc, svc: groups.NewService(reg, plc, d, log, clk, nil)}
	if err := f.svc.EnsureCodeTables(sys); err != nil {
		t.Fatalf("code tables: %v", err)
	}
	return f
}

func as(code string, perms ...rbac.Permission) context.Context { return orgtest.As(code, perms...) }

func pathOf(code string) string { return orgtest.Path(code) }

// person inserts a person of a community's grid directly.
func (f *fixture) person(t *testing.T, name, community string) int64 {
	t.Helper()
	var id int64
	now := f.clk.Now()
	err := f.d.QueryRow(context.Background(), `INSERT INTO people (name, grid_code, unit_code, unit_path, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'own', ?, ?) RETURNING id`, name, "G"+community, community, pathOf(community), now, now).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) keyGroup(t *testing.T, id int64) bool {
	t.Helper()
	var k bool
	if err := f.d.QueryRow(context.Background(), `SELECT key_group FROM people WHERE id = ?`, id).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

func wantCode(t *testing.T, err error, code apperr.Code) { t.Helper(); orgtest.WantCode(t, err, code) }

var (
	writer = []rbac.Permission{groups.PermRead, groups.PermWrite}
	keyed  = []rbac.Permission{groups.PermRead, groups.PermWrite, groups.PermKeyGroup}
)

func TestCodeTablesLoadAndUpgrade(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := as("410105", groups.PermRead)
		tables, err := f.svc.CodeTables(ctx)
		if err != nil || len(tables) < 15 {
			t.Fatalf("tables: %d %v", len(tables), err)
		}
		nation, err := f.svc.CodeTable(ctx, "nation")
		if err != nil || len(nation.Codes) != 58 || nation.Standard != "GB/T 3304-1991" {
			t.Fatalf("nation: %d codes, %q, %v", len(nation.Codes), nation.Standard, err)
		}
		kinds, err := f.svc.Kinds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var cc groups.Code
		for _, k := range kinds {
			if k.Code == "community_corrections" {
				cc = k
			}
		}
		if !cc.Key || cc.VisitDays != 30 || len(cc.Attrs) == 0 {
			t.Fatalf("community_corrections: %+v", cc)
		}
		// Idempotent: a second start loads nothing.
		if err := f.svc.EnsureCodeTables(f.sys); err != nil {
			t.Fatal(err)
		}
		var loads int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'code_table.load' AND object_id = 'gender'`).Scan(&loads); err != nil || loads != 1 {
			t.Fatalf("gender loads: %d %v", loads, err)
		}
		doc := `{"table":"gender","title":"性别","standard":"GB/T 2261.1-2003","version":"2027.1","codes":[{"code":"1","name":"男"},{"code":"2","name":"女"}]}`
		_, err = f.svc.ImportCodeTable(as("410105", writer...), []byte(doc))
		wantCode(t, err, apperr.Forbidden)
		root := as("410100", writer...)
		gt, err := f.svc.ImportCodeTable(root, []byte(doc))
		if err != nil || gt.Version != "2027.1" || len(gt.Codes) != 2 {
			t.Fatalf("import: %+v %v", gt, err)
		}
		_, err = f.svc.ImportCodeTable(root, []byte(doc))
		wantCode(t, err, apperr.Conflict)
		if ok, _ := f.svc.Valid(ctx, "gender", "9"); ok {
			t.Error("gender 9 still valid after the new version")
		}
		if ok, _ := f.svc.Valid(ctx, "gender", "2"); !ok {
			t.Error("gender 2 not valid")
		}
		bad := `{"table":"x","title":"","version":"v1","codes":[{"code":"a","name":"A","key":true}]}`
		e := apperr.As(func() error { _, err := f.svc.ImportCodeTable(root, []byte(bad)); return err }())
		if e == nil || e.Fields["title"] == "" || e.Fields["version"] == "" || e.Fields["codes[0]"] == "" {
			t.Fatalf("bad table: %v", e)
		}
	})
}

func TestMembersAttrsAndKeyGroup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.person(t, "张三", "410105001001")
		w := as("410105001", writer...)
		k := as("410105001", keyed...)

		// Attribute validation against the kind's definition.
		_, err := f.svc.AddMember(w, p, groups.MemberInput{Kind: "disabled", Attrs: map[string]string{"disability_category": "9", "colour": "red"}})
		e := apperr.As(err)
		if e == nil || e.Fields["attrs.disability_category"] == "" || e.Fields["attrs.disability_grade"] == "" || e.Fields["attrs.colour"] == "" {
			t.Fatalf("disabled attrs: %v", err)
		}
		_, err = f.svc.AddMember(w, p, groups.MemberInput{Kind: "no_such"})
		wantCode(t, err, apperr.Invalid)
		dm, err := f.svc.AddMember(w, p, groups.MemberInput{Kind: "disabled", Attrs: map[string]string{"disability_category": "4", "disability_grade": "2"}})
		if err != nil || dm.KeyGroup || dm.Attrs["disability_grade"] != "2" || !dm.Active {
			t.Fatalf("add disabled: %+v %v", dm, err)
		}
		_, err = f.svc.AddMember(w, p, groups.MemberInput{Kind: "disabled", Attrs: map[string]string{"disability_category": "4", "disability_grade": "2"}})
		wantCode(t, err, apperr.Conflict)

		// A key group needs registry.keygroup.
		cc := groups.MemberInput{Kind: "community_corrections", RiskLevel: "high", Attrs: map[string]string{
			"correction_no": "JZ-001", "correction_type": "probation", "correction_start": "2026-13-01"}}
		_, err = f.svc.AddMember(w, p, cc)
		wantCode(t, err, apperr.Forbidden)
		_, err = f.svc.AddMember(k, p, cc)
		if e := apperr.As(err); e == nil || e.Fields["attrs.correction_start"] == "" {
			t.Fatalf("bad date: %v", err)
		}
		cc.Attrs["correction_start"] = "2026-02-01"
		km, err := f.svc.AddMember(k, p, cc)
		if err != nil || !km.KeyGroup {
			t.Fatalf("add key: %+v %v", km, err)
		}
		if !f.keyGroup(t, p) {
			t.Fatal("people.key_group not set")
		}
		// Without registry.keygroup the person and all their memberships are hidden.
		_, err = f.svc.MembersOf(w, p)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.Member(w, dm.ID)
		wantCode(t, err, apperr.NotFound)
		list, total, err := f.svc.Members(w, groups.MemberFilter{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Fatalf("list without keygroup: %d %v", total, err)
		}
		ms, err := f.svc.MembersOf(k, p)
		if err != nil || len(ms) != 2 {
			t.Fatalf("members of with keygroup: %d %v", len(ms), err)
		}
		yes := true
		list, total, err = f.svc.Members(k, groups.MemberFilter{Key: &yes, UnitCode: "410105001001"})
		if err != nil || total != 1 || list[0].GroupKind != "community_corrections" || list[0].PersonName != "张三" {
			t.Fatalf("key list: %d %+v %v", total, list, err)
		}
		// Out of scope: another community's worker sees nothing.
		_, err = f.svc.MembersOf(as("410105001002", keyed...), p)
		wantCode(t, err, apperr.NotFound)

		// Update with a stale version is a conflict.
		cc.Version = km.Version
		cc.RiskLevel = "low"
		um, err := f.svc.UpdateMember(k, km.ID, cc)
		if err != nil || um.RiskLevel != "low" || um.Version != km.Version+1 {
			t.Fatalf("update: %+v %v", um, err)
		}
		_, err = f.svc.UpdateMember(k, km.ID, cc)
		wantCode(t, err, apperr.Conflict)

		// Ending the last key membership clears the flag.
		_, err = f.svc.EndMember(k, km.ID, "2026-03-01", "")
		wantCode(t, err, apperr.Invalid)
		em, err := f.svc.EndMember(k, km.ID, "", "矫正期满")
		if err != nil || em.Active || em.EndedOn != "2026-03-02" {
			t.Fatalf("end: %+v %v", em, err)
		}
		if f.keyGroup(t, p) {
			t.Fatal("people.key_group still set")
		}
		// The person is visible again; the ended key membership still is not.
		ms, err = f.svc.MembersOf(w, p)
		if err != nil || len(ms) != 1 || ms[0].GroupKind != "disabled" {
			t.Fatalf("members of after end: %+v %v", ms, err)
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE object_type = 'group_member'`).Scan(&n); err != nil || n != 4 {
			t.Fatalf("audit entries: %d %v", n, err)
		}
	})
}

func TestVisitsVerifyAndDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.person(t, "李四", "410105001001")
		q := f.person(t, "王五", "410105001001")
		k := as("410105001", keyed...)
		w := as("410105001", writer...)
		if _, err := f.svc.AddMember(k, p, groups.MemberInput{Kind: "key_petitioner", StartedOn: "2026-01-01",
			Attrs: map[string]string{"petition_matter": "征地补偿"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddMember(w, q, groups.MemberInput{Kind: "elderly_alone", StartedOn: "2026-01-01"}); err != nil {
			t.Fatal(err)
		}
		due, total, err := f.svc.VisitsDue(k, groups.DueFilter{})
		if err != nil || total != 2 || due[0].LastVisitAt != nil {
			t.Fatalf("due before visits: %d %+v %v", total, due, err)
		}
		// Without registry.keygroup the key petitioner is left out.
		due, total, err = f.svc.VisitsDue(w, groups.DueFilter{})
		if err != nil || total != 1 || due[0].PersonID != q || due[0].IntervalDays != 90 {
			t.Fatalf("due without keygroup: %d %+v %v", total, due, err)
		}
		_, err = f.svc.RecordVisit(w, groups.VisitInput{ObjectType: "person", ObjectID: p, Kind: "visit"})
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.RecordVisit(w, groups.VisitInput{ObjectType: "person", ObjectID: q, Kind: "chat"})
		wantCode(t, err, apperr.Invalid)
		_, err = f.svc.RecordVisit(w, groups.VisitInput{ObjectType: "person", ObjectID: q, Kind: "visit", Attachments: []int64{1}})
		wantCode(t, err, apperr.Invalid)
		v, err := f.svc.RecordVisit(k, groups.VisitInput{ObjectType: "person", ObjectID: p, Kind: "verify", Note: "核对信息"})
		if err != nil || v.Kind != "verify" || v.Username == "" {
			t.Fatalf("verify: %+v %v", v, err)
		}
		var verified *time.Time
		if err := d.QueryRow(context.Background(), `SELECT verified_at FROM people WHERE id = ?`, p).Scan(&verified); err != nil || verified == nil {
			t.Fatalf("verified_at: %v %v", verified, err)
		}
		if _, err := f.svc.RecordVisit(w, groups.VisitInput{ObjectType: "person", ObjectID: q, Kind: "assist"}); err != nil {
			t.Fatal(err)
		}
		due, total, err = f.svc.VisitsDue(k, groups.DueFilter{})
		if err != nil || total != 0 {
			t.Fatalf("due after visits: %d %+v %v", total, due, err)
		}
		// 31 days later the petitioner (30-day interval) is due again, the elderly person (90) is not.
		f.clk.Advance(31 * 24 * time.Hour)
		due, total, err = f.svc.VisitsDue(k, groups.DueFilter{UnitCode: "410105001001"})
		if err != nil || total != 1 || due[0].PersonID != p || due[0].LastVisitAt == nil ||
			!due[0].DueSince.Equal(due[0].LastVisitAt.AddDate(0, 0, 30)) {
			t.Fatalf("due after 31 days: %d %+v %v", total, due, err)
		}
		vs, err := f.svc.Visits(k, "person", p, 10)
		if err != nil || len(vs) != 1 || vs[0].ID != v.ID {
			t.Fatalf("visits: %+v %v", vs, err)
		}
		_, err = f.svc.Visits(w, "person", p, 10)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.Visits(as("410105001002", keyed...), "person", q, 10)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.Visits(k, "house", 999, 10)
		wantCode(t, err, apperr.NotFound)
		_ = fmt.Sprint()
	})
}
