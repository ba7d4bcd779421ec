package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestFormProblemsInChinese submits a house form with five problems on a
// Chinese page: each is shown beside its input at once, in Chinese words
// from the catalogue (none in English), also when one of them is a number
// the form could not read; the same form on an English page shows the
// English words.
func TestFormProblemsInChinese(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		f.withCodes(t)
		c := f.client(t)
		c.mustLogin("admin-410105")
		tok := c.csrf(c.get("/registry/houses/new"))
		form := url.Values{"csrf": {tok}, "address": {""}, "use": {"castle"}, "area": {"-5"},
			"lat": {"95"}, "lng": {"113.6"}, "source": {"rumour"}, "grid_code": {"G410105001001"}}
		bad := c.post("/registry/houses", form)
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		for id, want := range map[string]string{
			"h-address": "不能为空",
			"h-use":     "须为以下之一：residential, commercial, office, mixed, vacant",
			"h-area":    "须为正数",
			"h-lat":     "须为 -90 到 90 之间的数",
		} {
			wantFieldError(t, bad, id)
			wantBody(t, bad, `<span class="ferr" role="alert">`+want+`</span>`)
		}
		wantBody(t, bad, "须为以下之一：base, shared, own")
		wantNoBody(t, bad, ">required<", "must be")

		// A number the form cannot read and the service's own problems are
		// shown together, not one round at a time.
		form.Set("area", "abc")
		unread := c.post("/registry/houses", form)
		wantStatus(t, unread, http.StatusUnprocessableEntity)
		wantBody(t, unread, `<span class="ferr" role="alert">须为数字</span>`, `<span class="ferr" role="alert">不能为空</span>`,
			`<span class="ferr" role="alert">须为 -90 到 90 之间的数</span>`)

		form.Set("area", "-5")
		c.get("/lang?l=en&next=/registry/houses/new")
		en := c.post("/registry/houses", form)
		wantStatus(t, en, http.StatusUnprocessableEntity)
		wantBody(t, en, ">required<", ">must be a number between -90 and 90<", ">must be positive<")
		if strings.Contains(en.body, "不能为空") {
			t.Errorf("English page shows a Chinese problem")
		}
	})
}
