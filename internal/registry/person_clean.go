package registry

import (
	"strings"
	"time"
	"unicode/utf8"

	"gridgov/internal/apperr"
	"gridgov/internal/seal"
)

// The ID types.
const (
	IDResident = "resident_id" // 18-digit citizen identity number (GB 11643)
	IDPassport = "passport"
	IDOther    = "other" // Hong Kong/Macao/Taiwan permits, foreigner's permanent residence card …
)

// The person types (实有人口 categories).
var personTypes = map[string]bool{"registered": true, "migrant": true, "foreign": true, "left_behind": true}

// maxText bounds free-text fields, in characters.
const maxText = 300

// CleanPerson normalises in and checks it, field by field: the ID-card
// number against GB 11643 (which also gives gender and birth date when
// they are missing, and must agree with them when given), the phone as a
// mainland mobile or landline, the lengths of the text fields, the person
// type and the source. now bounds birth dates. The import path and the
// create and update paths share it.
func CleanPerson(in *PersonInput, now time.Time) error {
	errs := apperr.FieldErrors{}
	trim := func(p *string) { *p = strings.TrimSpace(*p) }
	for _, p := range []*string{&in.IDType, &in.IDNumber, &in.Name, &in.Gender, &in.BirthDate, &in.Phone,
		&in.Nation, &in.Nationality, &in.Education, &in.Marital, &in.Political, &in.PersonType,
		&in.HukouAddress, &in.Address, &in.Workplace, &in.GridCode, &in.UnitCode, &in.SourceRef} {
		trim(p)
	}
	if in.IDType == "" {
		in.IDType = IDResident
	}
	if in.Nationality == "" {
		in.Nationality = "CHN"
	}
	if in.PersonType == "" {
		in.PersonType = "registered"
	}
	if in.Source == "" {
		in.Source = SourceOwn
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 50 {
		errs.Add("name", apperr.RequiredMaxChars, "n", 50)
	}
	cleanIdentity(in, now, errs)
	if in.Phone != "" {
		p, err := seal.NormalizePhone(in.Phone)
		if err != nil {
			errs.AddProblem("phone", apperr.ProblemOf(err))
		}
		in.Phone = p
	}
	if in.Gender != "" && in.Gender != "0" && in.Gender != "1" && in.Gender != "2" && in.Gender != "9" {
		errs.Add("gender", apperr.SexCode)
	}
	if in.BirthDate != "" {
		if d, err := time.Parse("2006-01-02", in.BirthDate); err != nil || d.After(now) {
			errs.Add("birth_date", apperr.DatePast)
		}
	}
	if !personTypes[in.PersonType] {
		errs.Add("person_type", apperr.OneOf, "values", "registered, migrant, foreign, left_behind")
	}
	if !ValidSource(in.Source) {
		errs.Add("source", apperr.OneOf, "values", "base, shared, own")
	}
	for field, v := range map[string]string{"hukou_address": in.HukouAddress, "address": in.Address,
		"workplace": in.Workplace, "source_ref": in.SourceRef} {
		if utf8.RuneCountInString(v) > maxText {
			errs.Add(field, apperr.MaxChars, "n", 300)
		}
	}
	for field, v := range map[string]string{"nation": in.Nation, "nationality": in.Nationality,
		"education": in.Education, "marital": in.Marital, "political": in.Political} {
		if len(v) > 10 {
			errs.Add(field, apperr.CodeOfTable)
		}
	}
	if len(in.Extra) > 50 {
		errs.Add("extra", apperr.MaxCount, "n", 50)
	}
	return errs.Err()
}

// cleanIdentity checks the identity number by its type.
func cleanIdentity(in *PersonInput, now time.Time, errs apperr.FieldErrors) {
	switch in.IDType {
	case IDResident:
		if in.IDNumber == "" {
			return // a person the source knows without a number (a child, a newcomer)
		}
		id, err := seal.ParseIDCard(in.IDNumber, now)
		if err != nil {
			errs.Add("id_number", apperr.IDNumber, "why", apperr.ProblemOf(err))
			return
		}
		in.IDNumber = id.Number
		if in.Gender == "" {
			in.Gender = id.Gender
		} else if in.Gender != id.Gender && (in.Gender == "1" || in.Gender == "2") {
			errs.Add("gender", apperr.IDAgree)
		}
		if in.BirthDate == "" {
			in.BirthDate = id.BirthDate
		} else if in.BirthDate != id.BirthDate {
			errs.Add("birth_date", apperr.IDAgree)
		}
	case IDPassport, IDOther:
		in.IDNumber = strings.ToUpper(in.IDNumber)
		if len(in.IDNumber) > 30 || strings.ContainsAny(in.IDNumber, " \t") {
			errs.Add("id_number", apperr.Spaces, "n", 30)
		}
	default:
		errs.Add("id_type", apperr.OneOf, "values", "resident_id, passport, other")
	}
}

// SealedIDs are a person's identifiers as stored.
type SealedIDs struct {
	IDEnc, IDBidx       []byte
	IDMask              string
	PhoneEnc, PhoneBidx []byte
	PhoneMask           string
}

// SealPerson encrypts, indexes and masks the identifiers of a cleaned
// input. The blind index of a non-resident document includes its type, so
// a passport number never matches an ID-card number.
func SealPerson(s *seal.Sealer, in PersonInput) (SealedIDs, error) {
	var out SealedIDs
	var err error
	if in.IDNumber != "" {
		if out.IDEnc, err = s.Seal(IdxID, in.IDNumber); err != nil {
			return out, err
		}
		out.IDBidx = s.Index(IdxID, IDIndexValue(in.IDType, in.IDNumber))
		out.IDMask = seal.MaskID(in.IDNumber)
	}
	if in.Phone != "" {
		if out.PhoneEnc, err = s.Seal(IdxPhone, in.Phone); err != nil {
			return out, err
		}
		out.PhoneBidx = s.Index(IdxPhone, in.Phone)
		out.PhoneMask = seal.MaskPhone(in.Phone)
	}
	return out, nil
}

// IDIndexValue is what the blind index of an identity number covers.
func IDIndexValue(idType, number string) string {
	if idType == IDResident || idType == "" {
		return number
	}
	return idType + ":" + number
}
