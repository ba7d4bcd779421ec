package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"gridgov/internal/org"
)

// Demo staff per street besides each community's grid leader.
const (
	deployedPerStreet = 2 // 下沉人员 from district departments
	massworkPerStreet = 3 // 群众工作队
)

// Common surnames, most frequent first (repeated ones weigh more), and
// characters of given names: the demo's people look like a Henan city's.
const (
	surnames   = "王王王李李李张张张刘刘陈陈杨杨赵赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
	givenChars = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玲志文辉鹏浩宇婷雪琳晨阳欣瑞凯鑫博然帆亮斌晶颖慧俊峰宁琦璐倩萍梅兰新海燕波丹飞振光立永春子嘉佳怡一诚泽轩涵梓"
)

// mobilePrefixes are mainland mobile prefixes for the generated numbers.
var mobilePrefixes = []string{"130", "131", "132", "135", "136", "137", "138", "139", "150", "151",
	"152", "155", "156", "158", "159", "166", "176", "177", "185", "186", "187", "188", "189", "199"}

// namer makes plausible names and fake mobile numbers, the same on every run.
type namer struct {
	r       *rand.Rand
	surname []rune
	given   []rune
}

func newNamer() *namer {
	return &namer{r: rand.New(rand.NewPCG(410100, 2026)), surname: []rune(surnames), given: []rune(givenChars)}
}

// Name returns a surname and a one- or two-character given name.
func (n *namer) Name() string {
	var b strings.Builder
	b.WriteRune(n.surname[n.r.IntN(len(n.surname))])
	b.WriteRune(n.given[n.r.IntN(len(n.given))])
	if n.r.IntN(10) < 6 {
		b.WriteRune(n.given[n.r.IntN(len(n.given))])
	}
	return b.String()
}

// Phone returns an 11-digit mobile number. It is fake: generated, not
// taken from any list of people.
func (n *namer) Phone() string {
	return fmt.Sprintf("%s%08d", mobilePrefixes[n.r.IntN(len(mobilePrefixes))], n.r.IntN(100_000_000))
}

// staff creates a grid leader (网格长) for each community, responsible for
// its grid, and per street some deployed staff (下沉人员) sharing the
// street's community grids and a mass-work team (群众工作队) on the street's grid.
func (s *seeder) staff(ctx context.Context) error {
	communities := map[string][]string{} // street code → its community grids
	for _, c := range s.set.Communities {
		communities[c.ParentCode] = append(communities[c.ParentCode], GridCode(c.Code))
		if err := s.createStaff(ctx, org.StaffInput{Name: s.names.Name(), Phone: s.names.Phone(), Position: "网格长",
			UnitCode: c.Code, Team: org.GridLeader, GridCodes: []string{GridCode(c.Code)}}); err != nil {
			return err
		}
	}
	districtName := map[string]string{}
	for _, d := range s.set.Districts {
		districtName[d.Code] = d.Name
	}
	for i, st := range s.set.Streets {
		grids := communities[st.Code]
		for k := range deployedPerStreet {
			dep := districtDepartments[(i+k)%len(districtDepartments)]
			if err := s.createStaff(ctx, org.StaffInput{Name: s.names.Name(), Phone: s.names.Phone(),
				Position: districtName[st.ParentCode] + dep.Name + "下沉干部", UnitCode: st.Code, Team: org.Deployed,
				GridCodes: share(grids, k, deployedPerStreet)}); err != nil {
				return err
			}
		}
		for k := range massworkPerStreet {
			position := "群众工作队队员"
			if k == 0 {
				position = "群众工作队队长"
			}
			if err := s.createStaff(ctx, org.StaffInput{Name: s.names.Name(), Phone: s.names.Phone(),
				Position: position, UnitCode: st.Code, Team: org.MassWork,
				GridCodes: []string{GridCode(st.Code)}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// share returns the k-th of n interleaved shares of grids.
func share(grids []string, k, n int) []string {
	var out []string
	for i := k; i < len(grids); i += n {
		out = append(out, grids[i])
	}
	return out
}

func (s *seeder) createStaff(ctx context.Context, in org.StaffInput) error {
	if _, err := s.deps.Org.CreateStaff(ctx, in); err != nil {
		return fmt.Errorf("staff %s of %s: %w", in.Name, in.UnitCode, err)
	}
	s.res.Staff[in.Team]++
	return nil
}
