package citizen

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// NearbyRadius is the default radius of the duplicate suggestion, in metres.
const NearbyRadius = 200

// Nearby is an open citizen report close to a point: its public view and
// its distance in metres.
type Nearby struct {
	Request
	Distance float64
}

// Nearby returns the open citizen reports of a category within radius
// metres of a point (at most limit, nearest first), in their public view,
// so the portal can offer to follow one instead of filing a duplicate.
// A radius outside 1–2000 m takes NearbyRadius; limit is 1–50 (default 5).
func (s *Service) Nearby(ctx context.Context, category string, lat, lng, radius float64, limit int) ([]Nearby, error) {
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return nil, apperr.Field(FieldLocation, apperr.Coordinates)
	}
	if radius <= 0 || radius > 2000 {
		radius = NearbyRadius
	}
	limit, err := db.Paging{Default: 5, Max: 50}.Limit(limit)
	if err != nil {
		return nil, err
	}
	// A bounding box narrows the rows; the exact distance filters them.
	dLat := radius / 111_320
	dLng := radius / (111_320 * math.Max(math.Cos(lat*math.Pi/180), 0.01))
	ids, err := s.cases.PublicNearby(ctx, hasReport, strings.TrimSpace(category),
		lat-dLat, lat+dLat, lng-dLng, lng+dLng, 200)
	if err != nil {
		return nil, fmt.Errorf("nearby reports: %w", err)
	}
	var out []Nearby
	for _, id := range ids {
		q, err := s.ByCaseID(ctx, id)
		if err != nil {
			return nil, err
		}
		if q.Lat == nil || q.Lng == nil {
			continue
		}
		if d := Distance(lat, lng, *q.Lat, *q.Lng); d <= radius {
			q.Token = "" // another citizen's code: the portal links by case number
			out = append(out, Nearby{Request: q, Distance: math.Round(d)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Distance < out[j].Distance })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Distance is the great-circle distance in metres between two WGS84 points.
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6_371_000
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lng2-lng1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Contact is a reporter's unsealed contact details.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Opener decrypts sealed values; *seal.Sealer satisfies it.
type Opener interface {
	Open(field string, sealed []byte) (string, error)
}

// Contact unseals the reporter's contact of a citizen report for staff
// holding case.contact over the case's territory. A reason is required,
// and every unsealing is audited with it (citizen.contact), like the
// registry's unmasking. A report filed anonymously answers an empty
// Contact.
func (s *Service) Contact(ctx context.Context, caseID int64, reason string) (Contact, error) {
	path, err := s.st.unitPathOf(ctx, caseID)
	if err != nil {
		return Contact{}, err
	}
	if err := rbac.Require(ctx, rbac.CaseContact, path); err != nil {
		return Contact{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Contact{}, apperr.Field("reason", apperr.Required)
	}
	if len([]rune(reason)) > 200 {
		return Contact{}, apperr.Field("reason", apperr.MaxChars, "n", 200)
	}
	var sealed []byte
	if err := s.db.QueryRow(ctx, `SELECT contact_enc FROM citizen_reports WHERE case_id = ?`, caseID).
		Scan(&sealed); err != nil {
		return Contact{}, fmt.Errorf("load contact: %w", err)
	}
	var c Contact
	if len(sealed) > 0 {
		op, ok := s.sealer.(Opener)
		if !ok {
			return Contact{}, apperr.New(apperr.Internal, "contact unsealing is not configured")
		}
		plain, err := op.Open("citizen_contact", sealed)
		if err != nil {
			return Contact{}, apperr.Wrap(err, "open contact")
		}
		if err := json.Unmarshal([]byte(plain), &c); err != nil {
			return Contact{}, apperr.Wrap(err, "decode contact")
		}
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.audit.Record(ctx, audit.Entry{Action: "citizen.contact", ObjectType: "case",
			ObjectID: strconv.FormatInt(caseID, 10), Detail: map[string]any{"reason": reason,
				"by": actor.From(ctx).Username, "fields": []string{"name", "phone", "email"}}})
	})
	if err != nil {
		return Contact{}, err
	}
	return c, nil
}

// ModerationOf returns a report's current moderation state (without the
// note, which lives in the audit log), for the moderators' form.
func (s *Service) ModerationOf(ctx context.Context, caseID int64) (Moderation, error) {
	var m Moderation
	var text sql.NullString
	err := s.db.QueryRow(ctx, `SELECT public_text, text_hidden, media_hidden FROM citizen_reports WHERE case_id = ?`,
		caseID).Scan(&text, &m.HideText, &m.HideMedia)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFoundf("citizen report %d not found", caseID)
	}
	if err != nil {
		return m, fmt.Errorf("load moderation: %w", err)
	}
	m.Redacted = text.String
	return m, nil
}
