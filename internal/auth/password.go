package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"gridgov/internal/apperr"
)

// Password policies (Options.PasswordPolicy).
const (
	PolicyMLPS3 = "mlps3"
	PolicyBasic = "basic"
)

// Reasons of refused passwords (apperr.Error.Reason).
const (
	ReasonPasswordTooShort    = "password_too_short"
	ReasonPasswordTooLong     = "password_too_long"
	ReasonPasswordTooWeak     = "password_too_weak"
	ReasonPasswordBlocklisted = "password_blocklisted"
)

// MaxPasswordLength is the longest password accepted, in characters. Longer
// ones are refused rather than truncated.
const MaxPasswordLength = 128

const (
	saltLen = 16
	keyLen  = 32
)

// argonParams is the cost of one argon2id hash.
type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

// hashPassword returns the PHC string of password:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>, salt and hash in unpadded base64.
func hashPassword(password string, p argonParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword reports whether password matches the PHC string encoded,
// using the cost stored in it and a constant-time comparison.
func verifyPassword(encoded, password string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parsePHC(encoded string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: bad parameters %q", parts[3])
	}
	if p.memory == 0 || p.time == 0 || p.threads == 0 {
		return p, nil, nil, fmt.Errorf("password hash: zero cost parameter")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("password hash: bad salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, fmt.Errorf("password hash: bad key")
	}
	return p, salt, key, nil
}

// containedWords may not appear anywhere in a password: the system's and
// the city's names (SEC-AUTH-1). The login name is checked the same way.
var containedWords = []string{"gridgov", "zhengzhou", "郑州"}

// commonPasswords are refused as whole passwords and as the word at the core
// of one: "Password@2026!" is "password" with a suffix (compared lower-cased).
var commonPasswords = wordSet(`
		password passw0rd p@ssw0rd p@ssword pass1234 password1 password123 password@123 admin admin123
		admin@123 admin@1234 admin@123456 administrator root toor qwerty qwerty123 qwertyuiop qwer1234
		asdfgh asdfghjkl zxcvbn zxcvbnm 1qaz2wsx 1qaz@wsx 1qaz2wsx3edc 1qaz@wsx3edc qazwsx qazwsxedc
		123456 1234567 12345678 123456789 1234567890 0123456789 87654321 654321 123123 123321 112233
		111111 11111111 000000 00000000 888888 88888888 666666 666666666 520520 5201314 1314520
		abc123 abc12345 abcd1234 abc@123 abc@1234 a1b2c3d4 aa123456 qq123456 1q2w3e4r 1q2w3e4r5t q1w2e3r4
		zaq12wsx letmein iloveyou welcome welcome1 sunshine football baseball princess superman
		trustno1 dragon monkey changeme woaini woaini1314 woaini520 iloveyou1314 test test123 guest
		user123 default secret`)

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// CheckPassword applies the password policy to password for the account
// username: an invalid error on field "password" with a Reason when refused.
func CheckPassword(policy, username, password string) error {
	n := utf8.RuneCountInString(password)
	minLen := 12
	if policy == PolicyBasic {
		minLen = 8
	}
	switch {
	case n > MaxPasswordLength:
		return refuse(ReasonPasswordTooLong, apperr.P(apperr.MaxChars, "n", MaxPasswordLength))
	case n < minLen:
		return refuse(ReasonPasswordTooShort, apperr.P(apperr.MinChars, "n", minLen))
	case blocklisted(username, password):
		return refuse(ReasonPasswordBlocklisted, apperr.P(apperr.CommonPassword))
	case policy != PolicyBasic && classes(password) < 3:
		return refuse(ReasonPasswordTooWeak, apperr.P(apperr.WeakPassword))
	}
	return nil
}

func refuse(reason string, problem apperr.Problem) error {
	return apperr.FieldProblem("password", problem).WithReason(reason)
}

func blocklisted(username, password string) bool {
	lower := strings.ToLower(password)
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && strings.Contains(lower, u) {
		return true
	}
	for _, w := range containedWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	return commonPasswords[lower] || commonPasswords[strings.TrimRightFunc(lower, notLetter)] ||
		commonPasswords[strings.TrimFunc(lower, notLetter)]
}

// classes counts the character classes in s: lower, upper, digit, other.
func classes(s string) int {
	var lower, upper, digit, other int
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}
