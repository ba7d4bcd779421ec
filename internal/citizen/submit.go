package citizen

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/cases"
	"gridgov/internal/db"
)

// Fields named by Submit's errors besides the input's own.
const (
	// FieldLocation names a missing, malformed or out-of-area location.
	FieldLocation = "location"
	// FieldCategory names an unknown or unavailable category (service_code).
	FieldCategory = "category_code"
)

// tokenAlphabet is base32 without the look-alikes 0/O and 1/I.
const tokenAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newToken returns a random 10-character tracking code (50 bits).
func newToken() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i := range b {
		b[i] = tokenAlphabet[b[i]%32]
	}
	return string(b)
}

// NormalizeToken upper-cases a tracking code typed by a citizen.
func NormalizeToken(t string) string { return strings.ToUpper(strings.TrimSpace(t)) }

// Submit files a citizen's report as a case of source 群众 with its
// channel, reported to the platform of the grid found for the location
// (coordinates through the locator, else the address through the
// geocoder), where staff verify it before accepting (核实: status
// reported, stage accept). The platform acts as a system actor named for
// the channel. The contact is sealed; a tracking code is issued. A retry
// with the same IdempotencyKey, or from the same DeviceID with the same
// content within 24 hours, returns the first report (Replayed). Rate
// limits per client key and per phone answer too_many_requests.
func (s *Service) Submit(ctx context.Context, in ReportInput) (Receipt, error) {
	if err := clean(&in); err != nil {
		return Receipt{}, err
	}
	hash := contentHash(in)
	idem := ""
	if in.IdempotencyKey != "" {
		idem = in.Channel + "|" + in.ClientKey + "|" + in.IdempotencyKey
	}
	if rc, ok, err := s.replay(ctx, in, idem, hash); ok || err != nil {
		return rc, err
	}
	now := s.now()
	var phoneIdx []byte
	if in.Phone != "" && s.sealer != nil {
		phoneIdx = s.sealer.Index("citizen_phone", in.Phone)
	}
	if err := s.checkLimits(ctx, in.ClientKey, phoneIdx, now); err != nil {
		return Receipt{}, err
	}
	contact, err := s.sealContact(in)
	if err != nil {
		return Receipt{}, err
	}
	sys := actor.With(ctx, actor.SystemActor("citizen-"+in.Channel))
	rc := Receipt{Token: newToken(), Notice: s.opts.Notice, AccountID: in.AccountID}
	err = s.db.WithTx(sys, func(ctx context.Context) error {
		c, _, err := s.cases.CreateCase(ctx, cases.CaseCreate{CategoryCode: in.CategoryCode,
			Description: in.Description, Lat: in.Lat, Lng: in.Lng, Address: in.Address,
			Source: cases.SourceCitizen, Channel: in.Channel})
		if err != nil {
			return caseErr(err)
		}
		rc.CaseID, rc.RequestID = c.ID, c.Number
		err = s.st.insertReport(ctx, newReport{CaseID: c.ID, Token: rc.Token, Channel: in.Channel,
			ClientKey: in.ClientKey, APIKeyID: in.APIKeyID, IdemKey: idem, DeviceID: in.DeviceID,
			AccountID: in.AccountID, Hash: hash, Contact: contact, PhoneIdx: phoneIdx, MediaURL: in.MediaURL,
			CreatedAt: now})
		if err != nil {
			return err
		}
		if err := s.hit(ctx, in.ClientKey, phoneIdx, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "citizen.submit", ObjectType: "case",
			ObjectID: strconv.FormatInt(c.ID, 10), Detail: map[string]any{"number": c.Number,
				"channel": in.Channel, "client": in.ClientKey, "api_key_id": in.APIKeyID,
				"has_contact": contact != nil}})
	})
	if err != nil && db.IsUniqueViolation(err) && idem != "" {
		// A concurrent retry with the same key won the race.
		if rc, ok, err := s.replay(ctx, in, idem, hash); ok || err != nil {
			return rc, err
		}
	}
	if err != nil {
		return Receipt{}, err
	}
	return rc, nil
}

// replay finds an earlier report of the same retry.
func (s *Service) replay(ctx context.Context, in ReportInput, idem, hash string) (Receipt, bool, error) {
	var r reportRow
	var ok bool
	var err error
	switch {
	case idem != "":
		r, ok, err = s.st.byIdem(ctx, idem)
		if ok && r.ContentHash != hash {
			// Invalid naming the key, as POST /api/v1/cases and internal/idem
			// answer (REL-IDEM-1); Open311 shows it as a 400.
			return Receipt{}, false, apperr.Field("Idempotency-Key", apperr.IdemReused).WithReason(cases.ReasonIdempotency)
		}
	case in.DeviceID != "":
		r, ok, err = s.st.byDevice(ctx, in.DeviceID, hash, s.now().Add(-24*time.Hour))
	}
	if err != nil || !ok {
		return Receipt{}, false, err
	}
	return Receipt{CaseID: r.CaseID, RequestID: r.Number, Token: r.Token, Notice: s.opts.Notice,
		AccountID: r.AccountID, Replayed: true}, true, nil
}

