package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/org"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
)

// The people the registry tests use: valid GB 11643 numbers (born 7 March
// 1990 and 1 May 1985) and mobile phones.
var (
	regIDZhang    = seal.MakeIDNumber("41010519900307123")
	regIDLi       = seal.MakeIDNumber("41010219850501234")
	regPhoneZhang = "13812345678"
)

// registryFixture is the console fixture with the registry: a grid in
// 红专路社区 (G410105001001) and one in 林山寨街道's area is not needed;
// beside "admin" (city, every permission) and "admin-410105", a read-only
// "viewer-410105" (the built-in viewer role: registry.read, no unmasking)
// and "zy", administrator of 中原区.
type registryFixture struct {
	*fixture
	reg    *registry.Service
	places *places.Service
	groups *groups.Service
}

// newRegistryFixture builds the registry console on d (the app's fixed
// test key seals the personal identifiers); configure changes the
// configuration first (access limits, the export threshold).
func newRegistryFixture(t testing.TB, d *db.DB, configure ...func(*config.Config)) *registryFixture {
	t.Helper()
	f := newFixture(t, d, configure...)
	f.clock.Set(time.Date(2026, 11, 26, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	if _, err := f.org.CreateGrid(sys, org.GridInput{Code: "G410105001001", Name: "红专路一网格", Level: 3,
		UnitCode: "410105001001"}); err != nil {
		t.Fatalf("grid: %v", err)
	}
	f.createUser(t, "zy", "410102")
	if _, err := f.auth.CreateUser(sys, auth.UserInput{Username: "viewer-410105", DisplayName: "viewer", Password: testPassword,
		UnitCode: "410105", Grants: []auth.GrantInput{{Role: "viewer", ScopeCode: "410105"}}}); err != nil {
		t.Fatalf("viewer: %v", err)
	}
	return &registryFixture{fixture: f, reg: f.app.Registry, places: f.app.Places, groups: f.app.Groups}
}

// peopleXLSX builds a small import file: three valid rows (two with the
// grid, one awaiting a grid) and one row with a bad check digit.
func peopleXLSX(t testing.TB) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sheet := x.GetSheetName(0)
	bad := regIDLi[:17] + string("0123456789X"[(indexOf("0123456789X", regIDLi[17])+1)%11])
	rows := [][]any{
		{"id_number", "name", "gender", "birth_date", "phone", "address", "grid_code"},
		{regIDZhang, "张三", "1", "1990-03-07", regPhoneZhang, "红专路 1 号", "G410105001001"},
		{seal.MakeIDNumber("41010519921111002"), "王芳", "2", "1992-11-11", "13900001111", "红专路 2 号", "G410105001001"},
		{seal.MakeIDNumber("41010519800202003"), "赵六", "", "", "", "纬五路 3 号", ""},
		{bad, "坏行", "", "", "12345", "某处", "G410105001001"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func indexOf(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// postFile sends a multipart form with one file in field "file".
func (c *client) postFile(path string, form url.Values, name string, content []byte) page {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.base+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}
