// Package domain holds the catalog's rules in plain Go, with no knowledge of
// gRPC, SQL or NATS: identifiers (ObjectIds, UUID4s), slugs as udata makes
// them, validation of datasets, resources, organizations and tags, the
// reference lists (licences, frequencies, resource types, roles), dataset
// quality and last_update, permissions, and the errors the catalog returns.
package domain
