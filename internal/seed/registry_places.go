package seed

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
)

// demoComponent is a component category of the case catalogue.
type demoComponent struct{ category, name string }

// componentKinds are the demo's components (case-catalogue codes).
var componentKinds = []demoComponent{{"C010101", "上水井盖"}, {"C010103", "雨水井盖"}, {"C010105", "路灯"},
	{"C010106", "消防栓"}, {"C020102", "公交站亭"}, {"C030101", "垃圾箱"}, {"C040101", "行道树"}, {"C060101", "监控电子眼"}}

// Words of the demo's organisation names.
var (
	firmWords  = []string{"鑫源", "华泰", "中原", "金盛", "恒达", "瑞丰", "豫丰", "宏图", "兴业", "博远", "嘉和", "天成", "正弘", "绿城"}
	firmKinds  = []string{"商贸有限公司", "科技有限公司", "物业服务有限公司", "餐饮管理有限公司", "建材有限公司", "文化传媒有限公司"}
	shopKinds  = []string{"烩面馆", "便利店", "超市", "理发店", "水果店", "五金店", "药店"}
	industries = map[string]string{"商贸有限公司": "批发和零售业", "科技有限公司": "信息传输、软件和信息技术服务业",
		"物业服务有限公司": "房地产业", "餐饮管理有限公司": "住宿和餐饮业", "建材有限公司": "批发和零售业", "文化传媒有限公司": "文化、体育和娱乐业",
		"烩面馆": "住宿和餐饮业", "便利店": "批发和零售业", "超市": "批发和零售业", "理发店": "居民服务、修理和其他服务业",
		"水果店": "批发和零售业", "五金店": "批发和零售业", "药店": "批发和零售业"}
)

// basePlaces creates a community's houses with their occupants and
// households, two organisations, two components and its roster entries.
func (s *seeder) basePlaces(ctx context.Context, c *demoCommunity) error {
	for _, h := range c.households {
		if err := s.house(ctx, c, h); err != nil {
			return err
		}
		if err := s.household(ctx, h); err != nil {
			return err
		}
	}
	for k := range 2 {
		if err := s.organisation(ctx, c, k); err != nil {
			return err
		}
	}
	for range 2 {
		if err := s.component(ctx, c); err != nil {
			return err
		}
	}
	return s.rosters(ctx, c)
}

// house creates the household's room and its occupants: the owner of an
// owner-occupied room, or every tenant of a rented one (出租房屋 register
// each tenant).
func (s *seeder) house(ctx context.Context, c *demoCommunity, h *demoHousehold) error {
	r := s.base
	area := float64(45+r.IntN(100)) + float64(r.IntN(10))/10
	in := places.HouseInput{Code: "H" + h.number, Address: h.address, Building: h.building, Entrance: h.entrance,
		Room: h.room, Use: "residential", Rented: h.rented, Area: &area, Lat: ptr(h.lat), Lng: ptr(h.lng),
		GridCode: h.grid, UnitCode: h.unit, Source: registry.SourceBase}
	if c.area == nil {
		in.Lat, in.Lng = nil, nil // a district without an outline
	}
	if !h.rented {
		in.OwnerID = &h.members[0].id
	}
	house, err := s.deps.Places.CreateHouse(ctx, in)
	if err != nil {
		return fmt.Errorf("house %s: %w", h.number, err)
	}
	h.houseID = house.ID
	s.res.Base.Houses++
	if h.rented {
		s.res.Base.Rented++
	}
	started := s.now.AddDate(-1-r.IntN(15), 0, -r.IntN(365)).Format("2006-01-02")
	if h.rented {
		started = s.now.AddDate(0, -1-r.IntN(30), 0).Format("2006-01-02")
	}
	occupants, role := h.members, "tenant"
	if !h.rented {
		occupants, role = h.members[:1], "owner"
	}
	for _, p := range occupants {
		if _, err := s.deps.Places.AddOccupant(ctx, house.ID, places.OccupantInput{PersonID: p.id, Role: role,
			StartedOn: started}); err != nil {
			return fmt.Errorf("occupant of %s: %w", h.number, err)
		}
		s.res.Base.Occupants++
	}
	return nil
}

