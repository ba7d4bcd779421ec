package config_test

import (
	"flag"
	"strings"
	"testing"

	"gridgov/internal/config"
)

// parse registers the flags on a fresh set and parses args.
func parse(t *testing.T, args ...string) *config.Config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c := config.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return c
}

func TestDefaultsAreValid(t *testing.T) {
	c := parse(t)
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.LookupsPerHour != 60 || c.PeoplePerHour != 200 || c.ExportApproval != 1000 || c.MapTileURL != "" ||
		c.CitizenPerHour != 10 || c.CitizenPerPhoneDay != 5 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // a part of the problem, "" for valid
	}{
		{[]string{"--map-tile-url", "https://tiles.example.gov.cn/{z}/{x}/{y}.png"}, ""},
		{[]string{"--map-tile-url", "/tiles/{z}/{x}/{y}.png"}, ""},
		{[]string{"--map-tile-url", "https://tiles.example.gov.cn/{z}/{x}.png"}, "--map-tile-url"},
		{[]string{"--map-tile-url", "javascript:alert(1)//{z}{x}{y}"}, "--map-tile-url"},
		{[]string{"--registry-lookups-per-hour", "0"}, "--registry-lookups-per-hour"},
		{[]string{"--registry-people-per-hour", "-5"}, "--registry-people-per-hour"},
		{[]string{"--export-approval-threshold", "0"}, "--export-approval-threshold"},
		{[]string{"--export-approval-threshold", "100001"}, "--export-approval-threshold"},
		{[]string{"--export-approval-threshold", "5000"}, ""},
		{[]string{"--citizen-reports-per-hour", "0"}, "--citizen-reports-per-hour"},
		{[]string{"--citizen-reports-per-phone-day", "-1"}, "--citizen-reports-per-phone-day"},
		{[]string{"--citizen-reports-per-hour", "30", "--citizen-reports-per-phone-day", "2"}, ""},
	} {
		err := parse(t, tt.args...).Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v, want valid", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: got %v, want a problem naming %s", tt.args, err, tt.want)
		}
	}
}

func TestBadIntegerInEnvironmentIsRefused(t *testing.T) {
	t.Setenv("GRIDGOV_REGISTRY_LOOKUPS_PER_HOUR", "many")
	if err := parse(t).Validate(); err == nil || !strings.Contains(err.Error(), "--registry-lookups-per-hour") {
		t.Fatalf("got %v, want the setting refused", err)
	}
}

func TestCitizenLimitsFromEnvironment(t *testing.T) {
	t.Setenv("GRIDGOV_CITIZEN_REPORTS_PER_HOUR", "25")
	t.Setenv("GRIDGOV_CITIZEN_REPORTS_PER_PHONE_DAY", "3")
	c := parse(t)
	if err := c.Validate(); err != nil || c.CitizenPerHour != 25 || c.CitizenPerPhoneDay != 3 {
		t.Fatalf("got %d/%d (%v), want 25/3", c.CitizenPerHour, c.CitizenPerPhoneDay, err)
	}
	if c := parse(t, "--citizen-reports-per-hour", "7"); c.CitizenPerHour != 7 {
		t.Fatalf("flag: got %d, want 7 (flags win)", c.CitizenPerHour)
	}
}
