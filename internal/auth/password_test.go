package auth

import (
	"regexp"
	"strings"
	"testing"

	"gridgov/internal/apperr"
)

func TestHashRoundTrip(t *testing.T) {
	p := argonParams{memory: 1024, time: 1, threads: 1}
	long := strings.Repeat("x", 63)
	tests := []struct {
		name, password, try string
		want                bool
	}{
		{"same password", testPassword, testPassword, true},
		{"wrong password", testPassword, "Huayuan-Road#89", false},
		{"case matters", testPassword, strings.ToLower(testPassword), false},
		{"64th character differs", long + "a", long + "b", false},
		{"128 characters, not truncated", strings.Repeat("ab", 64), strings.Repeat("ab", 64), true},
		{"chinese password", "郑州金水区网格长2026!", "郑州金水区网格长2026!", true},
		{"empty try", testPassword, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := hashPassword(tt.password, p)
			if err != nil {
				t.Fatal(err)
			}
			ok, err := verifyPassword(h, tt.try)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.want {
				t.Fatalf("got verify %v, want %v", ok, tt.want)
			}
		})
	}
}

func TestHashFormat(t *testing.T) {
	h1, err := hashPassword(testPassword, argonParams{memory: 65536, time: 2, threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=2,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(h1) {
		t.Fatalf("got hash %q, want PHC argon2id with 16-byte salt and 32-byte key", h1)
	}
	h2, _ := hashPassword(testPassword, argonParams{memory: 65536, time: 2, threads: 2})
	if h1 == h2 {
		t.Fatalf("got equal hashes %q for equal passwords, want different salts", h1)
	}
	// A hash made with other parameters still verifies: they are read from the string.
	cheap, _ := hashPassword(testPassword, argonParams{memory: 512, time: 1, threads: 1})
	if ok, err := verifyPassword(cheap, testPassword); !ok || err != nil {
		t.Fatalf("got %v, %v verifying a cheaper hash, want true, nil", ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$!!!$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$",
	} {
		t.Run(h, func(t *testing.T) {
			if ok, err := verifyPassword(h, "x"); ok || err == nil {
				t.Fatalf("got %v, %v, want false and an error", ok, err)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, policy, user, password, reason string
	}{
		{"mlps3 good", PolicyMLPS3, "zhangsan", "Huayuan-Road#88", ""},
		{"mlps3 three classes without symbol", PolicyMLPS3, "zhangsan", "HuayuanRoad88", ""},
		{"mlps3 nine characters", PolicyMLPS3, "zhangsan", "Abcdefgh1", ReasonPasswordTooShort},
		{"mlps3 eleven characters", PolicyMLPS3, "zhangsan", "Hy-Road#881", ReasonPasswordTooShort},
		{"mlps3 two classes", PolicyMLPS3, "zhangsan", "huayuanroad88", ReasonPasswordTooWeak},
		{"mlps3 one class", PolicyMLPS3, "zhangsan", "huayuanroadxx", ReasonPasswordTooWeak},
		{"contains user name", PolicyMLPS3, "zhangsan", "Zhangsan-2026!", ReasonPasswordBlocklisted},
		{"contains user name in upper case", PolicyBasic, "lisi", "xxLISIxx", ReasonPasswordBlocklisted},
		{"contains password", PolicyMLPS3, "zhangsan", "Password@2026!", ReasonPasswordBlocklisted},
		{"contains city", PolicyMLPS3, "zhangsan", "Zhengzhou@2026!", ReasonPasswordBlocklisted},
		{"contains system", PolicyMLPS3, "zhangsan", "GridGov@2026!!", ReasonPasswordBlocklisted},
		{"admin with a suffix", PolicyMLPS3, "zhangsan", "Admin@2026!!", ReasonPasswordBlocklisted},
		{"common word inside a longer one", PolicyMLPS3, "zhangsan", "New#Password2026", ""},
		{"qwerty with affixes", PolicyBasic, "zhangsan", "!!Qwerty2026", ReasonPasswordBlocklisted},
		{"city in chinese", PolicyBasic, "zhangsan", "我爱郑州2026abc", ReasonPasswordBlocklisted},
		{"whole common number", PolicyBasic, "zhangsan", "12345678", ReasonPasswordBlocklisted},
		{"whole common password", PolicyBasic, "zhangsan", "sunshine", ReasonPasswordBlocklisted},
		{"basic eight lower", PolicyBasic, "zhangsan", "huayuanr", ""},
		{"basic seven", PolicyBasic, "zhangsan", "huayuan", ReasonPasswordTooShort},
		{"128 characters", PolicyMLPS3, "zhangsan", strings.Repeat("aB3-", 32), ""},
		{"129 characters", PolicyMLPS3, "zhangsan", strings.Repeat("aB3-", 32) + "x", ReasonPasswordTooLong},
		{"chinese counts as characters", PolicyBasic, "zhangsan", "金水区网格员值班", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.policy, tt.user, tt.password)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Reason != tt.reason || e.Fields["password"] == "" {
				t.Fatalf("got %v (reason %q, fields %v), want invalid password with reason %q",
					err, e.Reason, e.Fields, tt.reason)
			}
		})
	}
}
