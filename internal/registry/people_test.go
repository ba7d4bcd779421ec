package registry_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

func TestCreateAndFindPerson(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		w := ppAs("410105001001", ppWriter...)
		p, err := f.reg.CreatePerson(w, registry.PersonInput{Name: "张三", IDNumber: strings.ToLower(idZhang),
			Phone: "+86 138-1234-5678", GridCode: gridJBL, Address: "经八路1号院3号楼", PersonType: "migrant"})
		ppCode(t, err, "")
		if p.IDNumber != seal.MaskID(idZhang) || p.Phone != "138****5678" || !p.Masked {
			t.Fatalf("got id %q phone %q masked %v, want masks", p.IDNumber, p.Phone, p.Masked)
		}
		if p.Gender != "1" || p.BirthDate != "1990-03-07" || p.UnitCode != "410105001001" || p.AwaitingGrid || p.Version != 1 {
			t.Fatalf("got %+v, want gender and birth from the number, the grid's community", p)
		}
		if f.audits(t, registry.ActPersonCreate, p.ID) != 1 {
			t.Fatal("creation not audited")
		}
		var detail string
		_ = d.QueryRow(context.Background(), `SELECT detail FROM audit_log WHERE action = ?`, registry.ActPersonCreate).Scan(&detail)
		if strings.Contains(detail, idZhang) || strings.Contains(detail, phoneZhang) {
			t.Fatalf("audit detail holds a plain identifier: %s", detail)
		}
		f.person(t, "李四", idLi, phoneLi, gridHHL)
		f.person(t, "张无忌", "", "", gridJBL)

		find := func(flt registry.PeopleFilter) []string {
			t.Helper()
			ps, total, err := f.reg.People(ppAs("410105", ppReader...), flt)
			ppCode(t, err, "")
			if flt.Limit == 0 && total != len(ps) {
				t.Fatalf("total %d, page %d", total, len(ps))
			}
			var names []string
			for _, p := range ps {
				if !p.Masked || strings.Contains(p.IDNumber+p.Phone, "12345678") {
					t.Fatalf("list shows %q %q unmasked", p.IDNumber, p.Phone)
				}
				names = append(names, p.Name)
			}
			return names
		}
		for _, c := range []struct {
			f    registry.PeopleFilter
			want string
		}{
			{registry.PeopleFilter{IDNumber: idZhang}, "张三"},
			{registry.PeopleFilter{IDNumber: " " + strings.ToLower(idZhang)}, "张三"},
			{registry.PeopleFilter{Phone: "138 1234 5678"}, "张三"},
			{registry.PeopleFilter{Name: "张"}, "张三,张无忌"},
			{registry.PeopleFilter{Name: "%"}, ""},
			{registry.PeopleFilter{Address: "3号楼"}, "张三"},
			{registry.PeopleFilter{GridCode: gridHHL}, "李四"},
			{registry.PeopleFilter{UnitCode: "410105001002"}, "李四"},
			{registry.PeopleFilter{PersonType: "migrant"}, "张三"},
			{registry.PeopleFilter{}, "张无忌,李四,张三"},
			{registry.PeopleFilter{Limit: 1, Offset: 1}, "李四"},
		} {
			got := strings.Join(find(c.f), ",")
			if got != c.want {
				t.Errorf("filter %+v: got %q, want %q", c.f, got, c.want)
			}
		}
		_, _, err = f.reg.People(ppAs("410105", ppReader...), registry.PeopleFilter{Phone: "12"})
		ppField(t, err, apperr.Invalid, "phone")

		// A second person with the same number: a conflict that says no more.
		_, err = f.reg.CreatePerson(w, registry.PersonInput{Name: "冒名", IDNumber: idZhang, GridCode: gridJBL})
		ppField(t, err, apperr.Conflict, "id_number")
		if strings.Contains(err.Error(), "张三") || strings.Contains(err.Error(), idZhang) {
			t.Fatalf("conflict reveals too much: %v", err)
		}
		// Bad input names its fields.
		bad := seal.MakeIDNumber("41010519900307123")
		bad = bad[:17] + map[bool]string{true: "1", false: "2"}[bad[17] != '1']
		_, err = f.reg.CreatePerson(w, registry.PersonInput{Name: "", IDNumber: bad, Phone: "12345", GridCode: gridJBL})
		for _, field := range []string{"name", "id_number", "phone"} {
			ppField(t, err, apperr.Invalid, field)
		}
		_, err = f.reg.CreatePerson(w, registry.PersonInput{Name: "无处"})
		ppField(t, err, apperr.Invalid, "grid_code")
		_, err = f.reg.CreatePerson(w, registry.PersonInput{Name: "无网格", GridCode: "G-nope"})
		ppField(t, err, apperr.Invalid, "grid_code")
	})
}

func TestPeopleScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		other := ppAs("410102", ppOfficer...)
		_, err := f.reg.PersonByID(other, p.ID)
		ppCode(t, err, apperr.NotFound)
		_, err = f.reg.UnmaskPerson(other, p.ID, "核查")
		ppCode(t, err, apperr.NotFound)
		ps, total, err := f.reg.People(other, registry.PeopleFilter{IDNumber: idZhang})
		if err != nil || total != 0 || len(ps) != 0 {
			t.Fatalf("out of scope: got %d people (%v), want none", total, err)
		}
		_, err = f.reg.CreatePerson(other, registry.PersonInput{Name: "越界", GridCode: gridJBL})
		ppCode(t, err, apperr.NotFound)
		_, err = f.reg.PersonByID(ppAs("410105"), p.ID)
		ppCode(t, err, apperr.Forbidden)
		_, err = f.reg.CreatePerson(ppAs("410105", ppReader...), registry.PersonInput{Name: "只读", GridCode: gridJBL})
		ppCode(t, err, apperr.Forbidden)
		_, err = f.reg.UpdatePerson(ppAs("410105", ppReader...), p.ID, registry.PersonInput{Name: "改"})
		ppCode(t, err, apperr.Forbidden)
		// The street sees the community's person.
		if _, err := f.reg.PersonByID(ppAs("410105001", ppReader...), p.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUnmaskAndViews(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		reader := ppAs("410105", ppReader...)
		got, err := f.reg.PersonByID(reader, p.ID)
		ppCode(t, err, "")
		if got.IDNumber != seal.MaskID(idZhang) || !got.Masked {
			t.Fatalf("reader sees %q", got.IDNumber)
		}
		_, err = f.reg.UnmaskPerson(reader, p.ID, "核查")
		ppCode(t, err, apperr.Forbidden)
		officer := ppAs("410105001001", ppOfficer...)
		_, err = f.reg.UnmaskPerson(officer, p.ID, "  ")
		ppField(t, err, apperr.Invalid, "reason")
		if f.audits(t, registry.ActPersonUnmask, p.ID) != 0 {
			t.Fatal("a refused unmasking was audited as done")
		}
		u, err := f.reg.UnmaskPerson(officer, p.ID, "入户核查")
		ppCode(t, err, "")
		if u.IDNumber != idZhang || u.Phone != phoneZhang || u.Masked {
			t.Fatalf("unmasked: got %q %q masked %v", u.IDNumber, u.Phone, u.Masked)
		}
		views, err := f.reg.PersonViews(officer, p.ID, 10)
		ppCode(t, err, "")
		// The reader's view, the unmasking (with its reason) and the creation.
		if len(views) != 3 || views[0].Action != registry.AccessUnmask || !strings.Contains(views[0].Detail, "入户核查") ||
			views[1].Action != registry.AccessView || views[1].Username != "u-410105" ||
			views[2].Action != registry.ActPersonCreate || views[0].Username != "u-410105001001" {
			t.Fatalf("views: got %+v, want the unmasking, the view, then the creation", views)
		}
		if strings.Contains(views[0].Detail, idZhang) {
			t.Fatal("unmask audit holds the number")
		}
		_, err = f.reg.PersonViews(reader, p.ID, 10)
		ppCode(t, err, apperr.Forbidden)
		_, err = f.reg.PersonViews(ppAs("410102", registry.PermUnmask), p.ID, 10)
		ppCode(t, err, apperr.NotFound)
		if _, err := f.reg.PersonViews(ppAs("410105", "audit.read"), p.ID, 10); err != nil {
			t.Fatalf("audit.read over the person: %v", err)
		}
	})
}

