package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gridgov/internal/actor"
	"gridgov/internal/browsertest"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestBrowserMap opens the map in a real Chromium as 金水区's administrator:
// the grids layer draws its two grids, the cases layer switches on and off
// through the layer control, and a click inside 红专路's grid opens the
// "what is here" popup with the grid, its 网格长 and its open case.
func TestBrowserMap(t *testing.T) {
	browsertest.Require(t)
	f := newMapFixture(t, dbtest.Open(t, db.SQLite))
	ctx, errs := newBrowser(t)
	step(t, ctx, "log in", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin-410105"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.mainnav a[href="/map"]`)))

	step(t, ctx, "open the map",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/map"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#map path.grid-shape`)))
	wantLocation(t, ctx, "/map")
	if n := count(t, ctx, `#map path.grid-shape`); n != 2 {
		t.Errorf("grid polygons: got %d, want 2 (金水区's grids)", n)
	}
	wantText(t, ctx, "#map", "红专路一网格", "纬五路一网格")
	screenshot(t, ctx, "map-grids")

	const markers = `#map path.case-marker, #map .marker-cluster`
	if n := count(t, ctx, markers); n != 0 {
		t.Errorf("case markers before the layer is on: got %d, want 0", n)
	}
	toggle := layerToggle("案件")
	if ok, err := chromedp.Run(ctx, toggle); err != nil || !ok {
		t.Fatalf("no 案件 entry in the layer control (%v)", err)
	}
	step(t, ctx, "cases layer on", chromedp.WaitVisible(chromedp.CSS(markers)))
	screenshot(t, ctx, "map-cases")
	if ok, err := chromedp.Run(ctx, toggle); err != nil || !ok {
		t.Fatalf("layer control: %v", err)
	}
	step(t, ctx, "cases layer off", chromedp.WaitNotPresent(chromedp.CSS(markers)))

	// Click a third of the way into the western grid (红专路), away from
	// its centre where the label sits.
	xy := westGridPoint(t, ctx, 3)
	step(t, ctx, "what is here", chromedp.MouseClickXY(xy[0], xy[1]),
		chromedp.WaitVisible(chromedp.CSS(`.here-popup .here-grid`)))
	wantText(t, ctx, ".here-popup", "红专路一网格", "红专路社区", "王网格长", f.caseHZ.Number)
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".here-popup .here-cases a").getAttribute("href")`))
	if err != nil || href != "/cases/"+strconv.FormatInt(f.caseHZ.ID, 10) {
		t.Errorf("case link: got %q (%v)", href, err)
	}
	screenshot(t, ctx, "map-here")

	// The registry layers and the heat map draw too.
	for _, name := range []string{"房屋", "重点人群", "案件热力"} {
		if ok, err := chromedp.Run(ctx, layerToggle(name)); err != nil || !ok {
			t.Fatalf("no %s entry in the layer control (%v)", name, err)
		}
	}
	step(t, ctx, "registry layers", chromedp.WaitVisible(chromedp.CSS(`#map path.house-marker`)),
		chromedp.WaitVisible(chromedp.CSS(`#map path.keygroup-marker`)),
		chromedp.WaitReady(chromedp.CSS(`#map canvas.leaflet-heatmap-layer`)))

	// Edit mode: pick the grid, save its boundary through Geoman and the
	// CSRF-checked endpoint.
	// The popup panned the map: find the grid again.
	step(t, ctx, "edit mode", chromedp.Click(chromedp.ID("map-edit")),
		chromedp.WaitVisible(chromedp.ID("map-edit-bar")))
	xy = westGridPoint(t, ctx, 2)
	step(t, ctx, "edit a boundary", chromedp.MouseClickXY(xy[0], xy[1]),
		chromedp.WaitEnabled(chromedp.ID("map-edit-save")),
		chromedp.Click(chromedp.ID("map-edit-save")),
		chromedp.WaitVisible(chromedp.CSS(`#map-status .ok`)))
	wantText(t, ctx, "#map-status", "边界已保存")

	// Draw a first boundary for the grid that has none: three corners,
	// then the first again to close the ring.
	xy = westGridPoint(t, ctx, 4)
	step(t, ctx, "draw mode", chromedp.Click(chromedp.ID("map-edit")),
		chromedp.SendKeys(chromedp.ID("map-draw-code"), "G410105001003"),
		chromedp.Click(chromedp.ID("map-draw")))
	for _, p := range [][2]float64{{0, 0}, {60, 0}, {60, 60}, {0, 0}} {
		step(t, ctx, "draw a corner", chromedp.MouseClickXY(xy[0]+p[0], xy[1]+p[1]))
	}
	step(t, ctx, "save the drawn boundary", chromedp.WaitEnabled(chromedp.ID("map-edit-save")),
		chromedp.Click(chromedp.ID("map-edit-save")),
		chromedp.WaitVisible(chromedp.CSS(`#map-status .ok`)))
	wantText(t, ctx, "#map-status", "红专路二网格")
	step(t, ctx, "the new grid is drawn", chromedp.WaitVisible(chromedp.CSS(`#map path.grid-shape`)))
	wantText(t, ctx, "#map", "红专路二网格")
	screenshot(t, ctx, "map-drawn")
	for _, e := range errs() {
		t.Errorf("browser console: %s", e)
	}
}

