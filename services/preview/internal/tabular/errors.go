package tabular

import "fmt"

// Error is a client error of the api-tabular endpoints: the HTTP status and
// the body api-tabular answers with, ready to be served as is.
type Error struct {
	Status      int
	Body        []byte
	ContentType string // "application/json" or "text/plain; charset=utf-8"
}

func (e *Error) Error() string {
	return fmt.Sprintf("tabular: %d %s", e.Status, e.Body)
}

// notFound is aiohttp's web.HTTPNotFound, which api-tabular raises for an
// unknown resource: a plain-text body.
func notFound() *Error {
	return &Error{Status: 404, Body: []byte("404: Not Found"), ContentType: "text/plain; charset=utf-8"}
}

// badQuery is api-tabular's QueryException(400, None, "Invalid query string",
// detail).
func badQuery(format string, args ...any) *Error {
	return queryError(400, "Invalid query string", fmt.Sprintf(format, args...))
}

// malformed is the 400 api-tabular gives for an argument it cannot parse.
func malformed(format string, args ...any) *Error {
	return badQuery("Malformed query: "+format, args...)
}

// queryError renders {"errors": [{"code": null, "title": …, "detail": …}]}
// as api-tabular's json.dumps does.
func queryError(status int, title, detail string) *Error {
	var w pyJSON
	w.raw(`{"errors": [{"code": null, "title": `)
	w.str(title)
	w.raw(`, "detail": `)
	w.str(detail)
	w.raw(`}]}`)
	return &Error{Status: status, Body: w.bytes(), ContentType: "application/json"}
}

// clip shortens user text quoted in an error message.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
