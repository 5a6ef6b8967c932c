// Package harvest is the harvest service: it gathers what collectivités
// already publish elsewhere — a data.gouv.fr-compatible API (data.gouv.fr
// itself or another Relais), DCAT catalogues, CKAN portals, DCAT-US
// data.json — into the catalog, semi-automatically and kept in sync.
//
// Sources and runs live in its own database (internal/store). A run is a
// job on NATS (relais.harvest.run.requested, a work-queue consumer): it
// reads the source into a plan that an administrator approves, per item
// or whole, unless the source applies automatically; each source may be
// scheduled. Runs left unfinished by a crash are taken up again when the
// service starts. Writes go to the catalog over gRPC with a sysadmin's
// token (internal/harvester says how duplicates and half-applied changes
// are avoided). The admin API is relais.harvest.v1.HarvestService, for
// sysadmins.
package harvest
