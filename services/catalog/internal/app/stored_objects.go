package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// errUnchanged ends an edit that has nothing to change (its transaction is
// rolled back: no save, no event).
var errUnchanged = errors.New("unchanged")

// ApplyStoredObject records what relais.storage.object.stored says about a
// stored file in the resource it was uploaded for: filesize, checksum
// {sha1}, mime and last_modified. It keeps the catalog right when the
// gateway stored a file but failed to update the resource (a crash between
// the two). It changes nothing when:
//   - the event names no resource, or an unknown one (the resource was
//     never created, or deleted since);
//   - the resource's url no longer points at the object (replaced since);
//   - the resource already says what the event says (a replay).
//
// It reports whether the resource was changed. Errors are only transient
// ones (the database), for the caller to retry.
func (s *Service) ApplyStoredObject(ctx context.Context, ev *eventsv1.FileStored) (bool, error) {
	rid := ev.GetResourceId()
	if rid == "" || ev.GetUrlPath() == "" {
		return false, nil
	}
	dsID, err := s.store.DatasetIDForResource(ctx, rid)
	if isNotFound(err) {
		s.log.InfoContext(ctx, "stored object for an unknown resource: nothing to update",
			"resource_id", rid, "dataset_id", ev.GetDatasetId(), "key", ev.GetKey())
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if want := ev.GetDatasetId(); want != "" && want != dsID {
		s.log.WarnContext(ctx, "stored object names another dataset than its resource's: ignored",
			"resource_id", rid, "event_dataset_id", want, "dataset_id", dsID, "key", ev.GetKey())
		return false, nil
	}
	at := ev.GetOccurredAt().AsTime().UTC()
	if !ev.GetOccurredAt().IsValid() || at.IsZero() {
		at = s.nowUTC()
	}
	// The system acts: no user, every right.
	_, err = s.editDatasetAs(ctx, domain.Caller{Sysadmin: true}, true, dsID, true, func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error {
		i := resourceIndex(d, rid)
		if i < 0 {
			return errUnchanged
		}
		r := d.GetResources()[i]
		if r.GetFiletype() != domain.FiletypeFile || !sameURLPath(r.GetUrl(), ev.GetUrlPath()) {
			return errUnchanged
		}
		if !applyStored(r, ev, at) {
			return errUnchanged
		}
		return s.resourceEvent(ctx, q, Updated, caller.UserID, d.GetId(), r, now)
	})
	switch {
	case errors.Is(err, errUnchanged):
		return false, nil
	case isNotFound(err):
		s.log.InfoContext(ctx, "stored object for a vanished resource: nothing to update", "resource_id", rid, "key", ev.GetKey())
		return false, nil
	case err != nil:
		return false, fmt.Errorf("apply stored object %s to resource %s: %w", ev.GetKey(), rid, err)
	}
	s.log.InfoContext(ctx, "resource updated from stored object", "resource_id", rid, "dataset_id", dsID, "key", ev.GetKey())
	return true, nil
}

// applyStored sets r's file fields from ev; false when they already match.
// last_modified changes only with the other fields, so that a replay
// changes nothing.
func applyStored(r *catalogv1.Resource, ev *eventsv1.FileStored, at time.Time) bool {
	same := r.Filesize != nil && r.GetFilesize() == ev.GetSize() &&
		r.GetChecksum().GetType() == "sha1" && r.GetChecksum().GetValue() == ev.GetSha1() &&
		(ev.GetMime() == "" || r.GetMime() == ev.GetMime())
	if same {
		return false
	}
	size := ev.GetSize()
	r.Filesize = &size
	r.Checksum = &catalogv1.Checksum{Type: "sha1", Value: ev.GetSha1()}
	if ev.GetMime() != "" {
		r.Mime = ev.GetMime()
	}
	if at.After(r.GetLastModifiedInternal().AsTime()) {
		r.LastModifiedInternal = timestamppb.New(at)
	}
	return true
}

// sameURLPath tells whether a resource url points at urlPath.
func sameURLPath(resourceURL, urlPath string) bool {
	u, err := url.Parse(resourceURL)
	if err != nil {
		return false
	}
	return u.EscapedPath() == urlPath || u.Path == urlPath
}
