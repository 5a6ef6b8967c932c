package blob

import (
	"context"
	"fmt"
)

// Backend names.
const (
	BackendFS = "fs"
	BackendS3 = "s3"
)

// Config says which store to open.
type Config struct {
	Backend string   `yaml:"backend" usage:"blob backend: fs (default) or s3"`
	Dir     string   `yaml:"dir" usage:"fs: root directory of the objects (created if missing)"`
	S3      S3Config `yaml:"s3"`
}

// S3Config locates an S3-compatible bucket (MinIO).
type S3Config struct {
	// Endpoint is host:port, or a URL http://host:port or https://host:port
	// whose scheme then decides UseSSL.
	Endpoint     string `yaml:"endpoint" usage:"s3: host:port or http(s)://host:port"`
	Bucket       string `yaml:"bucket"`
	AccessKey    string `yaml:"access_key"`
	SecretKey    string `yaml:"secret_key" secret:"true"`
	Region       string `yaml:"region" usage:"s3: region (default us-east-1)"`
	UseSSL       bool   `yaml:"use_ssl"`
	CreateBucket bool   `yaml:"create_bucket" usage:"s3: create the bucket when it does not exist"`
	// PartSize is the size of multipart upload parts, and so the memory one
	// upload holds: 5 MiB to 5 GiB, default 8 MiB (a 1 GiB upload then grows the
	// process by less than 64 MiB, chunked or not; up to 80 GiB per object).
	PartSize int64 `yaml:"part_size" usage:"s3: multipart part size in bytes (default 8 MiB)"`
}

// Open opens the store cfg describes. For s3 it checks that the bucket
// exists (creating it when CreateBucket is set), so a wrong endpoint or
// credentials fail here rather than on the first request.
func Open(ctx context.Context, cfg Config) (Store, error) {
	switch cfg.Backend {
	case "", BackendFS:
		s, err := openFS(cfg.Dir)
		if err != nil {
			return nil, fmt.Errorf("open blob store fs: %w", err)
		}
		return s, nil
	case BackendS3:
		s, err := openS3(ctx, cfg.S3)
		if err != nil {
			return nil, fmt.Errorf("open blob store s3: %w", err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("open blob store: unknown backend %q (want %q or %q)", cfg.Backend, BackendFS, BackendS3)
	}
}
