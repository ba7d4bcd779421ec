package seal

import (
	"gridgov/internal/apperr"
	"strings"
	"time"
)

// idWeights are the GB 11643-1999 check-digit weights.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum mod 11 to the check character.
const idCheck = "10X98765432"

// IDCard is what a valid 18-digit citizen identity number (GB 11643) tells.
type IDCard struct {
	Number    string // normalised: upper-case X
	Region    string // 6-digit administrative division code of issue
	BirthDate string // YYYY-MM-DD
	Gender    string // "1" male, "2" female (GB/T 2261.1)
}

// ParseIDCard validates an 18-digit ID-card number: digits, a region code
// whose province exists, a real birth date not in the future, and the
// check digit. now bounds the birth date. Errors never quote the number.
func ParseIDCard(s string, now time.Time) (IDCard, error) {
	n := strings.ToUpper(strings.TrimSpace(s))
	if len(n) != 18 {
		return IDCard{}, apperr.P(apperr.IDLength, "n", len([]rune(n)))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := n[i]
		if c < '0' || c > '9' {
			return IDCard{}, apperr.P(apperr.IDDigit, "n", i+1)
		}
		sum += int(c-'0') * idWeights[i]
	}
	if want := idCheck[sum%11]; n[17] != want {
		if n[17] != 'X' && (n[17] < '0' || n[17] > '9') {
			return IDCard{}, apperr.P(apperr.IDLast)
		}
		return IDCard{}, apperr.P(apperr.IDCheckDigit)
	}
	if !provinces[n[:2]] {
		return IDCard{}, apperr.P(apperr.IDRegion)
	}
	birth, err := time.Parse("20060102", n[6:14])
	if err != nil || birth.Year() < 1880 || birth.After(now) {
		return IDCard{}, apperr.P(apperr.IDBirth)
	}
	g := "1"
	if (n[16]-'0')%2 == 0 {
		g = "2"
	}
	return IDCard{Number: n, Region: n[:6], BirthDate: birth.Format("2006-01-02"), Gender: g}, nil
}

// MakeIDNumber completes a 17-digit body with its check digit; tests and
// the benchmark's generator use it.
func MakeIDNumber(body17 string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body17[i]-'0') * idWeights[i]
	}
	return body17 + string(idCheck[sum%11])
}

// provinces are the GB/T 2260 province-level codes (first two digits).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true, "91": true,
}

// NormalizePhone keeps the digits of a mainland mobile number (11 digits
// starting with 1, an optional +86/86 prefix dropped) or a landline with
// area code (0 followed by 9–11 digits, separators dropped); anything
// else is an error.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '+' || r == '(' || r == ')':
		default:
			return "", apperr.P(apperr.PhoneChars)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "86") && len(d) == 13 {
		d = d[2:]
	}
	switch {
	case len(d) == 11 && d[0] == '1' && d[1] >= '3':
		return d, nil
	case d != "" && d[0] == '0' && len(d) >= 10 && len(d) <= 12:
		return d, nil
	}
	return "", apperr.P(apperr.Phone)
}

// MaskID shows the first 3 and last 4 characters of an identity number:
// 410***********123X.
func MaskID(n string) string {
	r := []rune(n)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskPhone shows the first 3 and last 4 digits of a mobile (138****5678);
// a landline keeps its first 4 and last 2.
func MaskPhone(p string) string {
	switch {
	case len(p) == 11 && p[0] == '1':
		return p[:3] + "****" + p[7:]
	case len(p) > 6:
		return p[:4] + strings.Repeat("*", len(p)-6) + p[len(p)-2:]
	}
	return strings.Repeat("*", len(p))
}
