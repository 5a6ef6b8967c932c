// Package catalog is the Relais catalog service: users, API tokens,
// organizations and their members, datasets and their resources' metadata,
// served as the gRPC service relais.catalog.v1.CatalogService. Every change
// publishes relais.catalog.* events through a transactional outbox.
//
// Wiring: New opens nothing itself; it receives the database and the bus,
// migrates the catalog and outbox tables, and returns a Service. Register
// puts it on a gRPC server built with grpcx.NewServer, whose Authenticate
// option must be Service.Authenticate (it turns the x-api-key metadata into
// the caller). Run publishes the outbox until its context ends.
//
// Bootstrap: CreateUser is for sysadmins, except while the catalog has no
// user at all — the first user can then be created without a key.
// BootstrapAdmin does the same directly against the database (the `relais
// admin create-user` command): it creates the user, or finds it by email,
// and prints a new API token each time it runs.
package catalog
