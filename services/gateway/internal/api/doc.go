// Package api serves data.gouv.fr's HTTP API (/api/1 and /api/2) on top of
// the catalog's gRPC API.
//
// One file per resource holds its handlers (datasets.go, resources.go,
// organizations.go…); routes.go lists every route in one table; errors.go
// turns gRPC statuses and bad input into udata's status codes and bodies;
// pager.go builds the pagination envelope; notfound.go answers what no
// route matches as Flask/Werkzeug would (404 with route suggestions, 405,
// 308 to the slash form).
package api