// household creates the household (户) and sets its members' relations.
func (s *seeder) household(ctx context.Context, h *demoHousehold) error {
	hh, err := s.deps.Registry.CreateHousehold(ctx, registry.HouseholdInput{Number: h.number, Kind: "family",
		Address: h.address, GridCode: h.grid, UnitCode: h.unit, HouseID: &h.houseID, Source: registry.SourceBase})
	if err != nil {
		return fmt.Errorf("household %s: %w", h.number, err)
	}
	s.res.Base.Households++
	for _, p := range h.members {
		if _, err := s.deps.Registry.SetHouseholdMember(ctx, hh.ID, p.id, p.relation); err != nil {
			return fmt.Errorf("member of household %s: %w", h.number, err)
		}
	}
	return nil
}

// organisation creates the k-th organisation of a community: a company,
// a shop (个体工商户), a social organisation or a community health station.
func (s *seeder) organisation(ctx context.Context, c *demoCommunity, k int) error {
	r := s.base
	kind := []string{"enterprise", "non_public", "social", "legal_entity"}[(r.IntN(2)+2*k)%4]
	var name, industry, prefix string
	switch kind {
	case "enterprise":
		fk := firmKinds[r.IntN(len(firmKinds))]
		name, industry, prefix = "郑州"+firmWords[r.IntN(len(firmWords))]+firmWords[r.IntN(len(firmWords))]+fk, industries[fk], "91"
	case "non_public":
		sk := shopKinds[r.IntN(len(shopKinds))]
		name, industry, prefix = c.distName+c.road+"老"+string([]rune(s.names.Name())[:1])+sk, industries[sk], "92"
	case "social":
		name, industry, prefix = c.name+[]string{"志愿服务协会", "老年人协会", "文体协会"}[r.IntN(3)], "居民服务、修理和其他服务业", "51"
	default:
		name, industry, prefix = c.name+"卫生服务站", "卫生和社会工作", "12"
	}
	uscc := s.uscc(prefix, c.district)
	employees := 3 + r.IntN(60)
	phone := s.names.Phone()
	lat, lng := s.spot(c)
	in := places.OrganisationInput{Kind: kind, Name: name, USCC: uscc, LegalRep: s.names.Name(), Phone: &phone,
		Industry: industry, Employees: &employees, Address: fmt.Sprintf("%s%s%d号", c.distName, c.road, 1+r.IntN(300)),
		Lat: lat, Lng: lng, GridCode: c.grid, Source: registry.SourceBase}
	if _, err := s.deps.Places.CreateOrganisation(ctx, in); err != nil {
		return fmt.Errorf("organisation %s: %w", name, err)
	}
	s.res.Base.Organisations++
	return nil
}

// uscc makes a new valid unified social credit code: the authority and
// type prefix, the district, an organisation code with its GB 11714 check
// character and the GB 32100 check character.
func (s *seeder) uscc(prefix, district string) string {
	for {
		body := fmt.Sprintf("%08d", s.base.IntN(100_000_000))
		code := places.MakeUSCC(prefix + district + body + string(orgCodeCheck(body)))
		if !s.gen.used[code] {
			s.gen.used[code] = true
			return code
		}
	}
}

// orgCodeCheck is the GB 11714-1997 check character of an eight-digit
// organisation code body.
func orgCodeCheck(body string) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		sum += int(body[i]-'0') * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// component creates a city component with a valid object code.
func (s *seeder) component(ctx context.Context, c *demoCommunity) error {
	r := s.base
	k := componentKinds[r.IntN(len(componentKinds))]
	cat, _ := places.CatalogueCategory(k.category)
	key := c.district + cat
	s.componentSeq[key]++
	status := "intact"
	if r.IntN(10) == 0 {
		status = "damaged"
	}
	lat, lng := s.spot(c)
	in := places.ComponentInput{ObjectCode: fmt.Sprintf("%s%06d", key, s.componentSeq[key]), CategoryCode: k.category,
		Name: c.road + k.name, Status: status, Address: fmt.Sprintf("%s%s%d号附近", c.distName, c.road, 1+r.IntN(300)),
		Lat: lat, Lng: lng, GridCode: c.grid, Source: registry.SourceBase}
	if _, err := s.deps.Places.CreateComponent(ctx, in); err != nil {
		return fmt.Errorf("component %s: %w", in.ObjectCode, err)
	}
	s.res.Base.Components++
	return nil
}

