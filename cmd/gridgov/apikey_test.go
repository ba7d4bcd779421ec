package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestAPIKeyCommands(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		code, out, errs := cli("", append([]string{"apikey", "create", "--name", "FixMyStreet"}, flags...)...)
		key := regexp.MustCompile(`gg311_[0-9a-f]{40}`).FindString(out)
		if code != 0 || key == "" {
			t.Fatalf("apikey create: got %d %q %q", code, out, errs)
		}
		code, out, _ = cli("", append([]string{"apikey", "list"}, flags...)...)
		if code != 0 || !strings.Contains(out, "FixMyStreet") || strings.Contains(out, key) ||
			!strings.Contains(out, "never used") {
			t.Fatalf("apikey list: got %d %q", code, out)
		}
		if code, out, _ := cli("", append([]string{"apikey", "revoke", "--id", "1"}, flags...)...); code != 0 {
			t.Fatalf("apikey revoke: got %d %q", code, out)
		}
		if _, out, _ := cli("", append([]string{"apikey", "list"}, flags...)...); !strings.Contains(out, "revoked") {
			t.Fatalf("after revoke: %q", out)
		}
		if code, _, _ := cli("", append([]string{"apikey", "create"}, flags...)...); code != 2 {
			t.Fatalf("create without --name: %d", code)
		}
		if code, _, _ := cli("", append([]string{"apikey", "revoke", "--id", "99"}, flags...)...); code != 1 {
			t.Fatalf("revoke unknown: %d", code)
		}
	})
}
