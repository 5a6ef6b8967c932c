package tabular

import (
	"context"
	"time"
)

// Resource answers /api/resources/{rid}/: when the table was loaded, the
// resource's URL and the links to its profile, data and swagger.
func (s *Store) Resource(ctx context.Context, rid, base string) ([]byte, error) {
	t, err := s.lookup(ctx, rid)
	if err != nil {
		return nil, err
	}
	var w pyJSON
	w.raw(`{"created_at": `)
	// PostgREST's rendering of a timestamptz.
	w.str(time.UnixMicro(t.createdAt).UTC().Format("2006-01-02T15:04:05.999999-07:00"))
	w.raw(`, "url": `)
	if t.url == "" {
		w.null()
	} else {
		w.str(t.url)
	}
	w.raw(`, "links": [`)
	for i, rel := range []string{"profile", "data", "swagger"} {
		if i > 0 {
			w.raw(", ")
		}
		w.raw(`{"href": `)
		w.str(resourceURL(base, rid) + rel + "/")
		w.raw(`, "type": "GET", "rel": `)
		w.str(rel)
		w.raw("}")
	}
	w.raw("]}")
	return w.bytes(), nil
}

// Profile answers /api/resources/{rid}/profile/: the csv-detective profile
// given to Load, with api-tabular's deleted_at, dataset_id and indexes (null:
// every column may be filtered and aggregated).
func (s *Store) Profile(ctx context.Context, rid string) ([]byte, error) {
	t, err := s.lookup(ctx, rid)
	if err != nil {
		return nil, err
	}
	var w pyJSON
	w.raw(`{"profile": `)
	w.document(t.profile)
	w.raw(`, "deleted_at": null, "dataset_id": `)
	if t.datasetID == "" {
		w.null()
	} else {
		w.str(t.datasetID)
	}
	w.raw(`, "indexes": null}`)
	return w.bytes(), nil
}
