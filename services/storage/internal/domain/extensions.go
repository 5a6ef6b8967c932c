package domain

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultAllowedExtensions is udata's ALLOWED_RESOURCES_EXTENSIONS
// (udata/settings.py: ALLOWED_ARCHIVE_EXTENSIONS followed by the rest), in
// its order. Notably absent: parquet, tsv, html.
var defaultAllowedExtensions = []string{
	// Archives
	"tar", "gz", "tgz", "rar", "zip", "7z", "xz", "bz2",
	// Base
	"csv", "txt", "json", "pdf", "xml", "rtf", "xsd",
	// OpenOffice
	"ods", "odt", "odp", "odg",
	// Microsoft Office
	"xls", "xlsx", "doc", "docx", "pps", "ppt",
	// Images
	"jpeg", "jpg", "jpe", "gif", "png", "dwg", "svg", "tiff", "ecw", "svgz", "jp2",
	// Geo
	"shp", "kml", "kmz", "gpx", "shx", "ovr", "geojson", "gpkg",
	// Meteorology
	"grib2",
	// RDF
	"rdf", "ttl", "n3",
	// Misc
	"dbf", "prj", "sql", "sqlite", "db", "epub", "sbn", "sbx", "cpg", "lyr", "owl", "dxf", "ics", "ssim", "other",
}

// DefaultAllowedExtensions returns a copy of udata's default list.
func DefaultAllowedExtensions() []string { return slices.Clone(defaultAllowedExtensions) }

// wrapperExtensions are the extensions of files that wrap another file,
// whose format chains with the inner extension: "csv.gz", "tar.gz",
// "shp.zip". udata chains every dot-separated part; chaining only these,
// and only behind a known extension, keeps "rapport.2023.csv" a "csv".
var wrapperExtensions = map[string]bool{
	"gz": true, "bz2": true, "xz": true, "zip": true, "7z": true, "rar": true,
}

// Extensions is the set of allowed extensions.
type Extensions struct {
	list []string
	set  map[string]bool
}

// NewExtensions validates list (lowercase letters and digits, 1 to 16
// characters, no duplicates) and returns the set; an empty list means
// udata's default.
func NewExtensions(list []string) (*Extensions, error) {
	if len(list) == 0 {
		list = defaultAllowedExtensions
	}
	e := &Extensions{list: make([]string, 0, len(list)), set: make(map[string]bool, len(list))}
	for _, ext := range list {
		ext = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(ext), "."))
		if !isExtension(ext) {
			return nil, fmt.Errorf("allowed extension %q: want 1 to 16 lowercase letters or digits", ext)
		}
		if e.set[ext] {
			continue
		}
		e.set[ext] = true
		e.list = append(e.list, ext)
	}
	return e, nil
}

// List returns the extensions in their configured order.
func (e *Extensions) List() []string { return slices.Clone(e.list) }

// Allowed reports whether ext (lowercase, no dot) may be uploaded.
func (e *Extensions) Allowed(ext string) bool { return e.set[ext] }

func isExtension(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
