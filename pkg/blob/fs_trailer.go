package blob

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// An fs object file is
//
//	bytes | trailer (JSON) | footer: trailer length (uint32 BE), CRC-32C of the trailer (uint32 BE), magic
//
// The bytes come first, so the trailer is written once they have streamed
// through and their size and hash are known, and a range read is a plain
// read at an offset.
const (
	footerLen   = 16
	maxTrailer  = 64 << 10
	footerMagic = "relais\x00b"
)

type trailer struct {
	Version     int               `json:"v"`
	Size        int64             `json:"size"`
	ETag        string            `json:"etag"`
	ContentType string            `json:"content_type"`
	Metadata    map[string]string `json:"metadata,omitempty"`
}

// crc is CRC-32C (MakeTable caches the Castagnoli table).
func crc(b []byte) uint32 { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) }

func appendTrailer(b []byte, t trailer) ([]byte, error) {
	t.Version = 1
	js, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("encode trailer: %w", err)
	}
	b = append(b, js...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(js)))
	b = binary.BigEndian.AppendUint32(b, crc(js))
	return append(b, footerMagic...), nil
}

// errCorrupt marks a file under the root that is not a well-formed object.
var errCorrupt = errors.New("not a blob object file (corrupt or foreign)")

// readTrailer reads the trailer of an object file of fileSize bytes.
func readTrailer(f io.ReaderAt, fileSize int64) (trailer, error) {
	if fileSize < footerLen {
		return trailer{}, errCorrupt
	}
	var foot [footerLen]byte
	if _, err := f.ReadAt(foot[:], fileSize-footerLen); err != nil {
		return trailer{}, fmt.Errorf("read footer: %w", err)
	}
	if !bytes.Equal(foot[8:], []byte(footerMagic)) {
		return trailer{}, errCorrupt
	}
	n := int64(binary.BigEndian.Uint32(foot[:4]))
	if n > maxTrailer || n > fileSize-footerLen {
		return trailer{}, errCorrupt
	}
	js := make([]byte, n)
	if _, err := f.ReadAt(js, fileSize-footerLen-n); err != nil {
		return trailer{}, fmt.Errorf("read trailer: %w", err)
	}
	if crc(js) != binary.BigEndian.Uint32(foot[4:8]) {
		return trailer{}, errCorrupt
	}
	var t trailer
	if err := json.Unmarshal(js, &t); err != nil || t.Version != 1 || t.Size != fileSize-footerLen-n {
		return trailer{}, errCorrupt
	}
	return t, nil
}

// fileInfo reads the Info of the object open in f.
func fileInfo(f *os.File, key string) (Info, error) {
	fi, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return Info{}, ErrNotFound // a directory: key is only a prefix of other keys
	}
	t, err := readTrailer(f, fi.Size())
	if err != nil {
		return Info{}, err
	}
	return Info{
		Key:         key,
		Size:        t.Size,
		ETag:        t.ETag,
		ContentType: t.ContentType,
		ModTime:     fi.ModTime(),
		Metadata:    t.Metadata,
	}, nil
}
