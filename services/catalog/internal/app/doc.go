// Package app is the catalog's application layer: one method per use case
// (create a dataset, add a member, authenticate a token…). It checks who is
// calling (a domain.Caller carried by the context), applies the domain
// rules, reads and writes through the store, and writes the events of every
// change to the outbox in the same transaction. Requests and responses are
// the relais.catalog.v1 messages, so the gRPC handlers stay thin.
package app
