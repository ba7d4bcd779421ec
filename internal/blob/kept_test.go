package blob

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestKeptFiles: a kept file comes back to its owner only, with its meta,
// until it is dropped or older than KeptTTL, and the purge removes its row
// and its bytes.
func TestKeptFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		owner := user(7, "410105", "/410100/410105/")
		other := user(8, "410105", "/410100/410105/")
		data := []byte(`{"type":"FeatureCollection","features":[]}`)
		tok, err := f.svc.Keep(owner, "grids.geojson", data, []string{"code", "name"})
		if err != nil {
			t.Fatal(err)
		}
		k, err := f.svc.Kept(owner, tok)
		if err != nil {
			t.Fatalf("kept: %v", err)
		}
		var props []string
		if err := json.Unmarshal(k.Meta, &props); err != nil || !slices.Equal(props, []string{"code", "name"}) {
			t.Errorf("meta = %s (%v), want [code name]", k.Meta, err)
		}
		if !bytes.Equal(k.Data, data) || k.Name != "grids.geojson" {
			t.Errorf("got %q %q, want the file back", k.Name, k.Data)
		}
		if _, err := f.svc.Kept(other, tok); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another user: got %v, want not_found", err)
		}
		if _, err := f.svc.Kept(owner, tok+"0"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown token: got %v, want not_found", err)
		}
		if err := f.svc.DropKept(other, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Kept(owner, tok); err != nil {
			t.Errorf("dropped by another user: got %v, want still kept", err)
		}
		if err := f.svc.DropKept(owner, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Kept(owner, tok); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("dropped: got %v, want not_found", err)
		}

		old, err := f.svc.Keep(owner, "old.zip", []byte("PK\x03\x04old"), nil)
		if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(KeptTTL + time.Minute)
		young, err := f.svc.Keep(owner, "young.zip", []byte("PK\x03\x04young"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Kept(owner, old); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("expired: got %v, want not_found", err)
		}
		n, err := f.svc.PurgeKept(owner)
		if err != nil || n != 1 {
			t.Fatalf("purge: %d, %v; want 1", n, err)
		}
		if ok, _ := f.local.Exists(owner, keptKey(old)); ok {
			t.Error("purged file still in the store")
		}
		if _, err := f.svc.Kept(owner, young); err != nil {
			t.Errorf("young file after purge: %v", err)
		}
	})
}
