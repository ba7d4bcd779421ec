package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
)

// upload posts a people file as multipart/form-data.
func (p *peopleAPI) upload(t *testing.T, token, unit, name, content string) response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("unit_code", unit)
	_ = mw.WriteField("source", "base")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", p.srv.URL+Prefix+"/people/import", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := p.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: body.Bytes()}
}

func TestPeopleImportExportAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		p := newPeopleAPI(t, d)
		p.tok["admin-410105"] = p.login("admin-410105")
		good := seal.MakeIDNumber("41010519900307123")
		file := "身份证号,姓名,联系电话,网格编码\n" + good + ",导入一,13812345678,G410105001001\n" +
			"410105199003071231,坏号码,13812345679,G410105001001\n" + seal.MakeIDNumber("41010519900307124") + ",待分配,,\n"
		res := p.upload(t, p.tok["admin-410105"], "410105", "p.csv", file)
		if res.status != http.StatusCreated {
			t.Fatalf("import: %d %s", res.status, res.body)
		}
		var job transfer.ImportJob
		res.json(t, &job)
		if job.Inserted != 2 || job.Failed != 1 || job.Failures[0].Line != 3 {
			t.Fatalf("job %+v", job)
		}
		if res := p.upload(t, p.tok["viewer"], "410105", "p.csv", file); res.status != http.StatusForbidden {
			t.Fatalf("viewer import: %d", res.status)
		}
		if res := p.upload(t, p.tok["admin-410102"], "410105", "p.csv", file); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("import into another district: %d %s", res.status, res.body)
		}
		if res := p.do("GET", Prefix+"/imports/"+itoa(job.ID), p.tok["admin-410102"], nil); res.status != http.StatusNotFound {
			t.Fatalf("job of another district: %d", res.status)
		}
		res = p.do("GET", Prefix+"/imports", p.tok["admin-410105"], nil)
		if res.status != 200 || !strings.Contains(string(res.body), `"total":1`) {
			t.Fatalf("jobs: %d %s", res.status, res.body)
		}
		res = p.do("GET", Prefix+"/imports/"+itoa(job.ID)+"/failures?format=csv", p.tok["admin-410105"], nil)
		if res.status != 200 || !strings.Contains(string(res.body), "错误原因") || !strings.Contains(string(res.body), "坏号码") {
			t.Fatalf("failures: %d %s", res.status, res.body)
		}
		res = p.do("GET", Prefix+"/people/export?format=csv&unit_code=410105", p.tok["admin-410105"], nil)
		if res.status != 200 || strings.Contains(string(res.body), good) || !strings.Contains(string(res.body), seal.MaskID(good)) ||
			strings.Contains(string(res.body), "13812345678") || !strings.Contains(res.header.Get("Content-Disposition"), "people_admin-410105_") ||
			!strings.Contains(res.header.Get("Content-Disposition"), ".csv") {
			t.Fatalf("export: %d %s", res.status, res.body)
		}
		res = p.do("GET", Prefix+"/people/export?format=xlsx", p.tok["admin-410105"], nil)
		if res.status != 200 || !bytes.HasPrefix(res.body, []byte("PK")) {
			t.Fatalf("xlsx export: %d", res.status)
		}
		if res := p.do("GET", Prefix+"/people/export?format=pdf", p.tok["admin-410105"], nil); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad format: %d", res.status)
		}
		res = p.do("GET", Prefix+"/people/template?format=csv", p.tok["viewer"], nil)
		if res.status != 200 || !strings.Contains(string(res.body), "身份证号(id_number)") {
			t.Fatalf("template: %d %s", res.status, res.body)
		}
		res = p.do("GET", Prefix+"/people?id_number="+good, p.tok["admin-410105"], nil)
		if res.status != 200 || !strings.Contains(string(res.body), "导入一") {
			t.Fatalf("find imported: %d %s", res.status, res.body)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
