// Package domain holds the storage service's rules, free of gRPC, SQL and
// blob I/O: how an uploaded file name becomes a stored name, a format and a
// key (udata's slugify, extension whitelist and static URL layout), how a
// content type is decided from the first bytes and the extension, and the
// errors the service reports.
package domain
