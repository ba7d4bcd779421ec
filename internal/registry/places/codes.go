package places

import (
	"gridgov/internal/apperr"
	"regexp"
	"strings"
)

// usccChars is the character set of the unified social credit code
// (GB 32100-2015): digits and capital letters without I, O, Z, S and V.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the weights of positions 1–17 (3^(i-1) mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights are the weights of the first eight characters of an
// organisation code (GB 11714-1997).
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// usccAuthorities are the registration-authority codes of position 1.
const usccAuthorities = "123456789ANY"

// NormalizeUSCC trims and upper-cases a unified social credit code.
func NormalizeUSCC(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CheckUSCC validates a unified social credit code per GB 32100-2015:
// 18 characters of the code's set, a known registration authority in
// position 1, a six-digit administrative division code in positions 3–8,
// an organisation code in positions 9–17 whose own check character
// (GB 11714) holds, and the weighted check character in position 18.
func CheckUSCC(s string) error {
	if len(s) != 18 {
		return apperr.P(apperr.USCCLength)
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(usccChars, s[i]) < 0 {
			return apperr.P(apperr.USCCChar, "n", i+1)
		}
	}
	if strings.IndexByte(usccAuthorities, s[0]) < 0 {
		return apperr.P(apperr.USCCAuthority)
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return apperr.P(apperr.USCCDivision)
		}
	}
	if c, ok := orgCodeCheck(s[8:16]); !ok || c != s[16] {
		return apperr.P(apperr.USCCOrgCheck)
	}
	if usccCheck(s[:17]) != s[17] {
		return apperr.P(apperr.USCCCheck)
	}
	return nil
}

// usccCheck computes the check character of the first 17 characters.
func usccCheck(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccChars, body[i]) * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31]
}

// orgCodeCheck computes the GB 11714 check character of an organisation
// code's eight-character body (digits and capital letters, A=10 … Z=35).
func orgCodeCheck(body string) (byte, bool) {
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, false
		}
		sum += v * orgCodeWeights[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + r), true
	}
}

// MakeUSCC appends the check character to a 17-character body (for tests
// and synthetic data).
func MakeUSCC(body17 string) string { return body17 + string(usccCheck(body17)) }

var (
	objectCodeRE  = regexp.MustCompile(`^[0-9]{16}$`)
	catalogueCode = regexp.MustCompile(`^C([0-9]{2})([0-9]{2})([0-9]{2})$`)
)

// ObjectCodeParts splits a 16-digit component object code (GB/T 30428.2,
// CJJ/T 106): the county-level division code, the major and the minor
// category, and the sequence number. It checks only the shape.
func ObjectCodeParts(code string) (district, major, minor, seq string, err error) {
	if !objectCodeRE.MatchString(code) {
		return "", "", "", "", apperr.P(apperr.ObjectCodeDigits)
	}
	return code[:6], code[6:8], code[8:10], code[10:], nil
}

// CatalogueCategory maps a case-catalogue component code to the four
// category digits of an object code. The catalogue's component codes read
// C<major:2><group:2><minor:2> (C010101 上水井盖, C020101 交通标志牌), so the
// object code's major category is the catalogue's major and its minor
// category the catalogue's last two digits: C010105 路灯 → 01 05. ok is
// false for a code that is not a catalogue component code.
func CatalogueCategory(categoryCode string) (string, bool) {
	m := catalogueCode.FindStringSubmatch(categoryCode)
	if m == nil {
		return "", false
	}
	return m[1] + m[3], true
}
