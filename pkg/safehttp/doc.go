// Package safehttp fetches remote URLs behind an SSRF guard: a resource's
// URL (preview) or a harvest source's URL is chosen by whoever publishes
// it, so it must not make a service reach the operator's own network
// (databases, the cloud's metadata endpoint, the other services on
// loopback).
//
// The guard checks the address actually dialled (net.Dialer.Control, after
// DNS resolution), not the URL's host, so a name that resolves to a public
// address at check time and a private one at dial time (DNS rebinding) is
// refused too; every redirect dials again and is checked again. Only http
// and https are fetched, with a cap on redirects, bytes, total time and
// idle time between reads. The operator can allow some networks or hosts
// (an intranet data source, a test server on loopback).
package safehttp
