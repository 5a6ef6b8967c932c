// Package portal is the gateway's public web portal: server-rendered pages
// in French (home, dataset search, dataset, organization) that read the
// catalog, the search and the analytics services over gRPC, with static
// assets embedded in the binary. Pages are complete without JavaScript;
// a little vanilla JavaScript adds the previews (a table over the tabular
// API, a Leaflet map, an SVG chart) and the validation badges.
//
// Agents of a collectivité sign in (/connexion/) and publish from
// /espace/: datasets created as private drafts, files uploaded in chunks
// with a progress bar, the analysis, table preview and validation report
// checked, then published; their API tokens and their organizations'
// members. session.go says how a session acts as its user on the catalog.
//
// The portal answers every path the API does not: the gateway sends
// /api/, /metric-api/ and /resources/ to the API and the rest here.
package portal
