// Package preview is the Relais preview service: per-resource analysis,
// the tabular store and query API, TableSchema/SCDL validation and map and
// chart data, served as the gRPC service relais.preview.v1.
package preview
