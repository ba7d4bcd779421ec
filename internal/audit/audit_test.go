package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
)

// tamper edits or deletes rows behind the application's back, as an
// attacker with database access would, bypassing the append-only triggers.
func tamper(t *testing.T, d *db.DB, stmt string) {
	t.Helper()
	ctx := context.Background()
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if d.Dialect == db.Postgres {
			if _, err := d.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
				return err
			}
		} else {
			for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`} {
				if _, err := d.Exec(ctx, q); err != nil {
					return err
				}
			}
		}
		_, err := d.Exec(ctx, stmt)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func record(t *testing.T, l *audit.Log, ctx context.Context, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := l.Record(ctx, audit.Entry{Action: "test.write", ObjectType: "thing", ObjectID: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name       string
		stmt       string
		wantBroken int64
	}{
		{"intact", "", 0},
		{"edited action", `UPDATE audit_log SET action = 'test.read' WHERE seq = 3`, 3},
		{"edited user", `UPDATE audit_log SET username = 'mallory' WHERE seq = 2`, 2},
		{"deleted middle", `DELETE FROM audit_log WHERE seq = 2`, 2},
		{"deleted newest", `DELETE FROM audit_log WHERE seq = 5`, 5},
		{"rehashed row", `UPDATE audit_log SET hash = prev_hash WHERE seq = 4`, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := actor.With(context.Background(), actor.SystemActor("test"))
				l := audit.New(d, clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC)))
				record(t, l, ctx, 5)
				if tc.stmt != "" {
					tamper(t, d, tc.stmt)
				}
				res, err := l.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK != (tc.wantBroken == 0) || res.BrokenSeq != tc.wantBroken {
					t.Errorf("got ok=%v broken=%d (%s), want broken=%d", res.OK, res.BrokenSeq, res.Problem, tc.wantBroken)
				}
			})
		})
	}
}

func TestAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := actor.With(context.Background(), actor.SystemActor("test"))
		l := audit.New(d, clock.System{})
		record(t, l, ctx, 2)
		for _, stmt := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`} {
			if _, err := d.Exec(ctx, stmt); err == nil {
				t.Errorf("%s: got no error, want the append-only trigger to refuse", stmt)
			}
		}
	})
}

func TestRecordJoinsTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := actor.With(context.Background(), actor.SystemActor("test"))
		l := audit.New(d, clock.System{})
		boom := errors.New("boom")
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if err := l.Record(ctx, audit.Entry{Action: "test.write"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		rows, total, err := l.List(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 0 || len(rows) != 0 {
			t.Errorf("got %d entries after rollback, want 0", total)
		}
		res, _ := l.Verify(ctx)
		if !res.OK {
			t.Errorf("chain broken after rollback: %+v", res)
		}
	})
}

func TestListScopeAndFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		bg := context.Background()
		now := time.Now().UTC()
		for _, u := range [][3]string{{"410100", "", "/410100/"}, {"410105", "410100", "/410100/410105/"}, {"410102", "410100", "/410100/410102/"}} {
			var parent any
			if u[1] != "" {
				parent = u[1]
			}
			if _, err := d.Exec(bg, `INSERT INTO org_units (code, name, level, kind, parent_code, path, created_at, updated_at)
				VALUES (?, ?, ?, 'territory', ?, ?, ?, ?)`, u[0], u[0], map[bool]string{true: "city", false: "district"}[u[1] == ""], parent, u[2], now, now); err != nil {
				t.Fatal(err)
			}
		}
		l := audit.New(d, clock.System{})
		meta := actor.WithMeta(bg, actor.Meta{IP: "10.0.0.9", RequestID: "req-1"})
		for _, e := range []audit.Entry{
			{Action: "auth.login", Username: "a105", UnitCode: "410105"},
			{Action: "org.unit.update", Username: "a105", UnitCode: "410105", ObjectType: "org_unit", ObjectID: "410105"},
			{Action: "auth.login", Username: "a102", UnitCode: "410102", Result: audit.Failure},
			{Action: "auth.login", Username: "nobody", Result: audit.Failure},
		} {
			if err := l.Record(meta, e); err != nil {
				t.Fatal(err)
			}
		}
		all := map[string]bool{}
		for _, p := range rbac.All {
			all[p] = true
		}
		who := func(code, path string) context.Context {
			return actor.With(bg, &actor.Actor{UserID: 9, Username: "x", Grants: []actor.Grant{{Role: "admin", ScopeCode: code, ScopePath: path, Perms: all}}})
		}
		tests := []struct {
			name string
			ctx  context.Context
			f    audit.Filter
			want int
		}{
			{"city sees all, including unknown names", who("410100", "/410100/"), audit.Filter{}, 4},
			{"district sees its own", who("410105", "/410100/410105/"), audit.Filter{}, 2},
			{"other district", who("410102", "/410100/410102/"), audit.Filter{}, 1},
			{"action prefix", who("410100", "/410100/"), audit.Filter{Action: "auth."}, 3},
			{"failures", who("410100", "/410100/"), audit.Filter{Result: audit.Failure}, 2},
			{"object", who("410100", "/410100/"), audit.Filter{ObjectType: "org_unit", ObjectID: "410105"}, 1},
			{"user", who("410100", "/410100/"), audit.Filter{Username: "a105"}, 2},
			{"future", who("410100", "/410100/"), audit.Filter{From: now.Add(time.Hour)}, 0},
		}
		for _, tc := range tests {
			rows, total, err := l.List(tc.ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if total != tc.want || len(rows) != tc.want {
				t.Errorf("%s: got %d (%d rows), want %d", tc.name, total, len(rows), tc.want)
			}
		}
		rows, _, _ := l.List(who("410100", "/410100/"), audit.Filter{Limit: 1})
		if len(rows) != 1 || rows[0].IP != "10.0.0.9" || rows[0].RequestID != "req-1" || rows[0].Seq != 4 {
			t.Errorf("newest entry: got %+v, want seq 4 with ip and request id", rows)
		}
		if _, _, err := l.List(actor.With(bg, &actor.Actor{UserID: 1}), audit.Filter{}); err == nil {
			t.Error("actor without audit.read: got no error, want forbidden")
		}
	})
}