// checkLimits answers too_many_requests when the client or the phone has
// used up its allowance.
func (s *Service) checkLimits(ctx context.Context, client string, phoneIdx []byte, now time.Time) error {
	if client != "" {
		n, err := s.st.countHits(ctx, "client", client, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if n >= s.opts.PerClientHour {
			return apperr.Newf(apperr.TooManyRequests, "at most %d reports an hour from one client",
				s.opts.PerClientHour)
		}
	}
	if phoneIdx != nil {
		n, err := s.st.countHits(ctx, "phone", hex.EncodeToString(phoneIdx), now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if n >= s.opts.PerPhoneDay {
			return apperr.Newf(apperr.TooManyRequests, "at most %d reports a day from one phone number",
				s.opts.PerPhoneDay)
		}
	}
	return nil
}

// hit counts a report against its limits and forgets hits older than any
// window.
func (s *Service) hit(ctx context.Context, client string, phoneIdx []byte, now time.Time) error {
	if client != "" {
		if err := s.st.addHit(ctx, "client", client, now); err != nil {
			return err
		}
	}
	if phoneIdx != nil {
		if err := s.st.addHit(ctx, "phone", hex.EncodeToString(phoneIdx), now); err != nil {
			return err
		}
	}
	return s.st.pruneHits(ctx, now.Add(-48*time.Hour))
}

// contact is the sealed reporter contact.
type contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

func (s *Service) sealContact(in ReportInput) ([]byte, error) {
	if in.Name == "" && in.Phone == "" && in.Email == "" {
		return nil, nil
	}
	if s.sealer == nil {
		return nil, apperr.New(apperr.Internal, "contact sealing is not configured")
	}
	b, _ := json.Marshal(contact{Name: in.Name, Phone: in.Phone, Email: in.Email})
	return s.sealer.Seal("citizen_contact", string(b))
}

// caseErr renames the case loop's field errors after the report's fields.
func caseErr(err error) error {
	e := apperr.As(err)
	if err == nil || e.Code != apperr.Invalid {
		return err
	}
	out := apperr.FieldErrors{}
	for f, m := range e.Problems {
		switch f {
		case "grid_code", "lat", "lng", "address":
			if f == "grid_code" {
				m = apperr.P(apperr.OutsideArea)
			}
			out.AddProblem(FieldLocation, m)
		default:
			out.AddProblem(f, m)
		}
	}
	return out.Err()
}

// clean trims and checks a report.
func clean(in *ReportInput) error {
	errs := apperr.FieldErrors{}
	trim := func(p *string, field string, max int) {
		*p = strings.TrimSpace(*p)
		if len([]rune(*p)) > max {
			errs.Add(field, apperr.MaxChars, "n", max)
		}
	}
	trim(&in.Channel, "channel", 20)
	trim(&in.CategoryCode, FieldCategory, 50)
	trim(&in.Description, "description", 2000)
	trim(&in.Address, "address", 300)
	trim(&in.MediaURL, "media_url", 1000)
	trim(&in.Name, "name", 100)
	trim(&in.Phone, "phone", 30)
	trim(&in.Email, "email", 200)
	trim(&in.DeviceID, "device_id", 200)
	trim(&in.AccountID, "account_id", 200)
	trim(&in.IdempotencyKey, "Idempotency-Key", 200)
	trim(&in.ClientKey, "client", 200)
	if !slices.Contains(cases.Channels, in.Channel) {
		errs.Add("channel", apperr.OneOf, "values", "portal, wechat, open311, app")
	}
	if in.CategoryCode == "" {
		errs.Add(FieldCategory, apperr.Required)
	}
	if in.Description == "" {
		errs.Add("description", apperr.Required)
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		errs.Add(FieldLocation, apperr.Together, "fields", "lat, long")
	} else if in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90 || *in.Lng < -180 || *in.Lng > 180) {
		errs.Add(FieldLocation, apperr.Coordinates)
	} else if in.Lat == nil && in.Address == "" {
		errs.Add(FieldLocation, apperr.Required)
	}
	if in.MediaURL != "" {
		u, err := url.Parse(in.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs.Add("media_url", apperr.URL)
		}
	}
	if in.Phone != "" {
		in.Phone = strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' {
				return -1
			}
			return r
		}, in.Phone)
		if strings.TrimLeftFunc(strings.TrimPrefix(in.Phone, "+"), unicode.IsDigit) != "" || len(in.Phone) < 5 {
			errs.Add("phone", apperr.Integer)
		}
	}
	if in.Email != "" && (!strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " <>")) {
		errs.Add("email", apperr.Email)
	}
	return errs.Err()
}

// contentHash fingerprints what a report says, for device retries and
// idempotency keys.
func contentHash(in ReportInput) string {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 7, 64)
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{in.Channel, in.CategoryCode, in.Description, f(in.Lat),
		f(in.Lng), in.Address, in.MediaURL, in.Phone, in.Email, in.Name}, "\x00")))
	return hex.EncodeToString(sum[:])
}
