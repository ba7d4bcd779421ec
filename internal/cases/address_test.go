package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// fakeAddresses is an address locator over a fixed table; it counts calls
// and fails on the address "boom".
type fakeAddresses struct {
	table map[string]cases.AddressMatch
	calls int
}

func (f *fakeAddresses) LocateAddress(_ context.Context, addr string) (cases.AddressMatch, bool, error) {
	f.calls++
	if addr == "boom" {
		return cases.AddressMatch{}, false, errors.New("geocoder down")
	}
	m, ok := f.table[addr]
	return m, ok, nil
}

// createDetail returns the detail of a case's creation audit entry.
func createDetail(t *testing.T, d *db.DB, id int64) map[string]any {
	t.Helper()
	var raw string
	if err := d.QueryRow(t.Context(), `SELECT detail FROM audit_log WHERE action = 'case.create' AND object_id = ?`,
		strconv.FormatInt(id, 10)).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("detail %q: %v", raw, err)
	}
	return out
}

func TestCreateCaseByAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		addr := &fakeAddresses{table: map[string]cases.AddressMatch{
			"黄河路社区3号楼": {GridCode: "G410105001002", Lat: 34.781, Lng: 113.691},
			"林山寨路9号":   {GridCode: "G410102001001", Lat: 34.75, Lng: 113.61},
		}}
		f.with(cases.WithAddressLocator(addr))
		jinshui := as("410105", worker...)
		in := func(address string) cases.CaseCreate {
			return cases.CaseCreate{CategoryCode: "E010101", Description: "路边有暴露垃圾", Address: address}
		}

		t.Run("address only: grid and point from the address, audited", func(t *testing.T) {
			c := created(f.svc.CreateCase(jinshui, in("黄河路社区3号楼")))
			if c.GridCode != "G410105001002" || c.UnitCode != "410105001002" {
				t.Errorf("got grid %s unit %s, want G410105001002 in 410105001002", c.GridCode, c.UnitCode)
			}
			if c.Lat == nil || c.Lng == nil || *c.Lat != 34.781 || *c.Lng != 113.691 {
				t.Errorf("got point %v, %v, want the address's", c.Lat, c.Lng)
			}
			stored := must(f.svc.CaseByID(jinshui, c.ID))
			if stored.Lat == nil || *stored.Lat != 34.781 {
				t.Errorf("stored point %v, want 34.781", stored.Lat)
			}
			if got := createDetail(t, d, c.ID)["located_by"]; got != "address" {
				t.Errorf("audit located_by: got %v, want address", got)
			}
		})
		t.Run("a given grid wins and is not marked", func(t *testing.T) {
			before := addr.calls
			c := in("黄河路社区3号楼")
			c.GridCode = "G410105001001"
			got := created(f.svc.CreateCase(jinshui, c))
			if got.GridCode != "G410105001001" || got.Lat != nil || addr.calls != before {
				t.Errorf("got grid %s point %v, %d address lookups", got.GridCode, got.Lat, addr.calls-before)
			}
			if _, ok := createDetail(t, d, got.ID)["located_by"]; ok {
				t.Error("a case with a given grid says located_by")
			}
		})
		t.Run("coordinates come before the address", func(t *testing.T) {
			before := addr.calls
			c := in("黄河路社区3号楼")
			c.Lat, c.Lng = ptr(34.77), ptr(113.68)
			got := created(f.svc.CreateCase(jinshui, c))
			if got.GridCode != "G410105001001" || *got.Lat != 34.77 || addr.calls != before {
				t.Errorf("got grid %s point %v, %d address lookups", got.GridCode, *got.Lat, addr.calls-before)
			}
			// Coordinates outside every grid do not fall back to the address.
			c.Lat, c.Lng = ptr(30.0), ptr(120.0)
			_, _, err := f.svc.CreateCase(jinshui, c)
			wantField(t, err, "grid_code")
		})
		t.Run("an unknown address is a 422 on grid_code", func(t *testing.T) {
			_, _, err := f.svc.CreateCase(jinshui, in("火星路1号"))
			wantField(t, err, "grid_code")
		})
		t.Run("an address in another district is outside the reporter's scope", func(t *testing.T) {
			_, _, err := f.svc.CreateCase(jinshui, in("林山寨路9号"))
			if e := apperr.As(err); err == nil || e.Code != apperr.NotFound && e.Code != apperr.Forbidden {
				t.Errorf("got %v, want not_found or forbidden", err)
			}
		})
		t.Run("a failing geocoder fails the request", func(t *testing.T) {
			_, _, err := f.svc.CreateCase(jinshui, in("boom"))
			if e := apperr.As(err); err == nil || e.Code != apperr.Internal {
				t.Errorf("got %v, want internal", err)
			}
		})
	})
}
