package groups_test

import (
	"context"
	"encoding/json"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry/groups"
)

// kindTable returns the shipped group-kind table as version with the key
// flags of kinds set as given.
func kindTable(t *testing.T, version string, keys map[string]bool) []byte {
	t.Helper()
	tables, err := groups.EmbeddedTables()
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Table != groups.TableGroupKind {
			continue
		}
		tb.Version = version
		for i, c := range tb.Codes {
			if k, ok := keys[c.Code]; ok {
				tb.Codes[i].Key = k
			}
		}
		b, err := json.Marshal(map[string]any{"table": tb.Table, "title": tb.Title, "standard": tb.Standard,
			"version": tb.Version, "codes": tb.Codes})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatal("no group_kind table shipped")
	return nil
}

func TestKindBecomesKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a := f.person(t, "张三", "410105001001")
		b := f.person(t, "李四", "410105001001")
		c := f.person(t, "王五", "410105001002")
		k := as("410105001", keyed...)
		add := func(p int64, in groups.MemberInput) groups.GroupMember {
			t.Helper()
			m, err := f.svc.AddMember(k, p, in)
			if err != nil {
				t.Fatalf("add %s: %v", in.Kind, err)
			}
			return m
		}
		ma := add(a, groups.MemberInput{Kind: "elderly"})
		mb := add(b, groups.MemberInput{Kind: "elderly"})
		add(c, groups.MemberInput{Kind: "elderly"})
		if _, err := f.svc.EndMember(k, mb.ID, "2026-03-02", "迁出"); err != nil {
			t.Fatal(err)
		}
		if f.keyGroup(t, a) || ma.KeyGroup {
			t.Fatal("elderly is key before the change")
		}
		root := as("410100", writer...)
		if _, err := f.svc.ImportCodeTable(root, kindTable(t, "2026.2", map[string]bool{"elderly": true})); err != nil {
			t.Fatal(err)
		}
		if !f.keyGroup(t, a) || !f.keyGroup(t, c) || f.keyGroup(t, b) {
			t.Fatalf("key_group after: a %v c %v b(ended) %v, want true true false", f.keyGroup(t, a), f.keyGroup(t, c), f.keyGroup(t, b))
		}
		m, err := f.svc.Member(k, ma.ID)
		if err != nil || !m.KeyGroup || m.Version != ma.Version+1 {
			t.Fatalf("membership after: %+v %v", m, err)
		}
		// The members are now behind registry.keygroup.
		_, err = f.svc.Member(as("410105001", writer...), ma.ID)
		wantCode(t, err, "not_found")
		var n int
		var detail string
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*), MAX(detail) FROM audit_log WHERE action = ? AND object_id = 'elderly'`,
			groups.ActKindRekey).Scan(&n, &detail); err != nil || n != 1 {
			t.Fatalf("rekey audited %d times (%v)", n, err)
		}
		var dd map[string]any
		_ = json.Unmarshal([]byte(detail), &dd)
		if dd["memberships"] != float64(2) || dd["people"] != float64(2) || dd["key"] != true {
			t.Fatalf("rekey detail %s", detail)
		}
		// Back to not key: released unless another key membership holds them.
		add(c, groups.MemberInput{Kind: "community_corrections", RiskLevel: "high", Attrs: map[string]string{
			"correction_no": "JZ-002", "correction_type": "probation", "correction_start": "2026-02-01"}})
		if _, err := f.svc.ImportCodeTable(root, kindTable(t, "2026.3", map[string]bool{"elderly": false})); err != nil {
			t.Fatal(err)
		}
		if f.keyGroup(t, a) || !f.keyGroup(t, c) {
			t.Fatalf("after release: a %v c %v, want false true", f.keyGroup(t, a), f.keyGroup(t, c))
		}
		// A new version that changes no key flag re-keys nothing.
		if _, err := f.svc.ImportCodeTable(root, kindTable(t, "2026.4", nil)); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ?`, groups.ActKindRekey).Scan(&n); err != nil || n != 2 {
			t.Fatalf("rekey entries: %d %v", n, err)
		}
	})
}
