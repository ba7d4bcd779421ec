package registry_test

import (
	"testing"

	"gridgov/internal/registry"
)

func TestMaskForList(t *testing.T) {
	p := registry.Person{BirthDate: "1990-03-07", Address: "文化路97号院5号楼2单元302室", HukouAddress: "金水区经三路15号401室",
		IDNumber: "410***********123X"}
	p.MaskForList()
	if p.BirthDate != "1990-**-**" || p.Address != "文化路97号院5号楼…" || p.HukouAddress != "金水区经三路15号…" ||
		p.IDNumber != "410***********123X" {
		t.Fatalf("got %+v", p)
	}
}
