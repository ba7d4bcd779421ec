package divisions

import (
	"context"
	"io/fs"

	"gridgov/internal/apperr"
	"gridgov/internal/org"
)

// Import reads the divisions of city from fsys (see Read) and creates or
// updates them through svc.ImportUnits in one transaction: a failed import
// writes nothing, and a second identical import changes nothing. Rows that
// cannot be read come back as a *RowsError before anything is written.
// Units absent from the files are kept: an import never deletes, since
// grids, staff and accounts may hang on them.
func Import(ctx context.Context, svc *org.Service, fsys fs.FS, city string) (Report, error) {
	set, err := Read(fsys, city)
	if err != nil {
		return Report{}, err
	}
	guessed := false
	if !set.CityNamed {
		// Files without cities.csv must not rename a city imported earlier
		// to the placeholder.
		u, err := svc.Unit(ctx, set.City.Code)
		switch {
		case err == nil:
			set.City.Name = u.Name
		case !apperr.Is(err, apperr.NotFound):
			return Report{}, err
		default:
			guessed = true
		}
	}
	res, err := svc.ImportUnits(ctx, set.Units())
	if err != nil {
		return Report{}, err
	}
	present, err := svc.CountUnder(ctx, set.City.Code)
	if err != nil {
		return Report{}, err
	}
	return Report{
		City: set.City.Code, CityName: set.City.Name, CityNameGuessed: guessed, Read: set.Counts(),
		Created: full(res.Created), Updated: full(res.Updated), Unchanged: full(res.Unchanged),
		Present: full(present),
	}, nil
}

// full returns m with a zero entry for every level, so reports and JSON
// always show all four.
func full(m map[org.Level]int) map[org.Level]int {
	out := make(map[org.Level]int, len(org.Levels))
	for _, l := range org.Levels {
		out[l] = m[l]
	}
	return out
}