func TestKeyGroupPeople(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		f.person(t, "李四", idLi, phoneLi, gridJBL)
		f.keyGroup(t, p.ID)
		reader := ppAs("410105", ppWriter...)
		_, err := f.reg.PersonByID(reader, p.ID)
		ppCode(t, err, apperr.NotFound)
		_, err = f.reg.UpdatePerson(reader, p.ID, registry.PersonInput{Name: "张三", GridCode: gridJBL})
		ppCode(t, err, apperr.NotFound)
		ps, total, err := f.reg.People(reader, registry.PeopleFilter{})
		if err != nil || total != 1 || ps[0].Name != "李四" {
			t.Fatalf("reader list: got %d %v", total, err)
		}
		if ps, _, _ := f.reg.People(reader, registry.PeopleFilter{IDNumber: idZhang}); len(ps) != 0 {
			t.Fatal("a key-group person is found by number without registry.keygroup")
		}
		if f.audits(t, registry.ActPersonView, p.ID) != 0 {
			t.Fatal("a refused view was audited")
		}
		kg := ppAs("410105001001", registry.PermRead, registry.PermKeyGroup)
		got, err := f.reg.PersonByID(kg, p.ID)
		if err != nil || !got.KeyGroup {
			t.Fatalf("with keygroup: %v", err)
		}
		if f.audits(t, registry.ActPersonView, p.ID) != 1 {
			t.Fatal("the view of a key-group person is not audited")
		}
		ps, total, err = f.reg.People(kg, registry.PeopleFilter{KeyGroupOnly: true})
		if err != nil || total != 1 || ps[0].ID != p.ID {
			t.Fatalf("key-group list: got %d %v", total, err)
		}
		// registry.keygroup over another district does not help.
		_, err = f.reg.PersonByID(ppAs("410102", registry.PermRead, registry.PermKeyGroup), p.ID)
		ppCode(t, err, apperr.NotFound)
	})
}

func TestUpdateRemoveVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		w := ppAs("410105", ppOfficer...)
		in, err := f.reg.PersonForEdit(w, p.ID)
		ppCode(t, err, "")
		in.Address, in.Phone = "黄河路2号", phoneLi
		u, err := f.reg.UpdatePerson(w, p.ID, in)
		ppCode(t, err, "")
		if u.Version != 2 || u.Address != "黄河路2号" || u.Phone != "139****4321" || u.IDNumber != seal.MaskID(idZhang) {
			t.Fatalf("updated: got %+v", u)
		}
		if open, _ := f.reg.UnmaskPerson(w, p.ID, "核对"); open.IDNumber != idZhang || open.Phone != phoneLi {
			t.Fatalf("identifiers after update: %q %q", open.IDNumber, open.Phone)
		}
		_, err = f.reg.UpdatePerson(w, p.ID, in) // version 1 again
		wantReasonStale(t, err)
		// Moving to 中原区 needs registry.write there too.
		in.Version, in.GridCode = 2, gridLSZ
		_, err = f.reg.UpdatePerson(w, p.ID, in)
		ppCode(t, err, apperr.NotFound)
		moved, err := f.reg.UpdatePerson(ppAs("410100", ppWriter...), p.ID, in)
		if err != nil || moved.UnitCode != "410102001001" {
			t.Fatalf("move: %v %+v", err, moved)
		}
		_, err = f.reg.PersonByID(w, p.ID)
		ppCode(t, err, apperr.NotFound)

		city := ppAs("410100", ppWriter...)
		v, err := f.reg.VerifyPerson(city, p.ID, "入户核对无误")
		if err != nil || v.VerifiedAt == nil || v.VerifiedBy == nil || *v.VerifiedBy == 0 {
			t.Fatalf("verify: %v %+v", err, v)
		}
		if f.audits(t, registry.ActPersonVerify, p.ID) != 1 {
			t.Fatal("verification not audited")
		}

		ppField(t, f.reg.RemovePerson(city, p.ID, ""), apperr.Invalid, "reason")
		ppCode(t, f.reg.RemovePerson(city, p.ID, "迁出本市"), "")
		_, err = f.reg.PersonByID(city, p.ID)
		ppCode(t, err, apperr.NotFound)
		if ps, total, _ := f.reg.People(city, registry.PeopleFilter{IDNumber: idZhang}); total != 0 || len(ps) != 0 {
			t.Fatal("a removed person is listed")
		}
		if f.audits(t, registry.ActPersonRemove, p.ID) != 1 {
			t.Fatal("removal not audited")
		}
	})
}

func wantReasonStale(t *testing.T, err error) {
	t.Helper()
	if e := apperr.As(err); err == nil || e.Code != apperr.Conflict || e.Reason != "stale" {
		t.Fatalf("got %v, want a stale conflict", err)
	}
}

