// Package gateway is Relais's public HTTP face: data.gouv.fr's API
// (/api/1, /api/2), wire-compatible — same paths, parameters, JSON keys and
// types, pagination envelope, status codes and error bodies — served by
// calling the other services over gRPC.
//
// The root package holds the configuration and the constructor; the
// routes live in internal/api and the JSON format in internal/udata.
package gateway
