package registry_test

import (
	"testing"

	"gridgov/internal/registry"
)

func TestMaskAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"郑州市金水区文化路97号院5号楼2单元302室", "郑州市金水区文化路97号院5号楼…"},
		{"金水区花园路8号3栋1单元501", "金水区花园路8号3栋…"},
		{"中原区建设路11号院2幢3层", "中原区建设路11号院2幢…"},
		{"郑东新区农业东路22号A座1801", "郑东新区农业东路22号A座…"},
		{"二七区大学路80号院6号楼一单元12楼西户", "二七区大学路80号院6号楼…"},
		{"管城区紫荆山路45号院3号楼", "管城区紫荆山路45号院3号楼"},
		{"经八路1号院张三", "经八路1号院张三"},
		{"惠济区天河路6号2单元401室", "惠济区天河路6号…"},
		{"中原区桐柏路127号院12号楼3单元5层502", "中原区桐柏路127号院12号楼…"},
		{"金水区经三路15号401室", "金水区经三路15号…"},
		{"高新区科学大道100号", "高新区科学大道100号"},
		{"河南省郑州市中原区", "河南省郑州市中原区"},
		{"", ""},
		{"  文化路97号院5号楼2单元302室  ", "文化路97号院5号楼…"},
		{"登封市大金店镇王村3组", "登封市大金店镇王村3组"},
		{"上街区中心路1号院18号楼-1-302", "上街区中心路1号院18号楼…"},
	} {
		if got := registry.MaskAddress(c.in); got != c.want {
			t.Errorf("MaskAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMaskBirthDate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1985-11-22", "1985-**-**"},
		{"2000-01-01", "2000-**-**"},
		{"", ""},
		{"bad", "****-**-**"},
	} {
		if got := registry.MaskBirthDate(c.in); got != c.want {
			t.Errorf("MaskBirthDate(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMaskForList(t *testing.T) {
	p := registry.Person{BirthDate: "1990-03-07", Address: "文化路97号院5号楼2单元302室", HukouAddress: "金水区经三路15号401室",
		IDNumber: "410***********123X"}
	p.MaskForList()
	if p.BirthDate != "1990-**-**" || p.Address != "文化路97号院5号楼…" || p.HukouAddress != "金水区经三路15号…" ||
		p.IDNumber != "410***********123X" {
		t.Fatalf("got %+v", p)
	}
}
