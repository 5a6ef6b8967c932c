package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// MsgResourceNotFound is udata's message for an unknown resource.
const MsgResourceNotFound = "Resource not found"

// GetResource returns a resource by id and the id of its dataset.
func (s *Service) GetResource(ctx context.Context, rid string) (*catalogv1.Resource, string, error) {
	dsID, err := s.store.DatasetIDForResource(ctx, rid)
	if err != nil {
		return nil, "", err
	}
	d, err := s.store.GetDataset(ctx, dsID)
	if err != nil {
		return nil, "", err
	}
	if err := visibleDataset(CallerFrom(ctx), d, dsID); err != nil {
		return nil, "", err
	}
	i := resourceIndex(d, rid)
	if i < 0 {
		return nil, "", fmt.Errorf("resource %s: %w", rid, domain.ErrNotFound)
	}
	return d.GetResources()[i], d.GetId(), nil
}

func resourceIndex(d *catalogv1.Dataset, rid string) int {
	rid = strings.ToLower(rid)
	for i, r := range d.GetResources() {
		if r.GetId() == rid {
			return i
		}
	}
	return -1
}

// CreateResource adds a resource at the head of a dataset's resources.
func (s *Service) CreateResource(ctx context.Context, ref string, in *catalogv1.ResourceInput) (*catalogv1.Resource, error) {
	var created *catalogv1.Resource
	_, err := s.editDataset(ctx, ref, false, func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error {
		r := newResource(in, now)
		if resourceIndex(d, r.GetId()) >= 0 {
			r.Id = domain.NewUUID4()
		}
		var v domain.Violations
		applyResourceInput(&v, r, in, resourcePaths, now, true)
		if err := v.Err(); err != nil {
			return err
		}
		d.Resources = append([]*catalogv1.Resource{r}, d.GetResources()...)
		created = r
		return s.resourceEvent(ctx, q, Created, caller.UserID, d.GetId(), r, now)
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// UpdateResource changes the fields of a resource named by mask (nil =
// all). The filetype cannot change.
func (s *Service) UpdateResource(ctx context.Context, ref, rid string, in *catalogv1.ResourceInput, mask []string) (*catalogv1.Resource, error) {
	paths := mask
	if paths == nil {
		paths = resourcePaths
	}
	var updated *catalogv1.Resource
	_, err := s.editDataset(ctx, ref, false, func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error {
		i := resourceIndex(d, rid)
		if i < 0 {
			return fmt.Errorf("resource %s: %w", rid, domain.ErrNotFound)
		}
		r := d.GetResources()[i]
		var v domain.Violations
		applyResourceInput(&v, r, in, paths, now, false)
		if err := v.Err(); err != nil {
			return err
		}
		updated = r
		return s.resourceEvent(ctx, q, Updated, caller.UserID, d.GetId(), r, now)
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

// DeleteResource removes a resource from its dataset.
func (s *Service) DeleteResource(ctx context.Context, ref, rid string) error {
	_, err := s.editDataset(ctx, ref, false, func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error {
		i := resourceIndex(d, rid)
		if i < 0 {
			return fmt.Errorf("resource %s: %w", rid, domain.ErrNotFound)
		}
		r := d.GetResources()[i]
		d.Resources = append(d.GetResources()[:i:i], d.GetResources()[i+1:]...)
		return s.resourceEvent(ctx, q, Deleted, caller.UserID, d.GetId(), r, now)
	})
	return err
}

// ReorderResources puts the resources in the order of ids, which must name
// every resource exactly once.
func (s *Service) ReorderResources(ctx context.Context, ref string, ids []string) ([]*catalogv1.Resource, error) {
	d, err := s.editDataset(ctx, ref, false, func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error {
		if len(ids) != len(d.GetResources()) {
			return domain.Invalid("resources", "Resources ids must match the dataset's resources")
		}
		out := make([]*catalogv1.Resource, 0, len(ids))
		seen := map[int]bool{}
		for _, id := range ids {
			i := resourceIndex(d, id)
			if i < 0 || seen[i] {
				return domain.Invalid("resources", "Resources ids must match the dataset's resources")
			}
			seen[i] = true
			out = append(out, d.GetResources()[i])
		}
		d.Resources = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d.GetResources(), nil
}

// UpdateExtras merges mergeJSON into the extras of a dataset (or of one of
// its resources): a null value deletes its key; deleteKeys are removed.
func (s *Service) UpdateExtras(ctx context.Context, ref, rid string, mergeJSON []byte, deleteKeys []string) ([]byte, error) {
	var patch map[string]json.RawMessage
	if len(mergeJSON) > 0 {
		if err := json.Unmarshal(mergeJSON, &patch); err != nil {
			return nil, domain.Invalid("extras", "Must be a JSON object")
		}
	}
	var out []byte
	_, err := s.editDataset(ctx, ref, false, func(q store.Q, caller domain.Caller, d *catalogv1.Dataset, now time.Time) error {
		target := &d.ExtrasJson
		var r *catalogv1.Resource
		if rid != "" {
			i := resourceIndex(d, rid)
			if i < 0 {
				return fmt.Errorf("resource %s: %w", rid, domain.ErrNotFound)
			}
			r = d.GetResources()[i]
			target = &r.ExtrasJson
		}
		// udata ignores unknown keys in a dataset's list, but answers 404
		// for a resource's.
		merged, err := mergeExtras(*target, patch, deleteKeys, r != nil)
		if err != nil {
			return err
		}
		*target = merged
		out = merged
		if r != nil {
			return s.resourceEvent(ctx, q, Updated, caller.UserID, d.GetId(), proto.CloneOf(r), now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mergeExtras applies patch and deleteKeys to the extras cur; with
// strict, deleting a key cur lacks fails (ErrNotFound).
func mergeExtras(cur []byte, patch map[string]json.RawMessage, deleteKeys []string, strict bool) ([]byte, error) {
	m := map[string]json.RawMessage{}
	if len(cur) > 0 {
		if err := json.Unmarshal(cur, &m); err != nil {
			return nil, fmt.Errorf("decode stored extras: %w", err)
		}
	}
	for k, v := range patch {
		if string(v) == "null" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	for _, k := range deleteKeys {
		if _, ok := m[k]; !ok && strict {
			return nil, fmt.Errorf("extras key %q: %w", k, domain.ErrNotFound)
		}
		delete(m, k)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode extras: %w", err)
	}
	return b, nil
}
