package open311_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
)

// simple is an element as Perl's XML::Simple XMLin (default options, as
// FixMyStreet's perllib/Open311.pm calls it) presents it: text only → a
// scalar; empty → an empty hash (a "ref", which the client skips); with
// children → a hash whose values are one element or, when repeated, an
// array of them. The root element is dropped.
type simple struct {
	text string
	kids map[string][]*simple
}

// scalar is the element's value as Perl would see a plain string; ok is
// false when XMLin would give a reference (an empty or nested element).
func (s *simple) scalar() (string, bool) {
	if s == nil || len(s.kids) > 0 || s.text == "" {
		return "", false
	}
	return s.text, true
}

func xmlin(t *testing.T, b []byte) *simple {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*simple
	var root *simple
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("XMLin: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			n := &simple{kids: map[string][]*simple{}}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids[el.Name.Local] = append(p.kids[el.Name.Local], n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.text = strings.TrimSpace(n.text)
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(el)
			}
		}
	}
	return root
}

// w3cdtf accepts what DateTime::Format::W3CDTF parses with a zone.
func w3cdtf(s string) bool {
	_, err := time.Parse("2006-01-02T15:04:05Z07:00", s)
	return err == nil
}

// fmsStatuses are the states FixMyStreet's update fetcher maps.
var fmsStatuses = []string{"open", "investigating", "action_scheduled", "in_progress", "fixed", "closed",
	"duplicate", "not_councils_responsibility", "no_further_action", "internal_referral"}

// TestFixMyStreetClientShapes reads the answers the way FixMyStreet's
// Open311 client (perllib/Open311.pm) does: get_service_list reads
// $obj->{service}[…]{service_code, service_name, group}; send_service_request
// reads $obj->{request}->{service_request_id} (one request, so a hash),
// falling back to ->{token} and tokens/$t.xml; get_service_requests reads
// $obj->{request}; get_service_request_updates reads
// $obj->{request_update} (array, or one hash) and skips updates whose
// updated_datetime is a ref; _process_error reads $obj->{error}{code,
// description}. Dates go through DateTime::Format::W3CDTF. The client POSTs
// jurisdiction_id, api_key, lat, long, email, description, service_code,
// first_name, last_name (possibly empty), phone and media_url.
func TestFixMyStreetClientShapes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// get_service_list
		obj := xmlin(t, f.get(t, "services.xml?jurisdiction_id=").body)
		svcs := obj.kids["service"]
		if len(svcs) < 2 {
			t.Fatalf("services: %d", len(svcs))
		}
		for _, s := range svcs {
			for _, k := range []string{"service_code", "service_name", "group", "metadata", "type"} {
				if _, ok := s.kids[k][0].scalar(); !ok {
					t.Fatalf("service field %s is not a scalar", k)
				}
			}
			if m, _ := s.kids["metadata"][0].scalar(); m != "false" {
				t.Fatalf("metadata %q", m)
			}
		}
		// send_service_request, with FMS's fields (last_name empty).
		form := f.report("title:  垃圾\n\ndetail: 路边有暴露垃圾\n\nurl: https://fms.example/report/1\n\nSubmitted via FixMyStreet")
		form.Set("first_name", "张三")
		form.Set("last_name", "")
		a := f.do(t, "POST", "requests.xml", form, nil)
		if a.status/100 != 2 {
			t.Fatalf("is_success fails: %d", a.status)
		}
		obj = xmlin(t, a.body)
		reqs := obj.kids["request"]
		if len(reqs) != 1 {
			t.Fatalf("$obj->{request} is not one hash: %s", a.body)
		}
		id, ok := reqs[0].kids["service_request_id"][0].scalar()
		if !ok {
			t.Fatalf("no service_request_id: %s", a.body)
		}
		if _, has := reqs[0].kids["token"]; has {
			t.Fatalf("both id and token: %s", a.body)
		}
		// get_service_requests with report ids.
		obj = xmlin(t, f.get(t, "requests.xml?jurisdiction_id=&service_request_id="+id).body)
		if r := obj.kids["request"]; len(r) != 1 {
			t.Fatalf("requests by id: %d", len(r))
		} else if st, _ := r[0].kids["status"][0].scalar(); st != "open" {
			t.Fatalf("status %q", st)
		} else if dt, _ := r[0].kids["requested_datetime"][0].scalar(); !w3cdtf(dt) {
			t.Fatalf("requested_datetime %q", dt)
		}
		// get_service_request_id_from_token
		q, err := f.cit.ByRequestID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		obj = xmlin(t, f.get(t, "tokens/"+q.Token+".xml").body)
		if got, _ := obj.kids["request"][0].kids["service_request_id"][0].scalar(); got != id {
			t.Fatalf("token → %q", got)
		}
		// get_service_request_updates after a rejection with a reason.
		platform := orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseDispatch)
		if _, err := f.cs.Reject(platform, q.CaseID, cases.Transition{Note: "重复上报"}); err != nil {
			t.Fatal(err)
		}
		obj = xmlin(t, f.get(t, "servicerequestupdates.xml?start_date=2026-03-02T08:00:00%2B08:00&end_date=2026-03-02T10:00:00%2B08:00").body)
		ups := obj.kids["request_update"]
		if len(ups) != 2 {
			t.Fatalf("updates: %d", len(ups))
		}
		for _, u := range ups {
			dt, ok := u.kids["updated_datetime"][0].scalar()
			if !ok || !w3cdtf(dt) {
				t.Fatalf("updated_datetime %q would be skipped", dt)
			}
			st, _ := u.kids["status"][0].scalar()
			if !slices.Contains(fmsStatuses, st) {
				t.Fatalf("status %q unknown to FMS", st)
			}
			for _, k := range []string{"update_id", "service_request_id", "description"} {
				if _, ok := u.kids[k][0].scalar(); !ok {
					t.Fatalf("update field %s empty", k)
				}
			}
		}
		// _process_error
		form.Set("api_key", "wrong")
		a = f.do(t, "POST", "requests.xml", form, nil)
		if a.status != http.StatusForbidden {
			t.Fatalf("status %d", a.status)
		}
		obj = xmlin(t, a.body)
		if c, _ := obj.kids["error"][0].kids["code"][0].scalar(); c != "403" {
			t.Fatalf("error code %q", c)
		}
		if _, ok := obj.kids["error"][0].kids["description"][0].scalar(); !ok {
			t.Fatal("error without description")
		}
	})
}
