package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/relais-data/relais/services/preview/internal/analysis"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// analyze makes the new record of job: analyzed, or failed with the
// reason. A *failure error is a transient one (see retry.go); any other
// error is the context's.
func (p *Pipeline) analyze(ctx context.Context, job Job) (*records.Record, error) {
	started := p.now()
	rec := &records.Record{
		ResourceID: job.ResourceID, DatasetID: job.DatasetID, Source: job.source(), Signature: job.Signature,
		State: records.StateDone,
	}
	path, check, err := p.obtain(ctx, job)
	var fail *failure
	if errors.As(err, &fail) && !fail.transient {
		return p.failed(rec, fail.reason, fail.check, started)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if fail == nil { // the storage service failing, unreachable
			fail = &failure{reason: err.Error(), transient: true}
		}
		return nil, fail
	}
	defer os.Remove(path)

	stream := newStreamLoad(ctx, p.opts.Tabular, job.table())
	prof, err := analysis.AnalyzeTee(ctx, path, job.fileName(), p.opts.Limits, stream)
	if err != nil {
		_, _, _ = stream.finish(nil) // abandons the table
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// ErrUnreadable's message is the reason for a human; any other
		// failure of the analysis is a reason too, never a silent miss.
		return p.failed(rec, err.Error(), check, started)
	}
	ex := prof.Extras()
	if ex == nil {
		ex = map[string]any{}
	}
	for k, v := range check {
		ex[k] = v
	}
	ex[KeyParsingStartedAt] = hydraTime(started)

	header, rows, err := p.loadTable(ctx, job, path, prof, stream)
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		ex[KeyParsingError] = err.Error()
		p.opts.Log.WarnContext(ctx, "table not loaded", "resource_id", job.ResourceID, "format", prof.Format, "err", err)
	default:
		rec.Tabular = true
		ex[KeyParsingTable] = job.ResourceID
	}
	if prof.Format == "geojson" {
		if err := p.geoJSON(ctx, path, prof, rec); err != nil {
			ex[KeyParsingError] = err.Error()
		}
	} else if loc, ok := locate(prof); ok && rec.Tabular {
		rec.MapKind = records.MapPoints
		rec.Location, _ = json.Marshal(loc)
	}
	if job.SchemaName != "" || job.SchemaURL != "" {
		for k, v := range p.validate(ctx, job, path, prof, header) {
			ex[k] = v
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if v, ok := ex[keyValidationReport]; ok {
			rec.Validation = v.(json.RawMessage)
			delete(ex, keyValidationReport)
		}
	}
	finished := p.now()
	ex[KeyParsingFinishedAt] = hydraTime(finished)
	rec.AnalyzedAt = finished
	if rec.Extras, err = json.Marshal(ex); err != nil {
		return nil, fmt.Errorf("extras of %s: %w", job.ResourceID, err)
	}
	p.opts.Log.InfoContext(ctx, "resource analyzed", "resource_id", job.ResourceID, "format", prof.Format,
		"rows", rows, "tabular", rec.Tabular, "map", rec.MapKind, "duration", finished.Sub(started))
	return rec, nil
}

// failed is the record of a file that cannot be analyzed: the reason in
// analysis:error (and the failed check of a remote resource).
func (p *Pipeline) failed(rec *records.Record, reason string, check map[string]any, started time.Time) (*records.Record, error) {
	ex := map[string]any{KeyError: reason}
	for k, v := range check {
		ex[k] = v
	}
	finished := p.now()
	ex[KeyParsingStartedAt], ex[KeyParsingFinishedAt] = hydraTime(started), hydraTime(finished)
	rec.State, rec.Error, rec.AnalyzedAt = records.StateFailed, reason, finished
	var err error
	rec.Extras, err = json.Marshal(ex)
	p.opts.Log.Info("resource not analyzable", "resource_id", rec.ResourceID, "reason", reason)
	return rec, err
}

// loadTable ends the one-pass load of the file's rows into the tabular
// store, or loads them from the file when there was none (GeoJSON) or its
// types were mispredicted. It returns the table's header (the columns'
// names) and the rows loaded.
func (p *Pipeline) loadTable(ctx context.Context, job Job, path string, prof *analysis.Profile, stream *streamLoad) ([]string, int64, error) {
	n, streamed, err := stream.finish(prof)
	if streamed && !errors.Is(err, errMispredicted) {
		if err != nil {
			return nil, 0, fmt.Errorf("load table: %w", err)
		}
		return columnNames(prof.Columns), n, nil
	}
	if streamed {
		p.opts.Log.InfoContext(ctx, "loading the table again", "resource_id", job.ResourceID, "reason", err)
	}
	it, cols, err := p.openRows(ctx, path, prof)
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	n, err = loadRows(ctx, p.opts.Tabular, job.table(), prof, it, cols)
	if err != nil {
		return nil, 0, err
	}
	return columnNames(cols), n, nil
}

// loadRows loads the rows of it, of columns cols, into the table t.
func loadRows(ctx context.Context, store *tabular.Store, t tabular.Table, prof *analysis.Profile, it rowIter, cols []analysis.Column) (int64, error) {
	profile, err := json.Marshal(prof.CSVDetective())
	if err != nil {
		return 0, fmt.Errorf("profile: %w", err)
	}
	t.Profile = profile
	t.Columns = make([]tabular.Column, len(cols))
	for i, c := range cols {
		t.Columns[i] = tabular.Column{Name: c.Name, Type: c.Type}
	}
	values := make([]any, len(cols))
	n, err := store.LoadTable(ctx, t, func() ([]any, error) {
		row, err := it.Next()
		if err != nil {
			return nil, err
		}
		for i, c := range cols {
			values[i] = nil
			if i < len(row) {
				// A cell the column's type does not fit is stored as
				// null, as api-tabular's loader does.
				values[i], _ = analysis.Parse(c, row[i])
			}
		}
		return values, nil
	})
	if err != nil {
		return 0, fmt.Errorf("load table: %w", err)
	}
	return n, nil
}

func columnNames(cols []analysis.Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// rowIter is analysis.RowIter's shape.
type rowIter interface {
	Next() ([]string, error)
	Close() error
}

// openRows streams the data rows of the file (after its header) and says
// their columns.
func (p *Pipeline) openRows(ctx context.Context, path string, prof *analysis.Profile) (rowIter, []analysis.Column, error) {
	if prof.Format == "geojson" {
		return p.propertyRows(ctx, path, prof)
	}
	it, err := analysis.Rows(ctx, path, prof, p.opts.Limits)
	if err != nil {
		return nil, nil, err
	}
	return it, prof.Columns, nil
}