// count returns how many elements match css.
func count(t *testing.T, ctx context.Context, css string) int {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := chromedp.Run(sctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(css)+`).length`))
	if err != nil {
		t.Fatalf("count %s: %v", css, err)
	}
	return n
}

// layerToggle clicks the layer control's checkbox of the overlay named
// name, reporting whether there is one.
func layerToggle(name string) chromedp.Action[bool] {
	return chromedp.Evaluate[bool](`(function (name) {
		var labels = document.querySelectorAll(".leaflet-control-layers-overlays label");
		for (var i = 0; i < labels.length; i++) {
			if (labels[i].textContent.trim() === name) { labels[i].querySelector("input").click(); return true; }
		}
		return false;
	})(` + strconv.Quote(name) + `)`)
}

// westGridPoint returns the screen point 1/div of the way into the
// western grid polygon from its top left corner.
func westGridPoint(t *testing.T, ctx context.Context, div int) []float64 {
	t.Helper()
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function (div) {
		var best = null;
		document.querySelectorAll("#map path.grid-shape").forEach(function (p) {
			var r = p.getBoundingClientRect();
			if (!best || r.left < best.left) { best = r; }
		});
		return [best.left + best.width / div, best.top + best.height / div];
	})(`+strconv.Itoa(div)+`)`))
	if err != nil || len(xy) != 2 {
		t.Fatalf("grid position: %v %v", xy, err)
	}
	return xy
}

// TestBrowserCoverage opens a community's coverage page in Chromium: the
// map draws the community outline, its bounded grid and the gap in red.
func TestBrowserCoverage(t *testing.T) {
	browsertest.Require(t)
	f, geo := newGeoFixture(t, dbtest.Open(t, db.SQLite))
	sys := actor.With(context.Background(), actor.SystemActor("t"))
	if _, err := geo.SetUnitBoundary(sys, "410105001001", rect(113.68, 34.77, 0.02, 0.01), "test"); err != nil {
		t.Fatal(err)
	}
	ctx, errs := newBrowser(t)
	step(t, ctx, "log in", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin-410105"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.mainnav a[href="/map"]`)))
	step(t, ctx, "open the coverage list", chromedp.Navigate(f.srv.URL+"/map/coverage"),
		chromedp.Click(chromedp.CSS(`a[href="/map/coverage/410105001001"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#coverage-map path.coverage-problem`)))
	wantLocation(t, ctx, "/map/coverage/410105001001")
	if n := count(t, ctx, `#coverage-map path.coverage-problem`); n != 1 {
		t.Errorf("problem polygons: got %d, want 1 (the gap)", n)
	}
	if n := count(t, ctx, `#coverage-map path.coverage-grid`); n != 1 {
		t.Errorf("grids: got %d, want 1", n)
	}
	if n := count(t, ctx, `#coverage-map path.coverage-unit`); n != 1 {
		t.Errorf("community outline: got %d, want 1", n)
	}
	screenshot(t, ctx, "map-coverage")

	// Unit outline editing: pick the community's outline on the map (its
	// west edge) and save it through /map/units/{code}/boundary.
	step(t, ctx, "open the map", chromedp.Navigate(f.srv.URL+"/map"),
		chromedp.WaitVisible(chromedp.CSS(`#map path.grid-shape`)),
		chromedp.Click(chromedp.ID("map-edit")),
		chromedp.WaitVisible(chromedp.ID("map-unit-level")),
		chromedp.SetValue(chromedp.ID("map-unit-level"), "community"))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.getElementById("map-unit-level").dispatchEvent(new Event("change"))`)); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "community outlines", chromedp.WaitVisible(chromedp.CSS(`#map path.unit-shape`)))
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function () {
		var r = document.querySelector("#map path.unit-shape").getBoundingClientRect();
		return [r.left + 1, r.top + r.height / 2];
	})()`))
	if err != nil || len(xy) != 2 {
		t.Fatalf("outline position: %v %v", xy, err)
	}
	step(t, ctx, "pick the outline", chromedp.MouseClickXY(xy[0], xy[1]),
		chromedp.WaitEnabled(chromedp.ID("map-edit-save")),
		chromedp.Click(chromedp.ID("map-edit-save")),
		chromedp.WaitVisible(chromedp.CSS(`#map-status .ok`)))
	wantText(t, ctx, "#map-status", "红专路社区")
	for _, e := range errs() {
		t.Errorf("browser console: %s", e)
	}
}
