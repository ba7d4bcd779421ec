package seed

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
)

// DefaultBaseDistricts are the districts given demo base data when
// Options.BaseDistricts is empty: 金水区 and 二七区.
var DefaultBaseDistricts = []string{"410105", "410103"}

// DefaultPeoplePerGrid is the demo population of each community grid when
// Options.PeoplePerGrid is 0: enough for lists, households and groups,
// few enough that the base data of two districts takes seconds.
const DefaultPeoplePerGrid = 6

// BaseResult counts the demo base data (registry records).
type BaseResult struct {
	People        int `json:"people"`
	AwaitingGrid  int `json:"awaiting_grid"`
	Households    int `json:"households"`
	Houses        int `json:"houses"`
	Rented        int `json:"rented"`
	Occupants     int `json:"occupants"`
	Organisations int `json:"organisations"`
	Components    int `json:"components"`
	RosterEntries int `json:"roster_entries"`
	// Members counts the group memberships per group kind; KeyGroup the
	// people in a key group.
	Members    map[string]int `json:"members"`
	KeyGroup   int            `json:"key_group"`
	Visits     int            `json:"visits"`
	ImportJobs int            `json:"import_jobs"`
}

// demoPerson is one generated person.
type demoPerson struct {
	ref        string // source_ref: how the import's rows are found again
	id         int64
	idNumber   string
	name       string
	male       bool
	birth      string
	age        int
	phone      string
	nation     string
	personType string
	hukou      string
	relation   string // GB/T 4761 code
}

// demoHousehold is a household with the room it lives in.
type demoHousehold struct {
	number                   string
	address                  string
	building, entrance, room string
	grid, unit               string // grid "" while awaiting a grid; unit then the street
	lat, lng                 float64
	rented                   bool
	members                  []*demoPerson
	houseID                  int64
}

// demoCommunity is one community's generated base data.
type demoCommunity struct {
	code, name, street string
	district, distName string
	grid               string
	road               string
	compound           int
	lat, lng           float64
	area               *area // nil in a district without an outline
	households         []*demoHousehold
}

// Demo street names of Zhengzhou.
var roads = []string{"文化路", "花园路", "经三路", "农业路", "金水路", "纬五路", "丰产路", "黄河路", "政七街", "东风路",
	"大学路", "航海路", "嵩山路", "陇海路", "兴华街", "京广路", "长江路", "淮河路", "大学南路", "政通路",
	"英协路", "优胜路", "南阳路", "健康路", "国基路", "红专路", "纬四路", "未来路", "南三环", "马寨路"}

// Regions of Zhengzhou's districts and counties for the ID numbers of
// people registered elsewhere in the city.
var otherRegions = []string{"410102", "410104", "410106", "410108", "410122", "410181", "410182", "410183", "410184", "410185"}

// seedBase loads the demo base data of the configured districts through
// the registry's services: people through the real import (one CSV file
// per street, the street being the importing unit, so that rows without a
// grid await one there), then houses, households, organisations,
// components, rosters, group memberships and visits. Without the
// registry services it does nothing.
func (s *seeder) seedBase(ctx context.Context) error {
	d := s.deps
	if d.Registry == nil || d.Transfer == nil || d.Places == nil || d.Groups == nil {
		return nil
	}
	if err := d.Groups.EnsureCodeTables(ctx); err != nil {
		return err
	}
	s.now = time.Now()
	s.base = rand.New(rand.NewPCG(410105, 2026))
	s.gen = &generator{r: s.base, names: s.names, now: s.now, used: map[string]bool{}}
	s.componentSeq = map[string]int{}
	comms, err := s.plan(ctx)
	if err != nil {
		return err
	}
	s.res.Base = &BaseResult{Members: map[string]int{}}
	if err := s.importPeople(ctx, comms); err != nil {
		return err
	}
	for _, c := range comms {
		if err := s.basePlaces(ctx, c); err != nil {
			return fmt.Errorf("base data of %s: %w", c.code, err)
		}
	}
	return s.baseGroups(ctx, comms)
}

// baseDistricts returns the districts to seed, in the set's order.
func (s *seeder) baseDistricts() map[string]string {
	want := s.opts.BaseDistricts
	if len(want) == 0 {
		want = DefaultBaseDistricts
	}
	out := map[string]string{}
	for _, dist := range s.set.Districts {
		if slices.Contains(want, dist.Code) {
			out[dist.Code] = dist.Name
		}
	}
	return out
}

