package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// newFakeS3 returns an S3 store on an in-process gofakes3 server.
func newFakeS3(t *testing.T) *S3 {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewS3(S3Config{Endpoint: "http://" + u.Host, Bucket: "gridgov-test", AccessKey: "test-key",
		SecretKey: "test-secret", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// eachStore runs fn on a fresh local store and a fresh S3 store.
func eachStore(t *testing.T, fn func(t *testing.T, s Store)) {
	t.Run("local", func(t *testing.T) {
		s, err := NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		fn(t, s)
	})
	t.Run("s3", func(t *testing.T) { fn(t, newFakeS3(t)) })
}

func readAll(t *testing.T, s Store, key string) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStoreContract(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		body := bytes.Repeat([]byte("网格0123456789"), 1000)
		if err := s.Put(ctx, "ab/cdef01", bytes.NewReader(body), int64(len(body)), "text/plain"); err != nil {
			t.Fatalf("put: %v", err)
		}
		if got := readAll(t, s, "ab/cdef01"); !bytes.Equal(got, body) {
			t.Errorf("get: got %d bytes, want the %d put", len(got), len(body))
		}
		if ok, err := s.Exists(ctx, "ab/cdef01"); !ok || err != nil {
			t.Errorf("exists: got %v %v, want true", ok, err)
		}
		// Overwrite, unknown size, and an empty object.
		if err := s.Put(ctx, "ab/cdef01", strings.NewReader("second"), -1, "text/plain"); err != nil {
			t.Fatalf("overwrite: %v", err)
		}
		if got := string(readAll(t, s, "ab/cdef01")); got != "second" {
			t.Errorf("after overwrite: got %q, want second", got)
		}
		if err := s.Put(ctx, "empty", bytes.NewReader(nil), 0, "application/octet-stream"); err != nil {
			t.Fatalf("put empty: %v", err)
		}
		if got := readAll(t, s, "empty"); len(got) != 0 {
			t.Errorf("empty: got %d bytes", len(got))
		}
		// The reader seeks, so downloads can serve ranges.
		rc, err := s.Get(ctx, "ab/cdef01")
		if err != nil {
			t.Fatal(err)
		}
		if sk, ok := rc.(io.ReadSeeker); !ok {
			t.Errorf("reader %T does not seek", rc)
		} else if _, err := sk.Seek(3, io.SeekStart); err != nil {
			t.Errorf("seek: %v", err)
		} else if rest, _ := io.ReadAll(sk); string(rest) != "ond" {
			t.Errorf("after seek: got %q, want ond", rest)
		}
		rc.Close()
		if err := s.Delete(ctx, "ab/cdef01"); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := s.Get(ctx, "ab/cdef01"); !errors.Is(err, ErrNotFound) {
			t.Errorf("get after delete: got %v, want ErrNotFound", err)
		}
		if ok, err := s.Exists(ctx, "ab/cdef01"); ok || err != nil {
			t.Errorf("exists after delete: got %v %v, want false", ok, err)
		}
		if err := s.Delete(ctx, "never-stored"); err != nil {
			t.Errorf("delete missing: got %v, want nil", err)
		}
	})
}

func TestStoreShortReaderStoresNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if err := s.Put(ctx, "short", strings.NewReader("abc"), 10, "text/plain"); err == nil {
			t.Fatal("put of 3 bytes declared as 10: got nil error")
		}
		if ok, _ := s.Exists(ctx, "short"); ok {
			t.Error("a failed put left an object behind")
		}
	})
}

func TestStoreRefusesBadKeys(t *testing.T) {
	bad := []string{"", "../x", "a/../b", "/abs", "a//b", "a/", ".hidden", "a/./b", `a\b`, "名字",
		"a b", strings.Repeat("k", maxKeyLen+1)}
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, k := range bad {
			if err := s.Put(ctx, k, strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("put %q: got %v, want ErrInvalidKey", k, err)
			}
			if _, err := s.Get(ctx, k); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("get %q: got %v, want ErrInvalidKey", k, err)
			}
			if err := s.Delete(ctx, k); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("delete %q: got %v, want ErrInvalidKey", k, err)
			}
			if _, err := s.Exists(ctx, k); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("exists %q: got %v, want ErrInvalidKey", k, err)
			}
		}
	})
}

func TestLocalShardsUnderDir(t *testing.T) {
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "0123abcd", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	p, _ := s.path("0123abcd")
	if rel := strings.TrimPrefix(p, dir+"/"); strings.Count(rel, "/") != 2 || !strings.HasSuffix(rel, "/0123abcd") {
		t.Errorf("path: got %s, want DIR/xx/yy/0123abcd", p)
	}
}

func TestFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GRIDGOV_S3_ENDPOINT", "")
	t.Setenv("GRIDGOV_S3_BUCKET", "")
	s, err := FromEnv(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := s.(*Local); !ok || l.dir != dir+"/blobs" {
		t.Errorf("no S3 env: got %T %+v, want local under %s/blobs", s, s, dir)
	}
	t.Setenv("GRIDGOV_S3_ENDPOINT", "minio.example:9000")
	if _, err := FromEnv(dir); err == nil {
		t.Error("endpoint without bucket: got nil error")
	}
	t.Setenv("GRIDGOV_S3_BUCKET", "files")
	t.Setenv("GRIDGOV_S3_USE_SSL", "maybe")
	if _, err := FromEnv(dir); err == nil {
		t.Error("USE_SSL=maybe: got nil error")
	}
	t.Setenv("GRIDGOV_S3_USE_SSL", "false")
	if s, err := FromEnv(dir); err != nil {
		t.Errorf("S3 env: %v", err)
	} else if s3, ok := s.(*S3); !ok || s3.bucket != "files" {
		t.Errorf("S3 env: got %T, want *S3 on bucket files", s)
	}
}
