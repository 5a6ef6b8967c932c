package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 part sizes.
const (
	DefaultPartSize = 8 << 20
	MinPartSize     = 5 << 20 // S3's minimum for every part but the last
	MaxPartSize     = 5 << 30

	// smallUnknownSize: a Put of unknown size that ends within this many
	// bytes goes up as one PUT instead of a multipart upload (3 requests).
	smallUnknownSize = 1 << 20
)

// s3Store keeps objects in one bucket of an S3-compatible server.
type s3Store struct {
	client   *minio.Client
	bucket   string
	partSize uint64
}

func openS3(ctx context.Context, cfg S3Config) (*s3Store, error) {
	host, secure, err := parseEndpoint(cfg.Endpoint, cfg.UseSSL)
	if err != nil {
		return nil, err
	}
	if cfg.Bucket == "" {
		return nil, errors.New("bucket is not set")
	}
	partSize := cfg.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < MinPartSize || partSize > MaxPartSize {
		return nil, fmt.Errorf("part_size %d is outside [%d, %d]", partSize, MinPartSize, MaxPartSize)
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	client, err := minio.New(host, &minio.Options{
		Creds:           credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:          secure,
		Region:          region,
		TrailingHeaders: true, // CRC-32C trailers on uploads
	})
	if err != nil {
		return nil, err
	}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("check bucket %q at %s: %w", cfg.Bucket, host, err)
	}
	if !exists {
		if !cfg.CreateBucket {
			return nil, fmt.Errorf("bucket %q does not exist at %s (create it, or set create_bucket)", cfg.Bucket, host)
		}
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: region})
		if err != nil && minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
			return nil, fmt.Errorf("create bucket %q at %s: %w", cfg.Bucket, host, err)
		}
	}
	return &s3Store{client: client, bucket: cfg.Bucket, partSize: uint64(partSize)}, nil
}

// parseEndpoint accepts host:port or an http(s):// URL.
func parseEndpoint(endpoint string, useSSL bool) (host string, secure bool, err error) {
	if endpoint == "" {
		return "", false, errors.New("endpoint is not set")
	}
	if !strings.Contains(endpoint, "://") {
		return endpoint, useSSL, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("endpoint: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return "", false, fmt.Errorf("endpoint %q: want host:port or http(s)://host:port", endpoint)
	}
	return u.Host, u.Scheme == "https", nil
}

func (s *s3Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error) {
	info, err := s.put(ctx, key, r, size, opts)
	if err != nil {
		return Info{}, fmt.Errorf("blob s3: put %q: %w", key, err)
	}
	return info, nil
}

func (s *s3Store) put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	opts, err := normalizePutOptions(opts)
	if err != nil {
		return Info{}, err
	}
	if size < -1 {
		return Info{}, fmt.Errorf("%w: size %d", ErrInvalidOptions, size)
	}
	pr := newPutReader(ctx, r, size)
	var body io.Reader = pr
	switch {
	case size == 0:
		// minio-go reads nothing for an empty object: check the stream is.
		if _, err := pr.Read(nil); !errors.Is(err, io.EOF) {
			return Info{}, err
		}
	case size < 0:
		var head bytes.Buffer
		n, err := io.CopyN(&head, pr, smallUnknownSize)
		switch {
		case errors.Is(err, io.EOF):
			size, body = n, &head
		case err != nil:
			return Info{}, pr.cause(err)
		default:
			body = io.MultiReader(&head, pr)
		}
	}
	meta := make(map[string]string, len(opts.Metadata))
	for k, v := range opts.Metadata {
		meta[k] = encodeMetadataValue(v)
	}
	// minio-go reads a part into one buffer of PartSize and uploads it before
	// reading the next, completes the multipart upload only after the last
	// part, and aborts it (even when ctx is cancelled) on any error. Bodies
	// go unsigned, with a CRC-32C trailer the server checks (TrailingHeaders
	// below): hashing them with SHA-256 for the signature costs about a
	// fifth of the throughput on plain HTTP. The CRC catches corruption;
	// against tampering on the wire, use TLS (use_ssl).
	up, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{
		ContentType:          opts.ContentType,
		UserMetadata:         meta,
		PartSize:             s.partSize,
		DisableContentSha256: true,
	})
	if err != nil {
		return Info{}, pr.cause(err)
	}
	info := Info{Key: key, Size: up.Size, ETag: up.ETag, ContentType: opts.ContentType, ModTime: up.LastModified, Metadata: opts.Metadata}
	// A single PUT's response has no Last-Modified: take the server's from
	// a HEAD, unless another Put has replaced the object meanwhile.
	if st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{}); err == nil && st.ETag == up.ETag {
		info.ModTime = st.LastModified
	} else if info.ModTime.IsZero() {
		info.ModTime = time.Now().UTC().Truncate(time.Second)
	}
	return info, nil
}

