package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"gridgov/internal/app"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

const cliTestPassword = "Kx7#mPq2vLw9"

// eachCLIDatabase runs fn once with flags selecting a fresh SQLite data
// directory and once with a fresh PostgreSQL schema.
func eachCLIDatabase(t *testing.T, fn func(t *testing.T, flags []string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, []string{"--data", t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) {
		dbtest.Open(t, db.Postgres) // creates the test database, or skips/fails as dbtest does
		fn(t, []string{"--data", t.TempDir(), "--database-url", cliPostgresSchema(t)})
	})
}

// cliPostgresSchema creates a schema in the test database, dropped at the
// end of the test, and returns a URL that uses it.
func cliPostgresSchema(t *testing.T) string {
	t.Helper()
	server := os.Getenv("GRIDGOV_TEST_POSTGRES")
	if server == "" {
		server = dbtest.ServerURL
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/gridgov_test"
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "cli_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// cliApp opens the application the way a subcommand does.
func cliApp(t *testing.T, flags []string) *app.App {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg := config.Register(fs)
	if err := fs.Parse(flags); err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// cliSmallTree imports a city with one district.
func cliSmallTree(t *testing.T, a *app.App) {
	t.Helper()
	ctx := actor.With(context.Background(), actor.SystemActor("test"))
	_, err := a.Org.ImportUnits(ctx, []org.UnitInput{
		{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory},
		{Code: "410105", Name: "金水区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cli runs gridgov with args, returning the exit code and outputs.
func cli(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	var code int
	if len(args) > 0 && args[0] == "user" {
		code = runUserWith(context.Background(), args[1:], strings.NewReader(stdin), &out, &errb)
	} else {
		code = run(context.Background(), args, &out, &errb)
	}
	return code, out.String(), errb.String()
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"version", []string{"version"}, 0, "gridgov dev"},
		{"help", []string{"help"}, 0, "import"},
		{"no command", nil, 2, ""},
		{"unknown command", []string{"frobnicate"}, 2, ""},
		{"audit without verb", []string{"audit"}, 2, ""},
		{"user without verb", []string{"user"}, 2, ""},
		{"bad flag", []string{"migrate", "--no-such-flag"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, _ := cli("", tt.args...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) {
				t.Errorf("got %d %q, want %d containing %q", code, out, tt.wantCode, tt.wantOut)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		code, out, errs := cli("", append([]string{"migrate"}, flags...)...)
		if code != 0 || !strings.Contains(out, "applied 0001_foundation") {
			t.Fatalf("first run: got %d %q %q, want 0 and the foundation applied", code, out, errs)
		}
		code, out, _ = cli("", append([]string{"migrate"}, flags...)...)
		if code != 0 || !strings.Contains(out, "up to date") {
			t.Errorf("second run: got %d %q, want 0 and up to date", code, out)
		}
	})
}

func TestUserCommands(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		cliSmallTree(t, cliApp(t, flags))
		create := append([]string{"user", "create", "--username", "ops", "--password", cliTestPassword,
			"--unit", "410105", "--role", "admin", "--name", "运维"}, flags...)
		code, out, errs := cli("", create...)
		if code != 0 || !strings.Contains(out, "created user ops") || !strings.Contains(out, "over 410105") {
			t.Fatalf("user create: got %d %q %q", code, out, errs)
		}
		if code, _, errs := cli("", create...); code != 1 || errs == "" {
			t.Errorf("duplicate user create: got %d %q, want 1 with a message", code, errs)
		}
		bad := []struct {
			name     string
			args     []string
			wantCode int
		}{
			{"missing unit", []string{"user", "create", "--username", "x", "--password", cliTestPassword}, 2},
			{"unknown unit", []string{"user", "create", "--username", "x", "--password", cliTestPassword, "--unit", "419999"}, 1},
			{"weak password", []string{"user", "create", "--username", "x", "--password", "short", "--unit", "410105"}, 1},
			{"passwd unknown user", []string{"user", "passwd", "--username", "nobody", "--password", cliTestPassword}, 1},
		}
		for _, b := range bad {
			if code, _, _ := cli("", append(b.args, flags...)...); code != b.wantCode {
				t.Errorf("%s: got exit %d, want %d", b.name, code, b.wantCode)
			}
		}

		a := cliApp(t, flags)
		ctx := actor.WithMeta(context.Background(), actor.Meta{IP: "127.0.0.1"})
		s, err := a.Auth.Login(ctx, "ops", cliTestPassword, auth.KindAPI)
		if err != nil {
			t.Fatalf("login as the created user: %v", err)
		}
		if len(s.User.Grants) != 1 || s.User.Grants[0].Role != "admin" || s.User.Grants[0].ScopeCode != "410105" {
			t.Errorf("grants: got %+v, want admin over 410105", s.User.Grants)
		}

		const next = "Ty5%nBv8cXz3"
		code, out, errs = cli(next+"\n", append([]string{"user", "passwd", "--username", "ops", "--password", "-"}, flags...)...)
		if code != 0 || !strings.Contains(out, "password of ops changed") {
			t.Fatalf("user passwd: got %d %q %q", code, out, errs)
		}
		if _, err := a.Auth.Login(ctx, "ops", next, auth.KindAPI); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
		if _, _, err := a.Auth.Authenticate(ctx, s.Token, auth.KindAPI); err == nil {
			t.Errorf("the session opened before passwd still works")
		}
	})
}

func TestAuditVerify(t *testing.T) {
	tamper := map[db.Dialect]string{
		db.SQLite:   `DROP TRIGGER audit_log_no_update`,
		db.Postgres: `ALTER TABLE audit_log DISABLE TRIGGER USER`,
	}
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		a := cliApp(t, flags)
		cliSmallTree(t, a)
		if code, _, errs := cli("", append([]string{"user", "create", "--username", "ops", "--password", cliTestPassword,
			"--unit", "410105", "--role", "admin"}, flags...)...); code != 0 {
			t.Fatalf("user create: %s", errs)
		}
		verify := append([]string{"audit", "verify"}, flags...)
		code, out, errs := cli("", verify...)
		if code != 0 || !strings.Contains(out, "audit log intact") {
			t.Fatalf("intact log: got %d %q %q, want 0", code, out, errs)
		}
		ctx := context.Background()
		if _, err := a.DB.Exec(ctx, tamper[a.DB.Dialect]); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB.Exec(ctx, `UPDATE audit_log SET object_id = 'tampered' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		code, _, errs = cli("", verify...)
		if code != 1 || !strings.Contains(errs, "seq 2") {
			t.Errorf("tampered log: got %d %q, want 1 naming seq 2", code, errs)
		}
	})
}

func TestServe(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		go func() {
			code := runServe(ctx, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, flags...), pw, io.Discard)
			pw.Close()
			done <- code
		}()
		lines := bufio.NewScanner(pr)
		base := ""
		for lines.Scan() {
			if _, rest, ok := strings.Cut(lines.Text(), "serving on "); ok {
				base = strings.TrimSuffix(strings.Fields(rest)[0], "/")
				break
			}
		}
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if base == "" {
			t.Fatalf("serve printed no URL (exit %d)", <-done)
		}
		for path, want := range map[string]int{"/healthz": 200, "/api/v1/openapi.json": 200, "/api/v1/me": 401} {
			res, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != want {
				t.Errorf("GET %s: got %d %s, want %d", path, res.StatusCode, body, want)
			}
			if path == "/healthz" && !strings.Contains(string(body), `"status":"ok"`) {
				t.Errorf("healthz body: got %s", body)
			}
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exit: got %d, want 0 after the signal", code)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop after cancel")
		}
	})
}

// TestServeDemoKeepsExistingData checks that serve --demo serves a database
// that already holds units as it is, instead of seeding over it.
func TestServeDemoKeepsExistingData(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		a := cliApp(t, flags)
		cliSmallTree(t, a)
		var out bytes.Buffer
		if err := seedIfEmpty(context.Background(), a, "", &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "already holds units") {
			t.Errorf("output: got %q, want the database served as it is", out.String())
		}
		var n int
		if err := a.DB.QueryRow(context.Background(), `SELECT count(*) FROM org_units`).Scan(&n); err != nil || n != 2 {
			t.Errorf("units after serve --demo: got %d (%v), want the 2 that were there", n, err)
		}
	})
}