func TestAwaitingGrid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		ctx := context.Background()
		street := ppAs("410105001", ppWriter...)
		mk := func(name, addr string) registry.Person {
			p, err := f.reg.CreatePerson(street, registry.PersonInput{Name: name, UnitCode: "410105001", Address: addr})
			if err != nil || !p.AwaitingGrid || p.GridCode != "" || p.UnitCode != "410105001" {
				t.Fatalf("awaiting %s: %v %+v", name, err, p)
			}
			return p
		}
		a, b, c := mk("甲", "黄河路5号院"), mk("乙", " 经八路9号 "), mk("丙", "无名路")
		ps, total, err := f.reg.People(street, registry.PeopleFilter{AwaitingGrid: true})
		if err != nil || total != 3 || len(ps) != 3 {
			t.Fatalf("awaiting list: %d %v", total, err)
		}
		// A house with a grid at b's address resolves b.
		now := f.clk.Now()
		if _, err := d.Exec(ctx, `INSERT INTO houses (address, grid_code, unit_code, unit_path, source, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'own', ?, ?)`, "经八路9号", gridJBL, "410105001001", ppPath("410105001001"), now, now); err != nil {
			t.Fatal(err)
		}
		_, err = f.reg.ResolvePendingGrids(ppAs("410102", ppWriter...), "410105001")
		ppCode(t, err, apperr.NotFound)
		n, err := f.reg.ResolvePendingGrids(street, "410105001")
		if err != nil || n != 1 {
			t.Fatalf("resolve: %d %v, want 1", n, err)
		}
		if got, _ := f.reg.PersonByID(street, b.ID); got.GridCode != gridJBL || got.UnitCode != "410105001001" {
			t.Fatalf("resolved person: %+v", got)
		}
		// Manual assignment: out-of-scope grid refused; in scope counts.
		_, err = f.reg.AssignGrid(street, []int64{a.ID}, gridLSZ)
		ppCode(t, err, apperr.NotFound)
		_, err = f.reg.AssignGrid(street, nil, "")
		ppField(t, err, apperr.Invalid, "ids")
		n, err = f.reg.AssignGrid(street, []int64{a.ID, b.ID, c.ID, 999999}, gridHHL)
		if err != nil || n != 2 {
			t.Fatalf("assign: %d %v, want 2 (b already had a grid)", n, err)
		}
		if ps, total, _ := f.reg.People(street, registry.PeopleFilter{AwaitingGrid: true}); total != 0 || len(ps) != 0 {
			t.Fatalf("still awaiting: %d", total)
		}
		if f.audits(t, registry.ActPersonGrid, a.ID) != 1 || f.audits(t, registry.ActPersonGrid, b.ID) != 1 {
			t.Fatal("grid assignments not audited")
		}
	})
}

// TestNoPlaintextAtRest reads what the database keeps and finds neither
// the ID-card number nor the phone of a registered person.
func TestNoPlaintextAtRest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		if _, err := f.reg.UnmaskPerson(ppAs("410105", ppOfficer...), p.ID, "核查"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.reg.People(ppAs("410105", ppReader...), registry.PeopleFilter{IDNumber: idZhang, Phone: phoneZhang}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if d.Dialect == db.SQLite {
			path := strings.TrimPrefix(d.Where, "sqlite:")
			var raw []byte
			for _, name := range []string{path, path + "-wal"} {
				b, err := os.ReadFile(name)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				raw = append(raw, b...)
			}
			if len(raw) == 0 {
				t.Fatalf("nothing read at %s", path)
			}
			if !bytes.Contains(raw, []byte("张三")) {
				t.Fatal("the file does not even hold the name: the check reads the wrong file")
			}
			for _, secret := range []string{idZhang, phoneZhang} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Fatalf("the database file holds %s in plain text", secret)
				}
			}
			return
		}
		for _, table := range []string{"people", "audit_log"} {
			rows, err := d.Query(ctx, `SELECT t::text FROM `+table+` t`)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				n++
				if strings.Contains(s, idZhang) || strings.Contains(s, phoneZhang) {
					t.Fatalf("%s row holds a plain identifier: %s", table, s)
				}
			}
			rows.Close()
			if n == 0 {
				t.Fatalf("no %s rows read", table)
			}
		}
	})
}
