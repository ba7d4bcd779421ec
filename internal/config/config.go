// Package config builds the typed configuration from flags and GRIDGOV_*
// environment variables (flags win), validated once.
package config

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the platform's configuration.
type Config struct {
	DataDir         string        // --data, GRIDGOV_DATA (default ./data)
	DatabaseURL     string        // --database-url, GRIDGOV_DATABASE_URL (empty: SQLite in DataDir)
	Addr            string        // --addr, GRIDGOV_ADDR (default 127.0.0.1:8080)
	PasswordPolicy  string        // --password-policy, GRIDGOV_PASSWORD_POLICY: mlps3 | basic
	SessionIdle     time.Duration // --session-idle, GRIDGOV_SESSION_IDLE (30m)
	SessionAbsolute time.Duration // --session-absolute, GRIDGOV_SESSION_ABSOLUTE (12h)
	SecureCookies   bool          // --secure-cookies, GRIDGOV_SECURE_COOKIES: set behind HTTPS
	LogLevel        string        // --log-level, GRIDGOV_LOG_LEVEL: debug|info|warn|error
	// MapTileURL (--map-tile-url, GRIDGOV_MAP_TILE_URL) is the console map's
	// base-map tile template ({z}/{x}/{y}, optional {s}); empty: no base
	// map, the grids alone (a closed network needs no tile server).
	MapTileURL string
	// MapTileAttribution (--map-tile-attribution, GRIDGOV_MAP_TILE_ATTRIBUTION)
	// credits the tiles in the map's corner.
	MapTileAttribution string
	// LookupsPerHour (--registry-lookups-per-hour, GRIDGOV_REGISTRY_LOOKUPS_PER_HOUR,
	// default 60) bounds a user's exact ID-card/phone searches in a rolling
	// hour; PeoplePerHour (--registry-people-per-hour, …_PEOPLE_PER_HOUR,
	// default 200) the distinct people they are shown (PRIV-11).
	LookupsPerHour, PeoplePerHour int
	// ExportApproval (--export-approval-threshold,
	// GRIDGOV_EXPORT_APPROVAL_THRESHOLD, default 1000) is the row count above
	// which a people export needs a second person's approval (PRIV-10).
	ExportApproval int
	// CitizenPerHour (--citizen-reports-per-hour,
	// GRIDGOV_CITIZEN_REPORTS_PER_HOUR, default 10) is how many reports one
	// citizen client (IP address or Open311 API key) may submit in an hour;
	// CitizenPerPhoneDay (--citizen-reports-per-phone-day,
	// GRIDGOV_CITIZEN_REPORTS_PER_PHONE_DAY, default 5) how many one phone
	// number may submit in a day.
	CitizenPerHour, CitizenPerPhoneDay int
}

