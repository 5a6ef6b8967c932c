// Package udata speaks data.gouv.fr's wire format.
//
// Rendering: a [Renderer] writes catalog messages as the JSON udata (Flask +
// flask-restx) produces, byte for byte in its conventions: keys sorted, the
// ", " and ": " separators of Python's json.dumps, non-ASCII escaped as
// \uXXXX (surrogate pairs above the BMP), null fields present, datetimes as
// Python's isoformat ("2025-04-07T06:15:30.658000+00:00"). Objects are
// written field by field into a [Writer] — no reflection, no maps — because
// this is the hot path of every read.
//
// Parsing: the Parse* functions turn udata request bodies into catalog
// inputs plus the list of JSON keys they set (the update mask), and report
// malformed fields the way udata's forms do.
package udata
