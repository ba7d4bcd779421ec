package cases_test

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
)

// mapCase files a located case in grid as a worker of its community.
func (f *fixture) mapCase(t *testing.T, unit, grid, cat string, lat, lng float64) cases.Case {
	t.Helper()
	c, _, err := f.svc.CreateCase(as(unit, worker...), cases.CaseCreate{
		CategoryCode: cat, Description: "地图上的案件", GridCode: grid, Lat: &lat, Lng: &lng,
		Address: "经八路", Source: cases.SourcePatrol})
	if err != nil {
		t.Fatalf("create case: %v", err)
	}
	return c
}

func TestMapCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		jbl := f.mapCase(t, "410105001001", orgtest.GridJBL, "E010101", 34.77, 113.68)
		hhl := f.mapCase(t, "410105001002", orgtest.GridHHL, "E010101", 34.78, 113.69)
		f.clk.Advance(48 * time.Hour)
		lsz := f.mapCase(t, "410102001001", orgtest.GridLSZ, "E010101", 34.75, 113.60)
		city := orb.Bound{Min: orb.Point{113.0, 34.0}, Max: orb.Point{114.0, 35.0}}
		ids := func(pts []cases.CasePoint) []int64 {
			out := []int64{}
			for _, p := range pts {
				out = append(out, p.ID)
			}
			return out
		}

		pts, trunc, err := f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city})
		if err != nil || trunc {
			t.Fatalf("city: %v (truncated %v)", err, trunc)
		}
		if got := ids(pts); len(got) != 3 || got[0] != lsz.ID {
			t.Fatalf("city sees %v, want 3 cases newest first (%d)", got, lsz.ID)
		}
		p := pts[2]
		if p.ID != jbl.ID || p.Lat != 34.77 || p.Lng != 113.68 || p.Status != cases.StatusReported ||
			p.Overdue == "" || p.CategoryName == "" || p.GridCode != orgtest.GridJBL {
			t.Errorf("point: got %+v", p)
		}

		t.Run("scope", func(t *testing.T) {
			pts, _, err := f.svc.MapCases(as("410102", allCase...), cases.MapFilter{BBox: city})
			if err != nil || len(pts) != 1 || pts[0].ID != lsz.ID {
				t.Errorf("中原区 sees %v (%v), want only %d", ids(pts), err, lsz.ID)
			}
			pts, _, err = f.svc.MapCases(as("410105001002", allCase...), cases.MapFilter{GridCode: orgtest.GridJBL})
			if err != nil || len(pts) != 0 {
				t.Errorf("黄河路社区 sees %v of 经八路's grid (%v), want none", ids(pts), err)
			}
			_, _, err = f.svc.MapCases(as("410100"), cases.MapFilter{BBox: city})
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("filters", func(t *testing.T) {
			small := orb.Bound{Min: orb.Point{113.675, 34.765}, Max: orb.Point{113.685, 34.775}}
			pts, _, _ := f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: small})
			if got := ids(pts); len(got) != 1 || got[0] != jbl.ID {
				t.Errorf("small box: got %v, want [%d]", got, jbl.ID)
			}
			pts, _, _ = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, From: f.clk.Now().Add(-time.Hour)})
			if got := ids(pts); len(got) != 1 || got[0] != lsz.ID {
				t.Errorf("from: got %v, want [%d]", got, lsz.ID)
			}
			pts, _, _ = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, To: f.clk.Now().Add(-time.Hour)})
			if got := ids(pts); len(got) != 2 {
				t.Errorf("to: got %v, want the two older cases", got)
			}
			pts, _, _ = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, Categories: []string{"A"}})
			if len(pts) != 0 {
				t.Errorf("category A: got %v, want none", ids(pts))
			}
			pts, _, _ = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, Categories: []string{"A", "E01"}})
			if len(pts) != 3 {
				t.Errorf("category E01: got %v, want 3", ids(pts))
			}
			pts, _, _ = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, Statuses: []cases.Status{cases.StatusClosed}})
			if len(pts) != 0 {
				t.Errorf("closed: got %v, want none", ids(pts))
			}
			pts, _, _ = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{GridCode: orgtest.GridHHL, Statuses: cases.OpenStatuses()})
			if got := ids(pts); len(got) != 1 || got[0] != hhl.ID {
				t.Errorf("grid HHL open: got %v, want [%d]", got, hhl.ID)
			}
		})
		t.Run("cap", func(t *testing.T) {
			pts, trunc, err := f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, Limit: 2})
			if err != nil || len(pts) != 2 || !trunc {
				t.Errorf("limit 2: got %d points, truncated %v (%v), want 2 and truncated", len(pts), trunc, err)
			}
			// The paging rule: above the cap is clamped, negative is invalid.
			if _, _, err = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, Limit: cases.MapCap + 1}); err != nil {
				t.Errorf("limit above the cap: got %v, want it clamped", err)
			}
			_, _, err = f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: city, Limit: -1})
			wantField(t, err, "limit")
		})
		t.Run("bad box", func(t *testing.T) {
			for _, b := range []orb.Bound{{}, {Min: orb.Point{114, 34}, Max: orb.Point{113, 35}},
				{Min: orb.Point{113, 34}, Max: orb.Point{190, 35}}} {
				_, _, err := f.svc.MapCases(as("410100", allCase...), cases.MapFilter{BBox: b})
				wantField(t, err, "bbox")
			}
		})
	})
}