func (s *s3Store) Get(ctx context.Context, key string, rng *Range) (io.ReadCloser, Info, error) {
	rc, info, err := s.get(ctx, key, rng)
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob s3: get %q: %w", key, err)
	}
	return rc, info, nil
}

func (s *s3Store) get(ctx context.Context, key string, rng *Range) (io.ReadCloser, Info, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Info{}, err
	}
	if err := checkRangeShape(rng); err != nil {
		return nil, Info{}, err
	}
	ranged := rng != nil && !(rng.Offset == 0 && rng.Length == -1)
	var gopts minio.GetObjectOptions
	if ranged {
		end := int64(0) // with Offset > 0: to the end
		if rng.Length > 0 {
			end = rng.Offset + rng.Length - 1
		}
		if err := gopts.SetRange(rng.Offset, end); err != nil {
			return nil, Info{}, fmt.Errorf("%w: %v", ErrInvalidRange, err)
		}
	}
	body, oi, hdr, err := (&minio.Core{Client: s.client}).GetObject(ctx, s.bucket, key, gopts)
	if err != nil {
		return nil, Info{}, mapError(err)
	}
	info := toInfo(oi)
	if !ranged {
		return body, info, nil
	}
	if total, ok := contentRangeTotal(hdr.Get("Content-Range")); ok {
		info.Size = total
		return body, info, nil
	}
	// The server ignored the range (some do for empty objects): apply it.
	off, n, err := checkRange(rng, info.Size)
	if err == nil {
		_, err = io.CopyN(io.Discard, body, off)
	}
	if err != nil {
		_ = body.Close()
		return nil, Info{}, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(body, n), body}, info, nil
}

// contentRangeTotal parses the size out of "bytes 0-9/100".
func contentRangeTotal(h string) (int64, bool) {
	i := strings.LastIndexByte(h, '/')
	if !strings.HasPrefix(h, "bytes ") || i < 0 {
		return 0, false
	}
	total, err := strconv.ParseInt(h[i+1:], 10, 64)
	return total, err == nil
}

func (s *s3Store) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, fmt.Errorf("blob s3: stat %q: %w", key, err)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("blob s3: stat %q: %w", key, mapError(err))
	}
	return toInfo(oi), nil
}

func (s *s3Store) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("blob s3: delete %q: %w", key, err)
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(mapError(err), ErrNotFound) {
			return nil
		}
		return fmt.Errorf("blob s3: delete %q: %w", key, err)
	}
	return nil
}

func (s *s3Store) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return fmt.Errorf("blob s3: list: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx) // stops the listing goroutine when fn fails
	defer cancel()
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return fmt.Errorf("blob s3: list %q: %w", prefix, mapError(oi.Err))
		}
		if err := fn(Info{Key: oi.Key, Size: oi.Size, ETag: oi.ETag, ModTime: oi.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

func (s *s3Store) PresignGet(ctx context.Context, key string, ttl time.Duration, opts PresignOptions) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", fmt.Errorf("blob s3: presign %q: %w", key, err)
	}
	if err := validatePresign(ttl, opts); err != nil {
		return "", fmt.Errorf("blob s3: presign %q: %w", key, err)
	}
	params := url.Values{}
	if opts.ContentDisposition != "" {
		params.Set("response-content-disposition", opts.ContentDisposition)
	}
	if opts.ContentType != "" {
		params.Set("response-content-type", opts.ContentType)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return "", fmt.Errorf("blob s3: presign %q: %w", key, err)
	}
	return u.String(), nil
}

func toInfo(oi minio.ObjectInfo) Info {
	info := Info{Key: oi.Key, Size: oi.Size, ETag: oi.ETag, ContentType: oi.ContentType, ModTime: oi.LastModified}
	for k, v := range oi.UserMetadata {
		if info.Metadata == nil {
			info.Metadata = make(map[string]string, len(oi.UserMetadata))
		}
		info.Metadata[strings.ToLower(k)] = decodeMetadataValue(v)
	}
	return info
}

// mapError turns S3 error codes into this package's sentinels.
func mapError(err error) error {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey" || (resp.Code == "" && resp.StatusCode == http.StatusNotFound):
		return ErrNotFound
	case resp.Code == "InvalidRange" || resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		return fmt.Errorf("%w: %s", ErrInvalidRange, resp.Message)
	}
	return err
}
