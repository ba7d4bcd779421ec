package seed

import (
	"context"
	"fmt"

	"gridgov/internal/org"
)

// department is a typical government department of the demo, with its
// offices (科室). Key makes its code: 410100-cgj, 410105-cgj.
type department struct {
	Key     string
	Name    string
	Offices []string
}

// cityDepartments are the 市直部门 of the demo city, the ones a grid
// platform's cases are most often assigned to.
var cityDepartments = []department{
	{"cgj", "城市管理局", []string{"办公室", "市容环境卫生管理科"}},
	{"gaj", "公安局", []string{"指挥中心", "治安管理支队"}},
	{"zjj", "住房和城乡建设局", []string{"物业管理科", "建筑市场监管科"}},
	{"sthjj", "生态环境局", []string{"大气环境管理科", "生态环境保护综合行政执法支队"}},
	{"scjgj", "市场监督管理局", []string{"食品经营安全监督管理科", "消费者权益保护科"}},
	{"yjglj", "应急管理局", []string{"应急指挥中心", "安全生产综合协调科"}},
	{"mzj", "民政局", []string{"基层政权建设和社区治理科", "社会救助科"}},
	{"xfj", "信访局", []string{"来访接待科", "网上信访办理科"}},
	{"wjw", "卫生健康委员会", []string{"疾病预防控制科", "基层卫生健康科"}},
	{"jtj", "交通运输局", []string{"道路运输管理科", "公路管理科"}},
	{"slj", "水利局", []string{"河湖管理科", "水旱灾害防御科"}},
	{"ylj", "园林局", []string{"绿化管理科", "公园管理科"}},
	{"sfj", "司法局", []string{"人民参与和促进法治科"}},
	{"jyj", "教育局", []string{"安全稳定工作科"}},
}

// districtDepartments are the 县区直部门 each district gets, named after it
// (金水区城市管理局).
var districtDepartments = []department{
	{"cgj", "城市管理局", []string{"市容环卫股"}},
	{"zjj", "住房和城乡建设局", nil},
	{"scjgj", "市场监督管理局", nil},
	{"yjglj", "应急管理局", nil},
	{"mzj", "民政局", nil},
}

// departments creates the city's departments and those of each district,
// each with its offices.
func (s *seeder) departments(ctx context.Context) error {
	city := s.set.City
	if err := s.createDepartments(ctx, city.Code, "", org.City, cityDepartments); err != nil {
		return err
	}
	for _, d := range s.set.Districts {
		if err := s.createDepartments(ctx, d.Code, d.Name, org.District, districtDepartments); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) createDepartments(ctx context.Context, parent, prefix string, level org.Level, deps []department) error {
	for i, d := range deps {
		code := parent + "-" + d.Key
		_, err := s.deps.Org.CreateUnit(ctx, org.UnitInput{
			Code: code, Name: prefix + d.Name, Level: level, Kind: org.Department, ParentCode: parent, Sort: i + 1,
		})
		if err != nil {
			return fmt.Errorf("department %s: %w", code, err)
		}
		s.res.Departments++
		for j, name := range d.Offices {
			office := fmt.Sprintf("%s-%02d", code, j+1)
			_, err := s.deps.Org.CreateUnit(ctx, org.UnitInput{
				Code: office, Name: name, Level: level, Kind: org.Office, ParentCode: code, Sort: j + 1,
			})
			if err != nil {
				return fmt.Errorf("office %s: %w", office, err)
			}
			s.res.Offices++
		}
	}
	return nil
}