// Register adds the common flags to fs, with defaults taken from the
// environment, and returns the Config they fill.
func Register(fs *flag.FlagSet) *Config {
	c := &Config{}
	fs.StringVar(&c.DataDir, "data", env("GRIDGOV_DATA", "./data"), "data directory (SQLite file, keys, attachments)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("GRIDGOV_DATABASE_URL", ""), "postgres://… to use PostgreSQL instead of SQLite in the data directory")
	fs.StringVar(&c.PasswordPolicy, "password-policy", env("GRIDGOV_PASSWORD_POLICY", "mlps3"), "password policy: mlps3 (≥12 chars, 3 of 4 classes) or basic (≥8 chars)")
	fs.DurationVar(&c.SessionIdle, "session-idle", envDuration("GRIDGOV_SESSION_IDLE", 30*time.Minute), "session idle timeout")
	fs.DurationVar(&c.SessionAbsolute, "session-absolute", envDuration("GRIDGOV_SESSION_ABSOLUTE", 12*time.Hour), "session absolute timeout")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", envBool("GRIDGOV_SECURE_COOKIES", false), "mark cookies Secure (serve behind HTTPS)")
	fs.StringVar(&c.LogLevel, "log-level", env("GRIDGOV_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	fs.StringVar(&c.MapTileURL, "map-tile-url", env("GRIDGOV_MAP_TILE_URL", ""), "console map tile URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png (empty: no base map)")
	fs.StringVar(&c.MapTileAttribution, "map-tile-attribution", env("GRIDGOV_MAP_TILE_ATTRIBUTION", ""), "attribution shown with the map tiles")
	fs.IntVar(&c.LookupsPerHour, "registry-lookups-per-hour", envInt("GRIDGOV_REGISTRY_LOOKUPS_PER_HOUR", 60), "exact ID-card/phone searches a user may make per rolling hour")
	fs.IntVar(&c.PeoplePerHour, "registry-people-per-hour", envInt("GRIDGOV_REGISTRY_PEOPLE_PER_HOUR", 200), "distinct people a user may be shown per rolling hour")
	fs.IntVar(&c.ExportApproval, "export-approval-threshold", envInt("GRIDGOV_EXPORT_APPROVAL_THRESHOLD", 1000), "people exports above this many rows need a second person's approval")
	fs.IntVar(&c.CitizenPerHour, "citizen-reports-per-hour", envInt("GRIDGOV_CITIZEN_REPORTS_PER_HOUR", 10), "citizen reports one client (IP or API key) may submit per hour")
	fs.IntVar(&c.CitizenPerPhoneDay, "citizen-reports-per-phone-day", envInt("GRIDGOV_CITIZEN_REPORTS_PER_PHONE_DAY", 5), "citizen reports one phone number may submit per day")
	c.Addr = env("GRIDGOV_ADDR", "127.0.0.1:8080")
	return c
}

// Defaults returns the configuration with every setting at its default
// (or its GRIDGOV_* variable), as if no flag were given.
func Defaults() *Config {
	return Register(flag.NewFlagSet("defaults", flag.ContinueOnError))
}

// RegisterAddr adds --addr (for serve).
func (c *Config) RegisterAddr(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address HOST:PORT")
}

// Validate checks the configuration once, after flags are parsed.
func (c *Config) Validate() error {
	var problems []string
	if strings.TrimSpace(c.DataDir) == "" {
		problems = append(problems, "--data must not be empty")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		problems = append(problems, "GRIDGOV_DATABASE_URL must start with postgres://, postgresql:// or sqlite:")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		problems = append(problems, fmt.Sprintf("--addr %q: want HOST:PORT", c.Addr))
	}
	if c.PasswordPolicy != "mlps3" && c.PasswordPolicy != "basic" {
		problems = append(problems, "--password-policy must be mlps3 or basic")
	}
	if c.SessionIdle <= 0 || c.SessionAbsolute < c.SessionIdle {
		problems = append(problems, "session timeouts must be positive and absolute ≥ idle")
	}
	if u := c.MapTileURL; u != "" && (!strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "/") ||
		!strings.Contains(u, "{z}") || !strings.Contains(u, "{x}") || !strings.Contains(u, "{y}")) {
		problems = append(problems, "--map-tile-url must be an http(s):// or /path URL template with {z}, {x} and {y}")
	}
	if c.LookupsPerHour < 1 || c.PeoplePerHour < 1 {
		problems = append(problems, "--registry-lookups-per-hour and --registry-people-per-hour must be at least 1")
	}
	if c.ExportApproval < 1 || c.ExportApproval > 100_000 {
		problems = append(problems, "--export-approval-threshold must be between 1 and 100000")
	}
	if c.CitizenPerHour < 1 || c.CitizenPerHour > 100_000 || c.CitizenPerPhoneDay < 1 || c.CitizenPerPhoneDay > 100_000 {
		problems = append(problems, "--citizen-reports-per-hour and --citizen-reports-per-phone-day must be between 1 and 100000")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, "--log-level must be debug, info, warn or error")
	}
	if len(problems) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envInt(key string, def int) int {
	if v, ok := os.LookupEnv(key); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
		return -1 // refused by Validate
	}
	return def
}

func envBool(key string, def bool) bool {
	if v, ok := os.LookupEnv(key); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}
