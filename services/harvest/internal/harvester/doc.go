// Package harvester runs harvests: it reads a source into a plan (create,
// update, archive, each with a field-level diff, and the items that cannot
// be harvested with their reason), then applies the approved items to the
// catalog over gRPC as a sysadmin service user.
//
// A remote dataset maps to its local one by its identity at the source
// (remote.Dataset.RemoteID), kept in the store, never by URL or slug, so a
// renamed or moved remote dataset updates the same local one. Creates use
// the catalog's Import with an id chosen at plan time: applying an item
// twice (a resumed run after a crash) finds the dataset already there
// instead of making a second one. Each item is one catalog write: nothing
// is half-applied.
package harvester
