package app

import (
	"errors"
	"strings"

	"github.com/relais-data/relais/services/catalog/internal/domain"
)

// Page size bounds: udata has no maximum; this one protects the process.
const (
	DefaultPageSize = 20
	MaxPageSize     = 1000
)

func isNotFound(err error) bool { return errors.Is(err, domain.ErrNotFound) }

// pageArgs validates page and page_size (0 = default); both must be > 0.
func pageArgs(page, size int32) (int, int, error) {
	var v domain.Violations
	if page < 0 {
		v.Add("page", "page must be greater than 0")
	}
	if size < 0 {
		v.Add("page_size", "page_size must be greater than 0")
	}
	if size > MaxPageSize {
		v.Add("page_size", "page_size must be at most 1000")
	}
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	if page == 0 {
		page = 1
	}
	if size == 0 {
		size = DefaultPageSize
	}
	return int(page), int(size), nil
}

// idList validates the ids filter of a list: at most MaxPageSize object
// ids, lowercased as stored.
func idList(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var v domain.Violations
	if len(ids) > MaxPageSize {
		v.Add("ids", "at most 1000 ids")
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !domain.IsObjectID(id) {
			v.Add("ids", "ids must be identifiers")
			break
		}
		out = append(out, strings.ToLower(id))
	}
	return out, v.Err()
}