// spot returns coordinates near the community's centre and inside its
// grid, or none for a district without an outline.
func (s *seeder) spot(c *demoCommunity) (*float64, *float64) {
	if c.area == nil {
		return nil, nil
	}
	lat, lng := c.area.near(s.base, c.lat, c.lng, 0.002)
	return ptr(lat), ptr(lng)
}

// rosters names the head of the community's first household in a grid its
// building head (楼栋长) and an adult of the next one a volunteer.
func (s *seeder) rosters(ctx context.Context, c *demoCommunity) error {
	var placed []*demoHousehold
	for _, h := range c.households {
		if h.grid != "" {
			placed = append(placed, h)
		}
	}
	if len(placed) == 0 {
		return nil
	}
	head := placed[0]
	entries := []struct {
		roster, role string
		p            *demoPerson
		h            *demoHousehold
	}{{"building_head", head.building + "楼栋长", head.members[0], head}}
	if len(placed) > 1 {
		v := placed[1]
		entries = append(entries, struct {
			roster, role string
			p            *demoPerson
			h            *demoHousehold
		}{"volunteer", []string{"治安巡逻志愿者", "环境卫生志愿者", "文明劝导志愿者"}[s.base.IntN(3)], v.members[0], v})
	}
	for _, e := range entries {
		if _, err := s.deps.Places.CreateRosterEntry(ctx, e.roster, places.RosterInput{PersonID: &e.p.id,
			HouseID: &e.h.houseID, Role: e.role, Address: e.h.address, GridCode: c.grid, Source: registry.SourceBase}); err != nil {
			return fmt.Errorf("roster %s of %s: %w", e.roster, c.code, err)
		}
		s.res.Base.RosterEntries++
	}
	return nil
}

// keyKinds are the key groups of the demo with their required fields.
var keyKinds = []struct {
	kind  string
	attrs func(s *seeder) map[string]string
}{
	{"released_prisoner", func(s *seeder) map[string]string {
		return map[string]string{"original_crime": []string{"盗窃罪", "诈骗罪", "故意伤害罪", "寻衅滋事罪"}[s.base.IntN(4)],
			"original_term": fmt.Sprintf("有期徒刑%d年", 1+s.base.IntN(6)), "prison": "河南省郑州监狱",
			"released_on":     s.now.AddDate(0, -2-s.base.IntN(30), 0).Format("2006-01-02"),
			"risk_assessment": []string{"low", "possible"}[s.base.IntN(2)], "placement": "已安置"}
	}},
	{"community_corrections", func(s *seeder) map[string]string {
		return map[string]string{"correction_no": fmt.Sprintf("豫%s社矫%05d", "01", 1+s.base.IntN(99999)),
			"correction_type":  []string{"probation", "parole", "control"}[s.base.IntN(3)],
			"crime":            []string{"危险驾驶罪", "盗窃罪", "交通肇事罪"}[s.base.IntN(3)],
			"correction_start": s.now.AddDate(0, -1-s.base.IntN(10), 0).Format("2006-01-02")}
	}},
	{"key_petitioner", func(s *seeder) map[string]string {
		return map[string]string{"petition_matter": []string{"房屋拆迁补偿", "劳动报酬拖欠", "物业纠纷", "土地承包纠纷"}[s.base.IntN(4)],
			"responsible": s.names.Name()}
	}},
}

