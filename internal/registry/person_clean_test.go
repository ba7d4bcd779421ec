package registry

import (
	"bytes"
	"gridgov/internal/apperr"
	"gridgov/internal/seal"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func testSealer(t testing.TB) *seal.Sealer {
	t.Helper()
	s, err := seal.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCleanPerson(t *testing.T) {
	in := PersonInput{IDNumber: " 41010519900307123x ", Name: " 张三 ", Phone: "13812345678"}
	if err := CleanPerson(&in, testNow); err != nil {
		t.Fatal(err)
	}
	if in.Gender != "1" || in.BirthDate != "1990-03-07" || in.Name != "张三" || in.IDNumber != "41010519900307123X" {
		t.Fatalf("%+v", in)
	}
	bad := PersonInput{IDNumber: "410105199003071231", Name: "", Phone: "123", Gender: "2", Source: "x"}
	err := CleanPerson(&bad, testNow)
	if err == nil {
		t.Fatal("bad input accepted")
	}
	for _, f := range []string{"id_number", "name", "phone", "source"} {
		if !strings.Contains(err.Error(), "") || !hasField(err, f) {
			t.Errorf("no problem named for %s: %v", f, err)
		}
	}
	sealed, err := SealPerson(testSealer(t), in)
	if err != nil || sealed.IDMask != "410***********123X" || sealed.PhoneMask != "138****5678" || sealed.IDBidx == nil {
		t.Fatalf("%+v %v", sealed, err)
	}
}

func hasField(err error, f string) bool {
	e := apperr.As(err)
	return e != nil && e.Fields[f] != ""
}
