package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestTransitionReplay: a case transition sent again under the same
// Idempotency-Key (its answer was lost) gets the first answer, marked
// Idempotent-Replayed, and writes no second step; the key with another
// body is a 422 naming the key; without the key the same retry is refused
// by the case loop, which is what the key is for.
func TestTransitionReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		c := f.create("井盖缺失")
		path := fmt.Sprintf("/api/v1/cases/%d/escalate", c.ID)
		key := map[string]string{"Idempotency-Key": "3f1c9a52-1111-4c1e-9d7a-0a1b2c3d4e5f"}
		body := map[string]any{"note": "超出社区处置能力"}
		first := f.doHeader("POST", path, f.tok["community"], body, key)
		if first.status != http.StatusOK {
			t.Fatalf("escalate: got %d %s", first.status, first.body)
		}
		again := f.doHeader("POST", path, f.tok["community"], body, key)
		if again.status != http.StatusOK || string(again.body) != string(first.body) ||
			again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: got %d %q (replayed=%q), want the first answer", again.status, again.body,
				again.header.Get("Idempotent-Replayed"))
		}
		var steps int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM case_steps WHERE case_id = ? AND action = ?`,
			c.ID, string(cases.ActEscalate)).Scan(&steps); err != nil {
			t.Fatal(err)
		}
		if steps != 1 {
			t.Errorf("escalate steps: got %d, want 1", steps)
		}
		changed := f.doHeader("POST", path, f.tok["community"], map[string]any{"note": "改了"}, key)
		if changed.status != http.StatusUnprocessableEntity || changed.errorBody(t).Fields["Idempotency-Key"] == "" {
			t.Errorf("reused key: got %d %s, want 422 naming Idempotency-Key", changed.status, changed.body)
		}
		// Another user's identical key is another request.
		other := f.doHeader("POST", path, f.tok["worker"], body, key)
		if other.status != http.StatusForbidden {
			t.Errorf("another user's key: got %d %s, want the case loop's own 403", other.status, other.body)
		}
		if plain := f.do("POST", path, f.tok["community"], body); plain.status < 400 {
			t.Errorf("retry without a key: got %d, want a refusal", plain.status)
		}
	})
}
