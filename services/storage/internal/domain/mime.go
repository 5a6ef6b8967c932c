package domain

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
)

// SniffLen is how many leading bytes DetectMIME looks at.
const SniffLen = 512

// mimeByExt gives the content type of the allowed extensions, so that the
// result does not depend on the host's /etc/mime.types.
var mimeByExt = map[string]string{
	"tar": "application/x-tar", "gz": "application/gzip", "tgz": "application/gzip",
	"rar": "application/vnd.rar", "zip": "application/zip", "7z": "application/x-7z-compressed",
	"xz": "application/x-xz", "bz2": "application/x-bzip2",
	"csv": "text/csv", "txt": "text/plain", "json": "application/json", "pdf": "application/pdf",
	"xml": "text/xml", "rtf": "application/rtf", "xsd": "application/xml",
	"ods":  "application/vnd.oasis.opendocument.spreadsheet",
	"odt":  "application/vnd.oasis.opendocument.text",
	"odp":  "application/vnd.oasis.opendocument.presentation",
	"odg":  "application/vnd.oasis.opendocument.graphics",
	"xls":  "application/vnd.ms-excel",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"doc":  "application/msword",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"pps":  "application/vnd.ms-powerpoint", "ppt": "application/vnd.ms-powerpoint",
	"jpeg": "image/jpeg", "jpg": "image/jpeg", "jpe": "image/jpeg", "gif": "image/gif", "png": "image/png",
	"dwg": "image/vnd.dwg", "svg": "image/svg+xml", "svgz": "image/svg+xml", "tiff": "image/tiff", "jp2": "image/jp2",
	"kml": "application/vnd.google-earth.kml+xml", "kmz": "application/vnd.google-earth.kmz",
	"gpx": "application/gpx+xml", "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3",
	"rdf": "application/rdf+xml", "ttl": "text/turtle", "n3": "text/n3", "owl": "application/rdf+xml",
	"dbf": "application/x-dbf", "prj": "text/plain", "cpg": "text/plain", "sql": "application/sql",
	"sqlite": "application/vnd.sqlite3", "db": "application/vnd.sqlite3",
	"epub": "application/epub+zip", "dxf": "image/vnd.dxf", "ics": "text/calendar",
}

// containers are sniffed types that many formats share: the extension says
// which one it is (an .xlsx sniffs as a zip, a .kml as XML, JSON as text).
var containers = map[string]bool{
	"text/plain":               true,
	"application/octet-stream": true,
	"text/xml":                 true,
	"application/zip":          true,
}

// DetectMIME decides the content type of a file from its first bytes
// (head, up to SniffLen), its name and the client's hint, and refuses HTML
// as udata does (udata sniffs with libmagic and refuses any type containing
// "html"):
//   - the content is sniffed (net/http's algorithm, after a UTF-8 BOM);
//     HTML is refused whatever the extension;
//   - a specific sniffed type (gzip, PDF, PNG…) wins: it is what the bytes
//     are;
//   - a generic one (text, XML, zip, unknown binary) gives way to the
//     extension's type, then to the client's hint.
func DetectMIME(head []byte, f Filename, hint string) (string, error) {
	sniffed := baseType(http.DetectContentType(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))))
	if strings.Contains(sniffed, "html") {
		return "", HTMLContent(sniffed)
	}
	if sniffed == "application/x-gzip" {
		sniffed = "application/gzip"
	}
	if !containers[sniffed] {
		return sniffed, nil
	}
	if byExt, ok := mimeByExt[f.Ext]; ok {
		return byExt, nil
	}
	if h := baseType(hint); h != "" && !strings.Contains(h, "html") && h != "application/octet-stream" {
		return h, nil
	}
	return sniffed, nil
}

// baseType returns the media type of a Content-Type without parameters,
// lowercase, or "" when it does not parse.
func baseType(ct string) string {
	t, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return t
}
