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
	c.Addr = env("GRIDGOV_ADDR", "127.0.0.1:8080")
	return c
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

func envBool(key string, def bool) bool {
	if v, ok := os.LookupEnv(key); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}
