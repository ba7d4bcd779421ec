package registry_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

// accessRow is a person_access row as the tests read it.
type accessRow struct {
	person   int64
	username string
	action   string
	ref      string
}

// accessRows reads person_access in order.
func (f *peopleFixture) accessRows(t testing.TB) []accessRow {
	t.Helper()
	rows, err := f.d.Query(context.Background(), `SELECT person_id, username, action, ref FROM person_access ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []accessRow
	for rows.Next() {
		var r accessRow
		if err := rows.Scan(&r.person, &r.username, &r.action, &r.ref); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// count runs a count query.
func (f *peopleFixture) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// member puts a person in a group (open membership) directly.
func (f *peopleFixture) member(t testing.TB, person int64, kind string) {
	t.Helper()
	now := f.clk.Now()
	if _, err := f.d.Exec(context.Background(), `INSERT INTO group_members (person_id, group_kind, key_group, unit_path, source,
		created_at, updated_at) VALUES (?, ?, ?, ?, 'own', ?, ?)`, person, kind, false, ppPath("410105001001"), now, now); err != nil {
		t.Fatal(err)
	}
}

func TestAccessLogViewsAndUnmask(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		k := f.person(t, "李四", idLi, phoneLi, gridJBL)
		f.keyGroup(t, k.ID)
		officer := ppAs("410105001001", ppOfficer...)
		if _, err := f.reg.PersonByID(officer, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reg.PersonByID(officer, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reg.UnmaskPerson(officer, p.ID, "入户核查"); err != nil {
			t.Fatal(err)
		}
		got := f.accessRows(t)
		if len(got) != 3 || got[0] != (accessRow{p.ID, "u-410105001001", registry.AccessView, ""}) ||
			got[1].person != k.ID || got[1].action != registry.AccessView || got[2].action != registry.AccessUnmask {
			t.Fatalf("access rows: %+v", got)
		}
		// The key-group view and the unmasking point at their audit entries.
		for _, c := range []struct {
			ref, action string
			id          int64
		}{{got[1].ref, registry.ActPersonView, k.ID}, {got[2].ref, registry.ActPersonUnmask, p.ID}} {
			seq, ok := strings.CutPrefix(c.ref, "audit:")
			if !ok {
				t.Fatalf("ref %q is not an audit entry", c.ref)
			}
			if n := f.count(t, `SELECT count(*) FROM audit_log WHERE CAST(seq AS TEXT) = ? AND action = ? AND object_id = ?`,
				seq, c.action, idStr(c.id)); n != 1 {
				t.Fatalf("ref %s is not the %s entry of %d", c.ref, c.action, c.id)
			}
		}
		// A refused view leaves no trace as a view.
		_, err := f.reg.PersonByID(ppAs("410102", ppReader...), p.ID)
		ppCode(t, err, apperr.NotFound)
		if len(f.accessRows(t)) != 3 {
			t.Fatal("a refused view was logged")
		}
	})
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

func TestAccessLogSearches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		g := f.person(t, "王五", idWang, "", gridJBL)
		plain := f.person(t, "赵六", "", "", gridJBL)
		f.member(t, g.ID, "community_correction")
		reader := ppAs("410105", ppReader...)
		ps, _, err := f.reg.People(reader, registry.PeopleFilter{IDNumber: idZhang})
		if err != nil || len(ps) != 1 {
			t.Fatalf("search: %v %d", err, len(ps))
		}
		if _, _, err := f.reg.People(reader, registry.PeopleFilter{Phone: "13900000000"}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT count(*) FROM identifier_lookups WHERE field = 'id_number' AND hits = 1`); n != 1 {
			t.Fatalf("id lookups with a hit: %d", n)
		}
		if n := f.count(t, `SELECT count(*) FROM identifier_lookups WHERE field = 'phone' AND hits = 0`); n != 1 {
			t.Fatalf("phone lookups missing: %d", n)
		}
		rows, err := d.Query(context.Background(), `SELECT detail FROM audit_log WHERE action = ? ORDER BY seq`, registry.ActPersonLookup)
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			details = append(details, s)
		}
		rows.Close()
		if len(details) != 2 || !strings.Contains(details[0], `"hits":1`) || !strings.Contains(details[1], `"field":"phone"`) {
			t.Fatalf("lookup audit: %v", details)
		}
		for _, s := range details {
			if strings.Contains(s, idZhang) || strings.Contains(s, "13900000000") || strings.Contains(s, seal.MaskID(idZhang)) {
				t.Fatalf("lookup audit holds the value: %s", s)
			}
		}
		// A plain list logs the group member it shows, and no one else.
		ps, _, err = f.reg.People(reader, registry.PeopleFilter{GridCode: gridJBL})
		if err != nil || len(ps) != 3 {
			t.Fatalf("list: %v %d", err, len(ps))
		}
		got := f.accessRows(t)
		if len(got) != 2 || got[0].person != p.ID || got[0].action != registry.AccessSearchHit ||
			!strings.HasPrefix(got[0].ref, "audit:") || got[1].person != g.ID || got[1].action != registry.AccessList {
			t.Fatalf("access rows: %+v (plain person %d)", got, plain.ID)
		}
	})
}

func TestIdentifierLookupLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		f.with(registry.WithAccessLimits(registry.AccessLimits{LookupsPerHour: 3}))
		u := ppAs("410105001001", ppReader...)
		other := ppAs("410105001001", ppReader...)
		search := func(ctx context.Context, phone string) error {
			_, _, err := f.reg.People(ctx, registry.PeopleFilter{Phone: phone})
			return err
		}
		for i, ph := range []string{"13900000001", "13900000002", phoneZhang} {
			if err := search(u, ph); err != nil {
				t.Fatalf("search %d: %v", i+1, err)
			}
			f.clk.Advance(time.Minute)
		}
		err := search(u, "13900000004")
		ppCode(t, err, apperr.TooManyRequests)
		if msg := apperr.As(err).Message; !strings.Contains(msg, "18:00") || !strings.Contains(msg, "at most 3") {
			t.Fatalf("message %q does not say the limit and when to resume (18:00 Beijing time)", msg)
		}
		ppCode(t, search(u, "13900000005"), apperr.TooManyRequests)
		// One alert, not one per refusal; other users and the system go on.
		if n := f.count(t, `SELECT count(*) FROM security_alerts WHERE kind = ?`, registry.AlertLookups); n != 1 {
			t.Fatalf("alerts: %d, want 1", n)
		}
		ppCode(t, search(other, phoneZhang), "")
		for range 5 {
			ppCode(t, search(f.sys, phoneZhang), "")
		}
		// A plain list is no identifier search.
		_, _, err = f.reg.People(u, registry.PeopleFilter{Name: "张"})
		ppCode(t, err, "")
		// An hour after the first search one more is allowed.
		f.clk.Advance(57 * time.Minute)
		ppCode(t, search(u, "13900000006"), "")
		ppCode(t, search(u, "13900000007"), apperr.TooManyRequests)
	})
}

func TestPeoplePerHourLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		a := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		b := f.person(t, "李四", idLi, phoneLi, gridJBL)
		c := f.person(t, "王五", idWang, "", gridJBL)
		f.with(registry.WithAccessLimits(registry.AccessLimits{PeoplePerHour: 2}))
		u := ppAs("410105001001", ppReader...)
		for _, id := range []int64{a.ID, b.ID, a.ID} {
			if _, err := f.reg.PersonByID(u, id); err != nil {
				t.Fatalf("view %d: %v", id, err)
			}
		}
		_, err := f.reg.PersonByID(u, c.ID)
		ppCode(t, err, apperr.TooManyRequests)
		_, _, err = f.reg.People(u, registry.PeopleFilter{IDNumber: idWang})
		ppCode(t, err, apperr.TooManyRequests)
		// The refused search still counts as a lookup; its hit was not shown.
		if n := f.count(t, `SELECT count(*) FROM identifier_lookups`); n != 1 {
			t.Fatalf("lookups: %d", n)
		}
		if n := f.count(t, `SELECT count(*) FROM person_access WHERE person_id = ?`, c.ID); n != 0 {
			t.Fatalf("refused person logged %d times", n)
		}
		if n := f.count(t, `SELECT count(*) FROM security_alerts WHERE kind = ? AND username = ?`, registry.AlertPersonViews,
			"u-410105001001"); n != 1 {
			t.Fatalf("alerts: %d", n)
		}
		// Lists of people are not counted.
		ps, _, err := f.reg.People(u, registry.PeopleFilter{GridCode: gridJBL})
		if err != nil || len(ps) != 3 {
			t.Fatalf("list: %v", err)
		}
		f.clk.Advance(time.Hour + time.Second)
		if _, err := f.reg.PersonByID(u, c.ID); err != nil {
			t.Fatalf("after an hour: %v", err)
		}
	})
}

