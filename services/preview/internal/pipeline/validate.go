package pipeline

import (
	"context"
	"encoding/json"

	"github.com/relais-data/relais/services/preview/internal/analysis"
	"github.com/relais-data/relais/services/preview/internal/tableschema"
)

// keyValidationReport carries the whole report from validate to analyze;
// it is not an extras key.
const keyValidationReport = "\x00report"

// validate checks the table against the resource's schema and returns the
// validation-report:* keys (and the report under keyValidationReport).
func (p *Pipeline) validate(ctx context.Context, job Job, path string, prof *analysis.Profile, header []string) map[string]any {
	ex := map[string]any{
		KeyValidationSchema: job.SchemaName, KeyValidationDate: hydraTime(p.now()),
	}
	if job.SchemaVersion != "" {
		ex[KeyValidationVersion] = job.SchemaVersion
	}
	var (
		schema *tableschema.Schema
		err    error
	)
	if job.SchemaName == "" {
		var name, version string
		schema, name, version, err = tableschema.LookupURL(job.SchemaURL)
		ex[KeyValidationSchema], ex[KeyValidationVersion] = name, version
	} else {
		schema, err = tableschema.Lookup(job.SchemaName, job.SchemaVersion)
	}
	if err != nil {
		ex[KeyValidationError] = err.Error()
		return ex
	}
	it, cols, err := p.openRows(ctx, path, prof)
	if err != nil {
		ex[KeyValidationError] = err.Error()
		return ex
	}
	defer it.Close()
	if header == nil {
		for _, c := range cols {
			header = append(header, c.Name)
		}
	}
	lim := tableschema.DefaultLimits()
	lim.RowOffset = int64(prof.HeaderRow)
	report, err := schema.Validate(ctx, header, it.Next, lim)
	if err != nil {
		ex[KeyValidationError] = err.Error()
		return ex
	}
	body, err := json.Marshal(report)
	if err != nil {
		ex[KeyValidationError] = err.Error()
		return ex
	}
	ex[KeyValidationValid] = report.Valid
	ex[KeyValidationErrors] = report.Stats.Errors
	ex[keyValidationReport] = json.RawMessage(body)
	return ex
}
