package web

import (
	"fmt"
	"io/fs"
	"net/http/httptest"
	"regexp"
	"testing"

	"gridgov/internal/apptest"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// TestCatalogue checks that every message a page can ask for exists in both
// languages: the keys written in templates and code, and the keys built
// from levels, kinds, teams and permissions.
func TestCatalogue(t *testing.T) {
	cat, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	keyRe := regexp.MustCompile(`T "([a-z_.0-9]+)"`)
	err = fs.WalkDir(content, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content, path)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range org.Levels {
		keys = append(keys, "level."+string(l))
	}
	for _, l := range org.Levels[1:] {
		keys = append(keys, "count."+string(l))
	}
	for _, k := range []org.Kind{org.Territory, org.Department, org.Office} {
		keys = append(keys, "kind."+string(k), "kind.child."+string(k))
	}
	for _, tm := range []org.Team{org.Deployed, org.MassWork, org.GridLeader} {
		keys = append(keys, "team."+string(tm))
	}
	for _, p := range rbac.All {
		keys = append(keys, "perm."+p)
	}
	for i := 1; i <= 3; i++ {
		keys = append(keys, fmt.Sprintf("grid.level%d", i))
	}
	for _, tab := range []string{"children", "departments", "offices", "grids", "staff", "users", "search"} {
		keys = append(keys, "tab."+tab)
	}
	for _, code := range []string{"invalid", "bad_request", "conflict", "locked", "too_many_requests"} {
		keys = append(keys, "err."+code)
	}
	for _, l := range languages {
		for _, k := range keys {
			if _, ok := cat[l][k]; !ok {
				t.Errorf("%s: no message for %q", l, k)
			}
		}
	}
}

func TestLocalPath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/org/410105?tab=grids", "/org/410105?tab=grids"},
		{"", "/"},
		{"org", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"/ok\r\nSet-Cookie: x=1", "/"},
	}
	for _, tc := range cases {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	h := New(apptest.New(t, dbtest.Open(t, db.SQLite), apptest.Options{}))
	cases := []struct {
		path    string
		status  int
		minSize int
	}{
		{"/static/css/app.css", 200, 1000},
		{"/static/vendor/htmx/htmx.min.js", 200, 10000},
		{"/favicon.ico", 200, 100},
		{"/static/vendor/", 404, 0},
		{"/static/", 404, 0},
		{"/static/nope.js", 404, 0},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.status || rec.Body.Len() < tc.minSize {
			t.Errorf("GET %s: got %d with %d bytes, want %d with at least %d", tc.path, rec.Code, rec.Body.Len(), tc.status, tc.minSize)
		}
	}
}
