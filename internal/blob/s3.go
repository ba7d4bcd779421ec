package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config names an S3-compatible bucket (MinIO, Aliyun OSS, Huawei OBS,
// Ceph RGW, AWS S3 …).
type S3Config struct {
	// Endpoint is "host[:port]"; an "http://" or "https://" prefix is
	// accepted and must agree with UseSSL.
	Endpoint  string
	Bucket    string
	AccessKey string
	SecretKey string
	UseSSL    bool
	Region    string
}

// S3 stores objects in one bucket of an S3-compatible service.
type S3 struct {
	client *minio.Client
	bucket string
	region string
}

// NewS3 returns a store on cfg's bucket. It does not contact the service;
// EnsureBucket does.
func NewS3(cfg S3Config) (*S3, error) {
	endpoint := cfg.Endpoint
	for scheme, ssl := range map[string]bool{"http://": false, "https://": true} {
		if rest, ok := strings.CutPrefix(endpoint, scheme); ok {
			if ssl != cfg.UseSSL {
				return nil, fmt.Errorf("blob: S3 endpoint %s disagrees with UseSSL=%v", cfg.Endpoint, cfg.UseSSL)
			}
			endpoint = rest
		}
	}
	endpoint = strings.TrimSuffix(endpoint, "/")
	if endpoint == "" || strings.Contains(endpoint, "/") {
		return nil, fmt.Errorf("blob: S3 endpoint %q must be host[:port]", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("blob: S3 bucket must be set")
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL, Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 client: %w", err)
	}
	return &S3{client: c, bucket: cfg.Bucket, region: cfg.Region}, nil
}

// EnsureBucket creates the bucket if it does not exist yet.
func (s *S3) EnsureBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region}); err != nil {
		return fmt.Errorf("blob: create bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Put uploads r as the object key.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if size < 0 {
		return s.putUnsized(ctx, key, r, contentType)
	}
	// An empty body has nothing to sign in chunks; the streaming signature
	// minio-go uses over plain HTTP would drop its Content-Length.
	opts := minio.PutObjectOptions{ContentType: contentType, DisableContentSha256: size == 0}
	info, err := s.client.PutObject(ctx, s.bucket, key, r, size, opts)
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if info.Size != size {
		_ = s.Delete(ctx, key)
		return fmt.Errorf("blob: put %s: stored %d bytes, want %d", key, info.Size, size)
	}
	return nil
}

// putUnsized spools a body of unknown size to a temporary file first, so
// the upload carries a Content-Length like every other.
func (s *S3) putUnsized(ctx context.Context, key string, r io.Reader, contentType string) error {
	f, err := os.CreateTemp("", "gridgov-s3-*")
	if err != nil {
		return fmt.Errorf("blob: spool %s: %w", key, err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	n, err := io.Copy(f, ctxReader{ctx: ctx, r: r})
	if err != nil {
		return fmt.Errorf("blob: spool %s: %w", key, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("blob: spool %s: %w", key, err)
	}
	return s.Put(ctx, key, f, n, contentType)
}

// Get opens the object key; the returned *minio.Object also seeks.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.err("get", key, err)
	}
	// GetObject is lazy: Stat makes the request, so a missing key is
	// reported here rather than on the first Read.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, s.err("get", key, err)
	}
	return obj, nil
}

// Delete removes the object key.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(s.err("delete", key, err), ErrNotFound) {
			return nil
		}
		return s.err("delete", key, err)
	}
	return nil
}

// Exists reports whether the object key exists.
func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidKey(key); err != nil {
		return false, err
	}
	_, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err == nil {
		return true, nil
	}
	if err = s.err("stat", key, err); errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return false, err
}

// err maps a missing key to ErrNotFound and wraps anything else.
func (s *S3) err(op, key string, err error) error {
	if r := minio.ToErrorResponse(err); r.Code == minio.NoSuchKey || r.StatusCode == 404 && r.Code != minio.NoSuchBucket {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}