func TestListMasking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p, err := f.reg.CreatePerson(f.sys, registry.PersonInput{Name: "张三", IDNumber: idZhang, GridCode: gridJBL,
			Address: "金水区文化路97号院5号楼2单元302室", HukouAddress: "河南省郑州市金水区经三路15号401室"})
		if err != nil {
			t.Fatal(err)
		}
		u := ppAs("410105", ppReader...)
		ps, _, err := f.reg.People(u, registry.PeopleFilter{})
		if err != nil || len(ps) != 1 {
			t.Fatalf("list: %v", err)
		}
		if ps[0].BirthDate != "1990-**-**" || ps[0].Address != "金水区文化路97号院5号楼…" ||
			ps[0].HukouAddress != "河南省郑州市金水区经三路15号…" {
			t.Fatalf("list shows %q %q %q", ps[0].BirthDate, ps[0].Address, ps[0].HukouAddress)
		}
		one, err := f.reg.PersonByID(u, p.ID)
		if err != nil || one.BirthDate != "1990-03-07" || one.Address != "金水区文化路97号院5号楼2单元302室" {
			t.Fatalf("detail shows %q %q (%v)", one.BirthDate, one.Address, err)
		}
	})
}

func TestSecurityAlerts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		f.with(registry.WithAccessLimits(registry.AccessLimits{LookupsPerHour: 1}))
		u := ppAs("410105001001", ppReader...)
		if _, err := f.reg.PersonByID(u, p.ID); err != nil {
			t.Fatal(err)
		}
		_, _, _ = f.reg.People(u, registry.PeopleFilter{Phone: phoneZhang})
		_, _, err := f.reg.People(u, registry.PeopleFilter{Phone: phoneZhang})
		ppCode(t, err, apperr.TooManyRequests)

		auditor := ppAs("410105", rbac.AuditRead)
		_, err = f.reg.SecurityAlerts(ppAs("410105", ppReader...), true, 0)
		ppCode(t, err, apperr.Forbidden)
		if list, err := f.reg.SecurityAlerts(ppAs("410102", rbac.AuditRead), true, 0); err != nil || len(list) != 0 {
			t.Fatalf("another district sees %d alerts (%v)", len(list), err)
		}
		list, err := f.reg.SecurityAlerts(auditor, true, 0)
		if err != nil || len(list) != 1 || list[0].Kind != registry.AlertLookups || list[0].Username != "u-410105001001" ||
			list[0].Detail["lookups"] == nil {
			t.Fatalf("alerts: %+v %v", list, err)
		}
		id := list[0].ID
		_, err = f.reg.AckSecurityAlert(auditor, id, " ")
		ppField(t, err, apperr.Invalid, "note")
		_, err = f.reg.AckSecurityAlert(ppAs("410102", rbac.AuditRead), id, "已核实")
		ppCode(t, err, apperr.NotFound)
		al, err := f.reg.AckSecurityAlert(auditor, id, "已核实，为入户核查")
		if err != nil || al.Open() || al.AckNote != "已核实，为入户核查" {
			t.Fatalf("ack: %+v %v", al, err)
		}
		_, err = f.reg.AckSecurityAlert(auditor, id, "again")
		ppCode(t, err, apperr.Conflict)
		if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = ? AND object_id = ?`, registry.ActAlertAck, idStr(id)); n != 1 {
			t.Fatalf("ack audited %d times", n)
		}
		if open, _ := f.reg.SecurityAlerts(auditor, true, 0); len(open) != 0 {
			t.Fatalf("still open: %+v", open)
		}
		if all, _ := f.reg.SecurityAlerts(auditor, false, 0); len(all) != 1 {
			t.Fatalf("all alerts: %d", len(all))
		}
		// The people affected: by user, by window; scoped.
		got, err := f.reg.AccessLog(auditor, registry.AccessFilter{Username: "u-410105001001"})
		if err != nil || len(got) != 2 || got[0].PersonID != p.ID || got[0].PersonName != "张三" ||
			got[0].IDMask != seal.MaskID(idZhang) {
			t.Fatalf("access log: %+v %v", got, err)
		}
		if got, _ := f.reg.AccessLog(ppAs("410102", rbac.AuditRead), registry.AccessFilter{Username: "u-410105001001"}); len(got) != 0 {
			t.Fatalf("out of scope: %+v", got)
		}
		now := f.clk.Now()
		if got, _ := f.reg.AccessLog(auditor, registry.AccessFilter{From: now.Add(time.Minute), To: now.Add(time.Hour)}); len(got) != 0 {
			t.Fatalf("window after: %+v", got)
		}
		_, err = f.reg.AccessLog(auditor, registry.AccessFilter{})
		ppField(t, err, apperr.Invalid, "user")
	})
}
