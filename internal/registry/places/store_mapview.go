package places

import (
	"context"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
)

// mapHouses returns the located houses matching w (alias h) in bbox, at most limit.
func (st store) mapHouses(ctx context.Context, w *where, bbox orb.Bound, limit int) ([]MapPoint, error) {
	return st.mapPoints(ctx, "h.", `SELECT h.id, h.lat, h.lng, h.address, h.house_use, '' FROM houses h`, w, bbox, limit)
}

// mapOrganisations returns the located organisations matching w (alias o) in bbox, at most limit.
func (st store) mapOrganisations(ctx context.Context, w *where, bbox orb.Bound, limit int) ([]MapPoint, error) {
	return st.mapPoints(ctx, "o.", `SELECT o.id, o.lat, o.lng, o.name, o.kind, '' FROM organisations o`, w, bbox, limit)
}

// mapComponents returns the located components matching w (alias c) in bbox, at most limit.
func (st store) mapComponents(ctx context.Context, w *where, bbox orb.Bound, limit int) ([]MapPoint, error) {
	return st.mapPoints(ctx, "c.", `SELECT c.id, c.lat, c.lng, c.name, c.category_code, c.status FROM components c`, w, bbox, limit)
}

// mapPoints runs a point query over the lat/lng columns of alias.
func (st store) mapPoints(ctx context.Context, alias, selectFrom string, w *where, bbox orb.Bound, limit int) ([]MapPoint, error) {
	w.add(alias+"lng BETWEEN ? AND ? AND "+alias+"lat BETWEEN ? AND ?", bbox.Min[0], bbox.Max[0], bbox.Min[1], bbox.Max[1])
	rows, err := st.db.Query(ctx, selectFrom+` WHERE `+w.sql()+` ORDER BY `+alias+`id LIMIT ?`, append(w.args, limit)...)
	if err != nil {
		return nil, apperr.Wrap(err, "map points")
	}
	defer rows.Close()
	out := []MapPoint{}
	for rows.Next() {
		var p MapPoint
		if err := rows.Scan(&p.ID, &p.Lat, &p.Lng, &p.Label, &p.Kind, &p.Status); err != nil {
			return nil, apperr.Wrap(err, "map points")
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "map points")
	}
	return out, nil
}
