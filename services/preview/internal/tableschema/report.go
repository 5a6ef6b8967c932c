package tableschema

// Report is the outcome of Validate, shaped like validata's: a valid flag,
// counts, and the errors and warnings found, each with a frictionless
// error code and a French message.
type Report struct {
	Valid bool  `json:"valid"`
	Stats Stats `json:"stats"`
	// Errors are the first Limits.MaxErrors errors, structure errors first
	// then cell errors in row order. Stats counts them all.
	Errors []Issue `json:"errors"`
	// Warnings do not make the table invalid: optional columns missing,
	// columns in another order than the schema's, the schema's own quirks,
	// checks that stopped at a limit.
	Warnings []Issue `json:"warnings"`
	// Truncated is true when more errors were found than listed, or when
	// validation stopped at Limits.MaxRows.
	Truncated bool `json:"truncated"`
}

// Stats are the counts of a report.
type Stats struct {
	Rows     int64 `json:"rows"`     // data rows read, header excluded
	Fields   int   `json:"fields"`   // fields of the schema
	Columns  int   `json:"columns"`  // columns of the table's header
	Errors   int64 `json:"errors"`   // all errors, listed or not
	Warnings int64 `json:"warnings"` // all warnings
	// ByType counts errors by code ("type-error", "missing-label", …).
	ByType map[string]int64 `json:"byType"`
}

// Issue is one error or warning.
type Issue struct {
	// Type is the frictionless/validata code: blank-label, duplicate-label,
	// missing-label, extra-label, incorrect-label, blank-row, extra-cell,
	// missing-cell, type-error, constraint-error, unique-error,
	// cell-too-long, or the custom check's name (french-siret-value, …).
	Type string `json:"type"`
	// Tag is "structure" for the header and the shape of rows, "body" for
	// the cells.
	Tag     string `json:"tag"`
	Message string `json:"message"`
	// RowNumber counts the header as row 1, as frictionless does (plus
	// Limits.RowOffset); 0 for header issues.
	RowNumber int64 `json:"rowNumber,omitempty"`
	// FieldNumber is the 1-based column position in the table.
	FieldNumber int    `json:"fieldNumber,omitempty"`
	FieldName   string `json:"fieldName,omitempty"`
	Cell        string `json:"cell,omitempty"`
	// Constraint names the broken constraint of a constraint-error
	// (required, pattern, enum, minimum…).
	Constraint string `json:"constraint,omitempty"`
}

const (
	tagStructure = "structure"
	tagBody      = "body"
)

// reporter collects issues within the limits.
type reporter struct {
	r         *Report
	maxErrors int
}

func (rp *reporter) error(is Issue) {
	rp.r.Stats.Errors++
	rp.r.Stats.ByType[is.Type]++
	if len(rp.r.Errors) >= rp.maxErrors {
		rp.r.Truncated = true
		return
	}
	rp.r.Errors = append(rp.r.Errors, is)
}

func (rp *reporter) warn(is Issue) {
	rp.r.Stats.Warnings++
	if len(rp.r.Warnings) < rp.maxErrors {
		rp.r.Warnings = append(rp.r.Warnings, is)
	}
}
