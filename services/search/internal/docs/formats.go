package docs

import (
	"slices"
	"strings"
)

// Format families of udata's format_family filter and facet.
const (
	Tabular         = "tabular"
	MachineReadable = "machine_readable"
	Geographical    = "geographical"
	Documents       = "documents"
	OtherFormats    = "other"
)

// formatFamily sorts the lowercase resource formats data.gouv.fr holds
// (the spellings of its catalogue export included: harvested records carry
// MIME subtypes and OGC protocol names) into udata's five families. A
// format not listed here is "other".
var formatFamily = map[string]string{
	"csv": Tabular, "csv.gz": Tabular, "tsv": Tabular, "xls": Tabular, "xlsx": Tabular,
	"xlsm": Tabular, "ods": Tabular, "parquet": Tabular, "dbf": Tabular, "excel": Tabular,
	"microsoft excel": Tabular, "csv/utf8": Tabular, "dbase database file (dbf)": Tabular,
	"vnd.openxmlformats-officedocument.spreadsheetml.sheet": Tabular,
	"vnd.oasis.opendocument.spreadsheet":                    Tabular, "vnd.ms-excel": Tabular,

	"json": MachineReadable, "jsonl": MachineReadable, "ndjson": MachineReadable,
	"json-ld": MachineReadable, "jsonld": MachineReadable, "xml": MachineReadable,
	"rdf": MachineReadable, "rdf/xml": MachineReadable, "ttl": MachineReadable,
	"turtle": MachineReadable, "n3": MachineReadable, "nt": MachineReadable,
	"atom": MachineReadable, "rss": MachineReadable, "yaml": MachineReadable,
	"sparql": MachineReadable, "api": MachineReadable, "gtfs": MachineReadable,
	"gtfs-rt": MachineReadable, "netex": MachineReadable, "siri": MachineReadable,

	"shp": Geographical, "shapefile": Geographical, "esri shapefile": Geographical,
	"esri shapefile (shp)": Geographical, "shapefile (zip)": Geographical,
	"geojson": Geographical, "kml": Geographical, "kmz": Geographical, "gpkg": Geographical,
	"gml": Geographical, "wms": Geographical, "wfs": Geographical, "wmts": Geographical,
	"mapinfo tab": Geographical, "tab": Geographical, "mif": Geographical,
	"mif/mid": Geographical, "dxf": Geographical, "gdb": Geographical,
	"geotiff": Geographical, "ecw": Geographical, "esri rest": Geographical,
	"arcgis geoservices rest api": Geographical, "arcgis": Geographical,
	"ogc api features": Geographical, "qgis": Geographical, "geopackage": Geographical,

	"pdf": Documents, "doc": Documents, "docx": Documents, "odt": Documents,
	"rtf": Documents, "txt": Documents, "html": Documents, "htm": Documents,
	"web page": Documents, "page web": Documents, "document": Documents,
	"md": Documents, "ppt": Documents, "pptx": Documents, "odp": Documents,
	"vnd.openxmlformats-officedocument.wordprocessingml.document": Documents,
}

// FormatFamilies returns the families of a dataset's resource formats,
// each once, in the order the formats come.
func FormatFamilies(formats []string) []string {
	var out []string
	for _, f := range formats {
		family := FormatFamilyOf(f)
		if !slices.Contains(out, family) {
			out = append(out, family)
		}
	}
	return out
}

// FormatFamilyOf returns the family of one resource format.
func FormatFamilyOf(format string) string {
	f := strings.ToLower(strings.TrimSpace(format))
	if family, ok := formatFamily[f]; ok {
		return family
	}
	// Harvested OGC services come as "ogc:wms", "ogc:wfs-1.0.0-http-get-capabilities"…
	if rest, ok := strings.CutPrefix(f, "ogc:"); ok {
		for _, service := range []string{"wms", "wfs", "wmts", "wcs"} {
			if strings.HasPrefix(rest, service) {
				return Geographical
			}
		}
	}
	return OtherFormats
}
