// Package pipeline analyzes resources: it gets a resource's bytes (from
// the storage service, or from the web behind the SSRF guard), profiles
// them, loads the table into the tabular store, validates it against the
// resource's schema, makes its map data, and writes what it found on the
// resource through the catalog (hydra's analysis:* and check:* extras).
// The profile and the load are one pass over the file (see stream.go): the
// table is queryable about when the analysis ends, its indexes following.
//
// A resource is analyzed again only when its bytes change (a stored file
// with another sha1, a remote resource with another URL), so the
// resource.updated event the catalog publishes for the extras written here
// ends the loop instead of starting it again. Analyses run at most
// Options.Concurrency at a time, and one at a time per resource.
package pipeline
