package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// byteRange is the part of a file one Range asks for.
type byteRange struct{ start, length int64 }

// errRangeNotSatisfiable is a Range that selects nothing of the file, or
// that cannot be read (HTTP 416).
var errRangeNotSatisfiable = errors.New("range not satisfiable")

// parseRange reads a Range header for a file of size bytes. It returns nil
// when the whole file is to be sent: no header, another unit than bytes,
// or several ranges (which RFC 9110 lets a server ignore).
func parseRange(h string, size int64) (*byteRange, error) {
	if h == "" {
		return nil, nil
	}
	unit, set, ok := strings.Cut(h, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil, nil
	}
	var spec string
	for s := range strings.SplitSeq(set, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if spec != "" {
			return nil, nil // several ranges: the whole file
		}
		spec = s
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return nil, errRangeNotSatisfiable
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" { // suffix: the last n bytes
		n, err := rangeInt(last)
		if err != nil || n == 0 || size == 0 {
			return nil, errRangeNotSatisfiable
		}
		n = min(n, size)
		return &byteRange{start: size - n, length: n}, nil
	}
	start, err := rangeInt(first)
	if err != nil || start >= size {
		return nil, errRangeNotSatisfiable
	}
	end := size - 1
	if last != "" {
		e, err := rangeInt(last)
		if err != nil || e < start {
			return nil, errRangeNotSatisfiable
		}
		end = min(e, size-1)
	}
	return &byteRange{start: start, length: end - start + 1}, nil
}

// rangeInt parses 1*DIGIT.
func rangeInt(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errRangeNotSatisfiable
	}
	return strconv.ParseInt(s, 10, 64)
}

// etagMatches reports whether an If-None-Match list names etag (weak
// comparison, "*" matches any).
func etagMatches(list, etag string) bool {
	for tag := range strings.SplitSeq(list, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// notModified reports whether a conditional GET or HEAD may be answered
// 304: If-None-Match when present, else If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

// rangeApplies reports whether the Range header is to be honoured: always
// without If-Range, else only when If-Range names the current file
// (strong comparison of its ETag, or its exact modification date).
func rangeApplies(r *http.Request, etag string, modified time.Time) bool {
	ir := strings.TrimSpace(r.Header.Get("If-Range"))
	if ir == "" {
		return true
	}
	if strings.HasPrefix(ir, `"`) {
		return ir == etag
	}
	t, err := http.ParseTime(ir)
	return err == nil && modified.Truncate(time.Second).Equal(t)
}
