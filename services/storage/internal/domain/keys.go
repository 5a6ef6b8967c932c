package domain

import (
	"fmt"
	"time"
)

// Key layout in the blob store:
//
//	resources/{dataset-slug}/{YYYYMMDD-HHMMSS}/{filename}   stored files, as data.gouv.fr's static URLs
//	chunks/{dataset-id}/{uuid}/{part-index:05d}             parts of unfinished chunked uploads
const (
	ResourcesPrefix = "resources/"
	ChunksPrefix    = "chunks/"
	// TimestampLayout is udata's folder of one upload (UTC).
	TimestampLayout = "20060102-150405"
	// MaxIDLen bounds dataset, resource and upload ids.
	MaxIDLen = 64
	// MaxParts bounds total_parts (S3's own limit on multipart parts).
	MaxParts = 10000
)

// ResourceKey is the key of a file stored at t for the dataset slug.
func ResourceKey(datasetSlug string, t time.Time, filename string) string {
	return ResourcesPrefix + datasetSlug + "/" + t.UTC().Format(TimestampLayout) + "/" + filename
}

// URLPath is the public path of a stored file: "/" + key.
func URLPath(key string) string { return "/" + key }

// PartPrefix is the key prefix of a chunked upload's parts.
func PartPrefix(datasetID, uuid string) string {
	return ChunksPrefix + datasetID + "/" + uuid + "/"
}

// PartKey is the key of one part of a chunked upload.
func PartKey(datasetID, uuid string, index int) string {
	return fmt.Sprintf("%s%05d", PartPrefix(datasetID, uuid), index)
}

// CheckID validates an id that becomes a key segment or a column value:
// 1 to MaxIDLen ASCII letters, digits, '-' or '_'. An empty value is
// accepted only when optional.
func CheckID(field, id string, optional bool) error {
	if id == "" {
		if optional {
			return nil
		}
		return Invalid("%s is required", field)
	}
	if len(id) > MaxIDLen {
		return Invalid("%s is longer than %d characters", field, MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return Invalid("%s %q: want letters, digits, '-' or '_'", field, truncate(id))
		}
	}
	return nil
}
