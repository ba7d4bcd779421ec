package seal

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// The registry's field names, as the registry seals its identifiers.
const (
	IdxID    = "id"
	IdxPhone = "phone"
)

func testSealer(t testing.TB) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpenIndex(t *testing.T) {
	s := testSealer(t)
	a, err := s.Seal(IdxID, "41010519900307123X")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Seal(IdxID, "41010519900307123X")
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	if bytes.Contains(a, []byte("19900307")) {
		t.Fatal("ciphertext holds the plain text")
	}
	if p, err := s.Open(IdxID, a); err != nil || p != "41010519900307123X" {
		t.Fatalf("open: %q %v", p, err)
	}
	a[len(a)-1] ^= 1
	if _, err := s.Open(IdxID, a); err == nil {
		t.Fatal("a tampered value opened")
	}
	other, _ := NewSealer(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(IdxID, b); err == nil {
		t.Fatal("opened with another key")
	}
	if !bytes.Equal(s.Index(IdxID, "x"), s.Index(IdxID, "x")) || bytes.Equal(s.Index(IdxID, "x"), s.Index(IdxPhone, "x")) ||
		bytes.Equal(s.Index(IdxID, "x"), other.Index(IdxID, "x")) {
		t.Fatal("blind index must be deterministic, per field and per key")
	}
	if v, _ := s.Seal(IdxID, ""); v != nil || s.Index(IdxID, "") != nil {
		t.Fatal("empty values must stay NULL")
	}
}

func TestParseIDCard(t *testing.T) {
	id, err := ParseIDCard("11010519491231002x", testNow)
	if err != nil || id.Number != "11010519491231002X" || id.Gender != "2" || id.BirthDate != "1949-12-31" {
		t.Fatalf("%+v %v", id, err)
	}
	for s, want := range map[string]string{
		"110105194912310021":              "check digit",
		"11010519491231002":               "18 characters",
		"1101051949123100AX":              "digit",
		MakeIDNumber("99010519491231002"): "province",
		MakeIDNumber("41010520310101123"): "birth date",
		MakeIDNumber("41010519990230123"): "birth date",
	} {
		if _, err := ParseIDCard(s, testNow); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error about %s", s, err, want)
		}
	}
	if n := MakeIDNumber("41010519900307123"); n != "41010519900307123X" {
		t.Fatalf("made %s", n)
	}
}

func TestPhoneAndMasks(t *testing.T) {
	for in, want := range map[string]string{"138 1234 5678": "13812345678", "+86 138-1234-5678": "13812345678",
		"0371-6788 1234": "037167881234"} {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"12812345678", "1381234567", "abc", "110"} {
		if _, err := NormalizePhone(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if m := MaskID("41010519900307123X"); m != "410***********123X" {
		t.Fatalf("mask id %s", m)
	}
	if m := MaskPhone("13812345678"); m != "138****5678" {
		t.Fatalf("mask phone %s", m)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(KeyEnv, "")
	os.Unsetenv(KeyEnv)
	k1, err := LoadKey(dir)
	if err != nil || len(k1) != 32 {
		t.Fatalf("%x %v", k1, err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if k2, err := LoadKey(dir); err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("a second load gave another key")
	}
	t.Setenv(KeyEnv, "nothex")
	if _, err := LoadKey(dir); err == nil {
		t.Fatal("a bad key in the environment accepted")
	}
}

// sealV1 seals as version 1 did: no field in the additional data.
func sealV1(t *testing.T, s *Sealer, plain string) []byte {
	t.Helper()
	n := s.aead.NonceSize()
	out := make([]byte, 1+n)
	out[0] = sealVersionV1
	if _, err := rand.Read(out[1:]); err != nil {
		t.Fatal(err)
	}
	return s.aead.Seal(out, out[1:1+n], []byte(plain), []byte{sealVersionV1})
}

func TestSealBoundToField(t *testing.T) {
	s := testSealer(t)
	id, err := s.Seal(IdxID, "41010519900307123X")
	if err != nil {
		t.Fatal(err)
	}
	if id[0] != 2 {
		t.Fatalf("new value has version %d, want 2", id[0])
	}
	if _, err := s.Open(IdxPhone, id); err == nil {
		t.Fatal("an ID-card ciphertext opened as a phone")
	}
	if got, err := s.Open(IdxID, id); err != nil || got != "41010519900307123X" {
		t.Fatalf("open as its field: %q %v", got, err)
	}
	if _, err := s.Seal("", "x"); err == nil {
		t.Fatal("sealed without a field")
	}
	// Version-1 values (data dirs from before the binding) still open, for
	// whatever field they are read as.
	old := sealV1(t, s, "13812345678")
	for _, f := range []string{IdxPhone, IdxID} {
		if got, err := s.Open(f, old); err != nil || got != "13812345678" {
			t.Fatalf("v1 value read as %s: %q %v", f, got, err)
		}
	}
	old[len(old)-1] ^= 1
	if _, err := s.Open(IdxPhone, old); err == nil {
		t.Fatal("a tampered v1 value opened")
	}
	bad := append([]byte{3}, id[1:]...)
	if _, err := s.Open(IdxID, bad); err == nil {
		t.Fatal("an unknown version opened")
	}
}
