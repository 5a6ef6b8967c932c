// Package tableschema validates tables against Table Schema as the SCDL
// (Socle Commun des Données Locales) uses it, and holds the catalogue of
// the schemas Relais knows.
//
// Parse reads a schema; Schema.Validate streams a table's rows through it
// and returns a report shaped like validata's: structure errors (missing,
// extra, duplicate, misplaced or blank headers, blank rows, rows of the
// wrong length) and cell errors (row number, column, value and a French
// message), with counts and a valid flag. Patterns are normalized to RE2
// (Go's regexp) at Parse time, so a pattern Go cannot run is a Parse error,
// never a panic at validation time.
//
// Catalog, CatalogJSON and Lookup serve the SCDL schemas embedded in the
// binary (copies of ../shared/data/scdl, see schemas/README.md), shaped as
// data.gouv.fr's GET /api/1/datasets/schemas/.
package tableschema