// plan generates the communities' people and households.
func (s *seeder) plan(ctx context.Context) ([]*demoCommunity, error) {
	districts := s.baseDistricts()
	streetDistrict := map[string]string{}
	for _, st := range s.set.Streets {
		streetDistrict[st.Code] = st.ParentCode
	}
	g := s.gen
	perGrid := s.opts.PeoplePerGrid
	if perGrid <= 0 {
		perGrid = DefaultPeoplePerGrid
	}
	var out []*demoCommunity
	for _, c := range s.set.Communities {
		dist := streetDistrict[c.ParentCode]
		name, ok := districts[dist]
		if !ok {
			continue
		}
		dc := &demoCommunity{code: c.Code, name: ShortName(c.Name), street: c.ParentCode, district: dist, distName: name,
			grid: GridCode(c.Code), road: roads[g.r.IntN(len(roads))], compound: 1 + g.r.IntN(199)}
		if dc.area = s.geo.areaOf(c.Code); dc.area != nil {
			dc.lat, dc.lng = dc.area.pick(g.r)
		}
		g.community(dc, perGrid)
		out = append(out, dc)
	}
	return out, ctx.Err()
}

// generator makes the demo people, the same on every run.
type generator struct {
	r     *rand.Rand
	names *namer
	now   time.Time
	used  map[string]bool // ID numbers, USCCs and addresses given out
}

// community fills a community with n people in households.
func (g *generator) community(c *demoCommunity, n int) {
	left := n
	for k := 1; left > 0; k++ {
		size := 2 + g.r.IntN(3)
		if g.r.IntN(10) == 0 {
			size = 1
		}
		size = min(size, left)
		left -= size
		h := &demoHousehold{number: fmt.Sprintf("%s%03d", c.code, k), grid: c.grid, unit: c.code}
		if g.r.IntN(50) == 0 { // ~2%: the base library did not know the grid
			h.grid, h.unit = "", c.street
		}
		for {
			b, e, f, r := 1+g.r.IntN(12), 1+g.r.IntN(3), 1+g.r.IntN(18), 1+g.r.IntN(4)
			h.building, h.entrance, h.room = fmt.Sprintf("%d号楼", b), fmt.Sprintf("%d单元", e), fmt.Sprintf("%d%02d", f, r)
			h.address = fmt.Sprintf("%s%s%d号院%s%s%s", c.distName, c.road, c.compound, h.building, h.entrance, h.room)
			if !g.used[h.address] {
				g.used[h.address] = true
				break
			}
		}
		h.lat, h.lng = c.lat, c.lng
		if c.area != nil {
			h.lat, h.lng = c.area.near(g.r, c.lat, c.lng, 0.002)
		}
		migrant := g.r.IntN(8) == 0
		h.rented = migrant || g.r.IntN(12) == 0
		g.household(c, h, size, migrant)
		c.households = append(c.households, h)
	}
}

// household makes a household's members: a head, often a spouse, then
// children or a parent of the head.
func (g *generator) household(c *demoCommunity, h *demoHousehold, size int, migrant bool) {
	headAge := 25 + g.r.IntN(46)
	if size == 1 {
		headAge = 65 + g.r.IntN(24) // living alone: mostly the elderly
		if g.r.IntN(3) == 0 {
			headAge = 22 + g.r.IntN(14) // or a young single worker
		}
	}
	headMale := g.r.IntN(3) > 0
	add := func(age int, male bool, relation string) {
		p := g.person(c, h, age, male, migrant)
		p.relation = relation
		h.members = append(h.members, p)
	}
	add(headAge, headMale, "02")
	if size >= 2 {
		add(max(20, headAge-3+g.r.IntN(7)), !headMale, "10")
	}
	for len(h.members) < size {
		if headAge < 55 && g.r.IntN(4) == 0 {
			male := g.r.IntN(2) == 0
			rel := "52"
			if male {
				rel = "51"
			}
			add(min(95, headAge+24+g.r.IntN(8)), male, rel)
			continue
		}
		male := g.r.IntN(2) == 0
		rel := "30"
		if male {
			rel = "20"
		}
		add(max(0, headAge-24-g.r.IntN(12)), male, rel)
	}
	// Children take their father's surname.
	var father *demoPerson
	for _, p := range h.members {
		if p.male && (p.relation == "02" || p.relation == "10") {
			father = p
		}
	}
	for _, p := range h.members {
		if father != nil && (p.relation == "20" || p.relation == "30") {
			p.name = string([]rune(father.name)[:1]) + string([]rune(p.name)[1:])
		}
	}
}

