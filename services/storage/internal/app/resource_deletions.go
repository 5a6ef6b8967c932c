package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// DeletedResource is what relais.catalog.resource.deleted says of the
// resource gone.
type DeletedResource struct {
	DatasetID, ResourceID string
	// Filetype is "file" for uploaded files, "remote" for links.
	Filetype string
	URL      string
}

// DeleteResourceObject deletes the stored object of a deleted resource:
// a "file" resource whose url path is one of the stored keys of the same
// dataset (and, when the file records one, of the same resource). It is
// idempotent: an object already gone, a remote resource or a url that
// points elsewhere changes nothing. It reports the key deleted, if any.
func (s *Service) DeleteResourceObject(ctx context.Context, r DeletedResource) (string, error) {
	if r.Filetype != "file" {
		return "", nil
	}
	key, ok := keyOfURL(r.URL)
	if !ok {
		return "", nil
	}
	f, err := s.store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if f.DatasetID != r.DatasetID || (f.ResourceID != "" && !strings.EqualFold(f.ResourceID, r.ResourceID)) {
		s.log.WarnContext(ctx, "deleted resource points at another resource's file: kept",
			"key", key, "resource_id", r.ResourceID, "dataset_id", r.DatasetID,
			"file_resource_id", f.ResourceID, "file_dataset_id", f.DatasetID)
		return "", nil
	}
	deleted, err := s.Delete(ctx, key)
	if err != nil {
		return "", fmt.Errorf("delete object of resource %s: %w", r.ResourceID, err)
	}
	if !deleted {
		return "", nil
	}
	return key, nil
}

// keyOfURL maps a resource url whose path is /resources/... to its key.
func keyOfURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Path, "/"+domain.ResourcesPrefix) {
		return "", false
	}
	key := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(key, "/../") || strings.HasSuffix(key, "/..") || strings.Contains(key, "/./") {
		return "", false
	}
	return key, true
}
