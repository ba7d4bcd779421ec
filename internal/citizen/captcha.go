package citizen

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// CaptchaTTL is how long a CAPTCHA challenge may be answered.
const CaptchaTTL = 10 * time.Minute

// FieldCaptcha names a wrong, expired or reused CAPTCHA answer.
const FieldCaptcha = "captcha"

// Captcha is a CAPTCHA that needs no third party: a challenge is a token
// "nonce.expiry.signature" (HMAC-SHA256 with the server's key); its
// answer, four digits derived from the nonce with the key, is drawn as a
// distorted image in Go and never travels in the token. A challenge is
// single use: answered ones are remembered in captcha_used until they
// expire.
type Captcha struct {
	db    *db.DB
	clock clock.Clock
	key   []byte
	// answer is the answer source; tests inject a known one.
	answer func(nonce string) string
}

// NewCaptcha returns a CAPTCHA keyed with key (at least 16 bytes); a
// shorter key is replaced by a random one, which holds for this process
// only (challenges then do not survive a restart or cross nodes).
func NewCaptcha(d *db.DB, clk clock.Clock, key []byte) *Captcha {
	if len(key) < 16 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
	}
	c := &Captcha{db: d, clock: clk, key: key}
	c.answer = c.derive
	return c
}

// SetAnswerSource replaces the answer of every challenge, for tests only
// (a browser test cannot read the image).
func (c *Captcha) SetAnswerSource(f func(nonce string) string) { c.answer = f }

func (c *Captcha) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(strings.Join(parts, "|")))
	return m.Sum(nil)
}

// derive is the default answer: four digits from the keyed hash of nonce.
func (c *Captcha) derive(nonce string) string {
	n := binary.BigEndian.Uint32(c.mac("answer", nonce)) % 10000
	return fmt.Sprintf("%04d", n)
}

// New returns a fresh challenge token.
func (c *Captcha) New() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	nonce := hex.EncodeToString(b)
	exp := strconv.FormatInt(c.clock.Now().Add(CaptchaTTL).Unix(), 10)
	return nonce + "." + exp + "." + base64.RawURLEncoding.EncodeToString(c.mac("token", nonce, exp)[:16])
}

// parse checks a token's signature and expiry and returns its nonce.
func (c *Captcha) parse(token string) (string, time.Time, error) {
	bad := apperr.Field(FieldCaptcha, apperr.CaptchaExpired)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", time.Time{}, bad
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, c.mac("token", parts[0], parts[1])[:16]) {
		return "", time.Time{}, bad
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || c.clock.Now().Unix() > exp {
		return "", time.Time{}, bad
	}
	return parts[0], time.Unix(exp, 0).UTC(), nil
}

// Check accepts the answer of a challenge once: a wrong answer, a bad or
// expired token and a token answered before are refused (invalid, field
// "captcha"). A wrong answer also uses the challenge up, so answers cannot
// be guessed against one image.
func (c *Captcha) Check(ctx context.Context, token, answer string) error {
	nonce, exp, err := c.parse(token)
	if err != nil {
		return err
	}
	_, err = c.db.Exec(ctx, `INSERT INTO captcha_used (nonce, expires_at) VALUES (?, ?)`, nonce, exp)
	if db.IsUniqueViolation(err) {
		return apperr.Field(FieldCaptcha, apperr.CaptchaUsed)
	}
	if err != nil {
		return fmt.Errorf("captcha: %w", err)
	}
	_, _ = c.db.Exec(ctx, `DELETE FROM captcha_used WHERE expires_at < ?`, c.clock.Now().UTC().Add(-time.Minute))
	if !hmac.Equal([]byte(strings.TrimSpace(answer)), []byte(c.answer(nonce))) {
		return apperr.Field(FieldCaptcha, apperr.CaptchaWrong)
	}
	return nil
}

// digits is a 5×7 bitmap font of 0–9, one row per string.
var digits = [10][7]string{
	{"01110", "10001", "10011", "10101", "11001", "10001", "01110"},
	{"00100", "01100", "00100", "00100", "00100", "00100", "01110"},
	{"01110", "10001", "00001", "00010", "00100", "01000", "11111"},
	{"11110", "00001", "00001", "01110", "00001", "00001", "11110"},
	{"00010", "00110", "01010", "10010", "11111", "00010", "00010"},
	{"11111", "10000", "11110", "00001", "00001", "10001", "01110"},
	{"00110", "01000", "10000", "11110", "10001", "10001", "01110"},
	{"11111", "00001", "00010", "00100", "01000", "01000", "01000"},
	{"01110", "10001", "10001", "01110", "10001", "10001", "01110"},
	{"01110", "10001", "10001", "01111", "00001", "00010", "01100"},
}

// Image draws the challenge of a valid token as a PNG: the digits, each
// shifted, sheared and of its own colour, over noise dots and lines.
func (c *Captcha) Image(token string) ([]byte, error) {
	nonce, _, err := c.parse(token)
	if err != nil {
		return nil, err
	}
	ans := c.answer(nonce)
	noise := c.mac("noise", nonce)
	const w, h, sc = 160, 56, 5
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{0xf4, 0xf1, 0xea, 0xff}}, image.Point{}, draw.Src)
	rnd := func(i int) int { return int(noise[i%len(noise)]) }
	for i := 0; i < 120; i++ {
		x, y := (rnd(i)*7+i*13)%w, (rnd(i+5)*3+i*7)%h
		img.Set(x, y, color.RGBA{uint8(rnd(i) | 0x80), 0x90, uint8(rnd(i + 1)), 0xff})
	}
	for i, ch := range ans {
		if ch < '0' || ch > '9' {
			continue
		}
		g := digits[ch-'0']
		ox, oy := 10+i*36+rnd(i)%6, 6+rnd(i+8)%10
		shear := rnd(i+3)%3 - 1
		col := color.RGBA{uint8(rnd(i+11) % 120), uint8(rnd(i+12) % 100), uint8(80 + rnd(i+13)%120), 0xff}
		for row, line := range g {
			for colIdx, bit := range line {
				if bit != '1' {
					continue
				}
				x := ox + colIdx*sc + shear*(row-3)
				y := oy + row*sc
				draw.Draw(img, image.Rect(x, y, x+sc-1, y+sc-1), &image.Uniform{col}, image.Point{}, draw.Src)
			}
		}
	}
	for i := 0; i < 3; i++ {
		y0, y1 := rnd(20+i)%h, rnd(24+i)%h
		for x := 0; x < w; x++ {
			img.Set(x, y0+(y1-y0)*x/w, color.RGBA{0x55, 0x55, 0x55, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Peek checks the answer of a challenge without using it up, for a form
// that comes back once more (the duplicate suggestion) before it is filed
// with Check. A challenge answered before is refused, and a wrong answer
// uses the challenge up, as in Check.
func (c *Captcha) Peek(ctx context.Context, token, answer string) error {
	nonce, _, err := c.parse(token)
	if err != nil {
		return err
	}
	var n int
	if err := c.db.QueryRow(ctx, `SELECT COUNT(*) FROM captcha_used WHERE nonce = ?`, nonce).Scan(&n); err != nil {
		return fmt.Errorf("captcha: %w", err)
	}
	if n > 0 {
		return apperr.Field(FieldCaptcha, apperr.CaptchaUsed)
	}
	if !hmac.Equal([]byte(strings.TrimSpace(answer)), []byte(c.answer(nonce))) {
		return c.Check(ctx, token, answer) // uses it up and answers "wrong"
	}
	return nil
}