// person makes one person of age years, born in a 4101xx region.
func (g *generator) person(c *demoCommunity, h *demoHousehold, age int, male, migrant bool) *demoPerson {
	region, ptype := c.district, "registered"
	if migrant {
		region, ptype = otherRegions[g.r.IntN(len(otherRegions))], "migrant"
	}
	birth := g.now.AddDate(-age-1, 0, 1+g.r.IntN(364))
	p := &demoPerson{name: g.names.Name(), male: male,
		birth: birth.Format("2006-01-02"), age: age, nation: "01", personType: ptype}
	if g.r.IntN(30) == 0 {
		p.nation = "03" // 回族
	}
	for {
		seq := g.r.IntN(500) * 2
		if male {
			seq++
		}
		p.idNumber = seal.MakeIDNumber(region + birth.Format("20060102") + fmt.Sprintf("%03d", seq))
		if !g.used[p.idNumber] {
			g.used[p.idNumber] = true
			break
		}
	}
	if age >= 16 {
		p.phone = g.names.Phone()
	}
	if migrant {
		p.hukou = "河南省郑州市" + regionName(region)
	} else {
		p.hukou = h.address
	}
	return p
}

// regionName names the regions of otherRegions for hukou addresses.
func regionName(code string) string {
	names := map[string]string{"410102": "中原区", "410104": "管城回族区", "410106": "上街区", "410108": "惠济区",
		"410122": "中牟县", "410181": "巩义市", "410182": "荥阳市", "410183": "新密市", "410184": "新郑市", "410185": "登封市"}
	return names[code]
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// importHeader is the header of the demo's people files (field names,
// which the import recognises like the Chinese titles).
var importHeader = []string{"id_number", "name", "gender", "birth_date", "phone", "nation", "person_type",
	"hukou_address", "address", "grid_code", "source_ref"}

// importPeople writes one CSV file per street and imports it as the
// street (source base); every row must be inserted.
func (s *seeder) importPeople(ctx context.Context, comms []*demoCommunity) error {
	var streets []string
	byStreet := map[string][]*demoCommunity{}
	for _, c := range comms {
		if _, ok := byStreet[c.street]; !ok {
			streets = append(streets, c.street)
		}
		byStreet[c.street] = append(byStreet[c.street], c)
	}
	for _, st := range streets {
		rows := 0
		path, err := writePeopleCSV(byStreet[st], &rows)
		if err != nil {
			return err
		}
		job, err := s.deps.Transfer.ImportPeople(ctx, path, transfer.ImportOptions{UnitCode: st,
			Source: registry.SourceBase, Filename: "demo-people-" + st + ".csv"})
		_ = os.Remove(path)
		if err != nil {
			return fmt.Errorf("import people of %s: %w", st, err)
		}
		if job.Inserted != rows || job.Failed > 0 {
			msg := fmt.Sprintf("import people of %s: %d of %d rows inserted, %d failed", st, job.Inserted, rows, job.Failed)
			if len(job.Failures) > 0 {
				f := job.Failures[0]
				msg += fmt.Sprintf(" (line %d %s: %s)", f.Line, f.Field, f.Problem)
			}
			return apperr.New(apperr.Internal, msg)
		}
		s.res.Base.ImportJobs++
		s.res.Base.People += rows
	}
	return s.personIDs(ctx, comms)
}

// writePeopleCSV writes the people of the communities to a temporary CSV
// file and returns its path; rows counts them.
func writePeopleCSV(comms []*demoCommunity, rows *int) (string, error) {
	f, err := os.CreateTemp("", "gridgov-demo-people-*.csv")
	if err != nil {
		return "", err
	}
	w := csv.NewWriter(f)
	_ = w.Write(importHeader)
	for _, c := range comms {
		n := 0
		for _, h := range c.households {
			for _, p := range h.members {
				n++
				p.ref = fmt.Sprintf("DEMO-%s-%02d", c.code, n)
				gender := "2"
				if p.male {
					gender = "1"
				}
				_ = w.Write([]string{p.idNumber, p.name, gender, p.birth, p.phone, p.nation, p.personType,
					p.hukou, h.address, h.grid, p.ref})
				*rows++
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// personIDs finds the imported people by their source reference.
func (s *seeder) personIDs(ctx context.Context, comms []*demoCommunity) error {
	refs, err := s.deps.Registry.PeopleBySourceRef(ctx, "DEMO-")
	if err != nil {
		return apperr.Wrap(err, "demo people")
	}
	ids := map[string]int64{}
	for _, r := range refs {
		ids[r.Ref] = r.ID
		if r.GridCode == "" {
			s.res.Base.AwaitingGrid++
		}
	}
	for _, c := range comms {
		for _, h := range c.households {
			for _, p := range h.members {
				if p.id = ids[p.ref]; p.id == 0 {
					return apperr.New(apperr.Internal, "demo person "+p.ref+" was not imported")
				}
			}
		}
	}
	return nil
}
