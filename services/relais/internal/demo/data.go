package demo

import _ "embed"

// Export is the embedded demo data: the datasets of 40 collectivités from
// data.gouv.fr's catalogue export of 2026-01-16 (every column as published),
// gzipped. Regenerate with ./gen.
//
//go:embed data/demo-export.csv.gz
var Export []byte
