package places_test

import (
	"testing"

	"gridgov/internal/registry/places"
)

// Published codes of real enterprises, whose check characters (both the
// organisation code's and the USCC's) were computed and agree.
var realUSCCs = []string{
	"9144030071526726XG", // 深圳市腾讯计算机系统有限公司
	"91330100716105852F", // 阿里巴巴(中国)网络技术有限公司
	"914403001922038216", // 华为技术有限公司
	"91110000100006485K", // 中国石油天然气股份有限公司
	"91110108551385082Q", // 北京小米科技有限责任公司
}

func TestCheckUSCC(t *testing.T) {
	for _, c := range realUSCCs {
		if err := places.CheckUSCC(c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
		if got := places.MakeUSCC(c[:17]); got != c {
			t.Errorf("MakeUSCC(%s) = %s", c[:17], got)
		}
	}
	bad := map[string]string{
		"9144030071526726XH":  "wrong check character",
		"9144030071526726X":   "17 characters",
		"9144030071526726XGA": "19 characters",
		"9I44030071526726XG":  "I is not in the set",
		"914403O071526726XG":  "O is not in the set",
		"Z144030071526726XG":  "Z is not an authority",
		"91A4030071526726XG":  "division code not digits",
		// The organisation code 71526726 has check X; 5 breaks it even
		// with a recomputed USCC check character.
		places.MakeUSCC("91440300715267265"): "organisation code check",
	}
	for c, why := range bad {
		if err := places.CheckUSCC(c); err == nil {
			t.Errorf("%s (%s) accepted", c, why)
		}
	}
}

func TestObjectCode(t *testing.T) {
	d, maj, min, seq, err := places.ObjectCodeParts("4101050105000123")
	if err != nil || d != "410105" || maj != "01" || min != "05" || seq != "000123" {
		t.Fatalf("parts: %s %s %s %s %v", d, maj, min, seq, err)
	}
	for _, c := range []string{"", "410105010500012", "41010501050001234", "41010501050001a3"} {
		if _, _, _, _, err := places.ObjectCodeParts(c); err == nil {
			t.Errorf("%q accepted", c)
		}
	}
	for code, want := range map[string]string{"C010105": "0105", "C020101": "0201", "C060101": "0601"} {
		if got, ok := places.CatalogueCategory(code); !ok || got != want {
			t.Errorf("CatalogueCategory(%s) = %s %v, want %s", code, got, ok, want)
		}
	}
	for _, code := range []string{"E010101", "0105", "C0101", ""} {
		if _, ok := places.CatalogueCategory(code); ok {
			t.Errorf("%s taken for a catalogue component code", code)
		}
	}
}