// baseGroups adds the elderly (60 and over; those living alone also as
// 独居老人), a few disabled people and low-income households, and in every
// tenth community one key-group member, then records visits: some recent,
// some long ago so that the visits-due list has entries, some never.
func (s *seeder) baseGroups(ctx context.Context, comms []*demoCommunity) error {
	var keyed, alone []*demoPerson
	for i, c := range comms {
		for _, h := range c.households {
			for _, p := range h.members {
				if p.age >= 60 {
					if err := s.member(ctx, p, "elderly", map[string]string{"care_mode": "居家养老"}); err != nil {
						return err
					}
					if len(h.members) == 1 {
						if err := s.member(ctx, p, "elderly_alone", map[string]string{"guardian": s.names.Name(),
							"health": []string{"良好", "一般", "慢性病"}[s.base.IntN(3)]}); err != nil {
							return err
						}
						alone = append(alone, p)
					}
				}
				if s.base.IntN(80) == 0 {
					if err := s.member(ctx, p, "disabled", map[string]string{"disability_category": itoa(1 + s.base.IntN(7)),
						"disability_grade": itoa(1 + s.base.IntN(4))}); err != nil {
						return err
					}
				}
			}
			if s.base.IntN(40) == 0 {
				if err := s.member(ctx, h.members[0], "low_income", map[string]string{
					"certificate_no": fmt.Sprintf("郑民低保%06d", s.base.IntN(1_000_000)),
					"approved_on":    s.now.AddDate(0, -1-s.base.IntN(36), 0).Format("2006-01-02")}); err != nil {
					return err
				}
			}
		}
		if i%10 == 3 {
			if p := keyCandidate(c); p != nil {
				k := keyKinds[(i/10)%len(keyKinds)]
				if err := s.member(ctx, p, k.kind, k.attrs(s)); err != nil {
					return err
				}
				s.res.Base.KeyGroup++
				keyed = append(keyed, p)
			}
		}
	}
	// Visits: never (due), recently (not due) or long ago (overdue).
	for i, p := range keyed {
		if err := s.visit(ctx, p, i%3, 10, 100); err != nil {
			return err
		}
	}
	for i, p := range alone {
		if err := s.visit(ctx, p, i%3, 30, 150); err != nil {
			return err
		}
	}
	return nil
}

// keyCandidate picks an adult of a community's last placed household.
func keyCandidate(c *demoCommunity) *demoPerson {
	for i := len(c.households) - 1; i >= 0; i-- {
		h := c.households[i]
		if h.grid == "" {
			continue
		}
		for _, p := range h.members {
			if p.age >= 22 && p.age <= 60 {
				return p
			}
		}
	}
	return nil
}

// member adds p to a group.
func (s *seeder) member(ctx context.Context, p *demoPerson, kind string, attrs map[string]string) error {
	if _, err := s.deps.Groups.AddMember(ctx, p.id, groups.MemberInput{Kind: kind, Attrs: attrs,
		StartedOn: s.now.AddDate(0, -1-s.base.IntN(24), 0).Format("2006-01-02"), Source: registry.SourceBase}); err != nil {
		return fmt.Errorf("%s membership of %s: %w", kind, p.ref, err)
	}
	s.res.Base.Members[kind]++
	return nil
}

// visit records a home visit of p: none when mode is 0, recentDays ago
// when 1, oldDays ago when 2.
func (s *seeder) visit(ctx context.Context, p *demoPerson, mode, recentDays, oldDays int) error {
	if mode == 0 {
		return nil
	}
	days := recentDays
	if mode == 2 {
		days = oldDays
	}
	if _, err := s.deps.Groups.RecordVisit(ctx, groups.VisitInput{ObjectType: "person", ObjectID: p.id, Kind: "visit",
		VisitedAt: s.now.Add(-time.Duration(days) * 24 * time.Hour),
		Note:      []string{"入户走访，了解近期生活和思想情况", "电话回访，情况稳定", "入户走访，宣讲政策，未发现异常"}[s.base.IntN(3)],
		Result:    "正常"}); err != nil {
		return fmt.Errorf("visit of %s: %w", p.ref, err)
	}
	s.res.Base.Visits++
	return nil
}

func ptr[T any](v T) *T { return &v }

func itoa(n int) string { return strconv.Itoa(n) }
