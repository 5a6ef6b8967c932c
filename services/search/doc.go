// Package search is the Relais search service: the full-text index of
// datasets, organizations and reuses (pkg/searchindex), fed by catalog events and
// served as the gRPC service relais.search.v1.
package search
