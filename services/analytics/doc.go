// Package analytics is the Relais analytics service: it counts the views
// the gateway publishes (relais.gateway.<object>.viewed) and the downloads
// storage publishes (relais.storage.resource.downloaded), per object, day
// and month, each event exactly once, and serves the counts as the gRPC
// service relais.analytics.v1.AnalyticsService.
//
// Exactly once: a batch of events is counted in one transaction that also
// records their ids; the batch is acknowledged after the commit. A crash
// before the commit loses nothing (the batch is redelivered); a crash after
// it counts nothing twice (the ids are there). No personal data is kept:
// an event names an object, an instant and whether a robot made it.
//
// Wiring: New receives the database, the bus and the logger and migrates
// the analytics tables; Register puts the service on a gRPC server; Run
// consumes events (durable consumer analytics-counts) until its context
// ends.
package analytics
