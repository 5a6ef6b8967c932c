// Package demo turns data.gouv.fr's catalogue export, read by
// pkg/catalogexport, into catalog imports: `relais import`, the embedded
// demo data of `relais -demo`, the 24 189-dataset benchmark and the import
// tests.
package demo

import (
	"io"

	"github.com/relais-data/relais/pkg/catalogexport"
)

// Record is one dataset row of the export (catalogexport.Record).
type Record = catalogexport.Record

// Reader reads Records one at a time (catalogexport.Reader).
type Reader = catalogexport.Reader

// NewReader reads the header of an export and checks its columns.
func NewReader(r io.Reader) (*Reader, error) { return catalogexport.NewReader(r) }

// IsLocalAuthority tells whether an organization name is a collectivité's.
func IsLocalAuthority(name string) bool { return catalogexport.IsLocalAuthority(name) }
