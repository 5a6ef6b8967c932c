package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/preview/internal/records"
)

// Extras keys written beside the analysis's own (analysis.Profile.Extras),
// as data.gouv.fr's hydra and validation write them.
const (
	// KeyError is the reason a file could not be analyzed at all
	// (unreadable, missing, refused by the fetch guard, too large…).
	KeyError = "analysis:error"
	// KeyParsingError is the reason a profiled file could not be loaded
	// as a table.
	KeyParsingError      = "analysis:parsing:error"
	KeyParsingStartedAt  = "analysis:parsing:started_at"
	KeyParsingFinishedAt = "analysis:parsing:finished_at"
	// KeyParsingTable is set once the table is queryable; the gateway
	// serves the resource's preview_url from it (as udata derives its
	// tabular preview from hydra's key).
	KeyParsingTable = "analysis:parsing:parsing_table"
	// The check of a remote resource.
	KeyCheckAvailable   = "check:available"
	KeyCheckDate        = "check:date"
	KeyCheckStatus      = "check:status"
	KeyCheckContentType = "check:headers:content-type"
	KeyCheckTimeout     = "check:timeout"
	KeyLastModifiedAt   = "analysis:last-modified-at"
	KeyLastModifiedHow  = "analysis:last-modified-detection"
	// The validation summary (the whole report is served by
	// GetValidationReport), as data.gouv.fr's validata integration names
	// them.
	KeyValidationValid   = "validation-report:valid_resource"
	KeyValidationErrors  = "validation-report:nb_errors"
	KeyValidationDate    = "validation-report:validation_date"
	KeyValidationSchema  = "validation-report:schema_name"
	KeyValidationVersion = "validation-report:schema_version"
	KeyValidationError   = "validation-report:error"
)

// hydraTime is hydra's timestamp form: microseconds and a +00:00 offset.
func hydraTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-07:00") }

// writeExtras puts rec's extras on the resource, and removes the keys of
// old (the extras of the previous analysis) that rec does not have. A
// resource the catalog does not know yet (an upload whose resource is
// being created) is not an error: its resource.created event brings the
// job back, and the extras are written then.
func (p *Pipeline) writeExtras(ctx context.Context, rec *records.Record, old []byte) error {
	if rec.ExtrasWritten || p.opts.Catalog == nil || rec.DatasetID == "" {
		return nil
	}
	var now, before map[string]json.RawMessage
	if err := json.Unmarshal(rec.Extras, &now); err != nil {
		return fmt.Errorf("extras of %s: %w", rec.ResourceID, err)
	}
	if len(old) > 0 {
		_ = json.Unmarshal(old, &before) // what cannot be read need not be deleted
	}
	// Stale keys are merged as null (deleted if present): delete_keys
	// would fail on a key someone already removed.
	merge := maps.Clone(now)
	for k := range before {
		if _, ok := now[k]; !ok {
			merge[k] = json.RawMessage("null")
		}
	}
	body, err := json.Marshal(merge)
	if err != nil {
		return fmt.Errorf("extras of %s: %w", rec.ResourceID, err)
	}
	_, err = p.opts.Catalog.UpdateExtras(grpcx.WithAPIKey(ctx, p.opts.CatalogAPIKey), &catalogv1.UpdateExtrasRequest{
		Dataset: rec.DatasetID, ResourceId: rec.ResourceID, MergeJson: body,
	})
	switch status.Code(err) {
	case codes.OK:
		rec.ExtrasWritten = true
		return p.opts.Records.MarkExtrasWritten(ctx, rec.ResourceID)
	case codes.NotFound:
		p.opts.Log.InfoContext(ctx, "resource not in the catalog yet: extras written when it is", "resource_id", rec.ResourceID, "dataset_id", rec.DatasetID)
		return nil
	default:
		return fmt.Errorf("write extras of %s: %w", rec.ResourceID, err)
	}
}
