package tableschema

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
)

// schemaFiles are byte-exact copies of the schemas in ../shared/data/scdl
// (see schemas/README.md), and catalog.json, which says what
// schema.data.gouv.fr's catalogue says about each and is not in the schema
// files: its name, labels, contact, consolidation dataset.
//
//go:embed schemas
var schemaFiles embed.FS

// ErrUnknownSchema is returned by Lookup for a name or version the
// catalogue does not hold.
var ErrUnknownSchema = errors.New("unknown schema")

// CatalogEntry is one schema as data.gouv.fr's GET /api/1/datasets/schemas/
// lists it (udata's CatalogSchema model, which follows
// schema.data.gouv.fr's schemas.json). Every key is always present, null
// when unknown, as flask-restx marshals it.
type CatalogEntry struct {
	Name                   string           `json:"name"`
	Title                  string           `json:"title"`
	Description            string           `json:"description"`
	SchemaURL              string           `json:"schema_url"`
	SchemaType             string           `json:"schema_type"`
	Contact                *string          `json:"contact"`
	Examples               []Example        `json:"examples"`
	Labels                 []string         `json:"labels"`
	ConsolidationDatasetID *string          `json:"consolidation_dataset_id"`
	Versions               []CatalogVersion `json:"versions"`
	ExternalDoc            *string          `json:"external_doc"`
	ExternalTool           *string          `json:"external_tool"`
	Homepage               *string          `json:"homepage"`
	DatapackageTitle       *string          `json:"datapackage_title"`
	DatapackageName        *string          `json:"datapackage_name"`
	DatapackageDescription *string          `json:"datapackage_description"`
}

// CatalogVersion is one published version of a catalogue schema.
type CatalogVersion struct {
	VersionName string `json:"version_name"`
	SchemaURL   string `json:"schema_url"`
}

// manifest is schemas/catalog.json.
type manifest struct {
	Schemas []struct {
		Name                   string   `json:"name"`
		SchemaType             string   `json:"schema_type"`
		Labels                 []string `json:"labels"`
		Contact                *string  `json:"contact"`
		ConsolidationDatasetID *string  `json:"consolidation_dataset_id"`
		ExternalDoc            *string  `json:"external_doc"`
		ExternalTool           *string  `json:"external_tool"`
		// URLBase is the schema's folder on schema.data.gouv.fr, which
		// publishes each version as <base>/<version>/<file> and the last
		// as <base>/latest/<file>. Empty for schemas it does not publish:
		// their URLs are the "path" their authors give.
		URLBase  *string `json:"url_base"`
		Versions []struct {
			Version string `json:"version"`
			File    string `json:"file"`
		} `json:"versions"`
	} `json:"schemas"`
}

// catalog is the parsed catalogue: entries in order, and each version's
// schema by "name@version".
type catalog struct {
	entries []CatalogEntry
	json    []byte
	schemas map[string]*Schema
	latest  map[string]string // name → last version
	byURL   map[string]string // schema URL → "name@version"
}

// loadCatalog parses the embedded catalogue once; the files are part of
// the binary, so a failure is a build mistake the tests catch.
var loadCatalog = sync.OnceValues(func() (*catalog, error) {
	raw, err := schemaFiles.ReadFile("schemas/catalog.json")
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("schemas/catalog.json: %w", err)
	}
	c := &catalog{schemas: map[string]*Schema{}, latest: map[string]string{}, byURL: map[string]string{}}
	for _, ms := range m.Schemas {
		e := CatalogEntry{
			Name: ms.Name, SchemaType: ms.SchemaType, Contact: ms.Contact, Labels: ms.Labels,
			ConsolidationDatasetID: ms.ConsolidationDatasetID, ExternalDoc: ms.ExternalDoc,
			ExternalTool: ms.ExternalTool, Examples: []Example{}, Versions: []CatalogVersion{},
		}
		var last *Schema
		for _, v := range ms.Versions {
			data, err := schemaFiles.ReadFile("schemas/" + v.File)
			if err != nil {
				return nil, err
			}
			s, err := Parse(data)
			if err != nil {
				return nil, fmt.Errorf("schemas/%s: %w", v.File, err)
			}
			u := s.Path
			if ms.URLBase != nil {
				u = *ms.URLBase + "/" + v.Version + "/" + path.Base(v.File)
			}
			e.Versions = append(e.Versions, CatalogVersion{VersionName: v.Version, SchemaURL: u})
			c.schemas[ms.Name+"@"+v.Version] = s
			c.byURL[u] = ms.Name + "@" + v.Version
			last = s
		}
		if last == nil {
			return nil, fmt.Errorf("schemas/catalog.json: %s has no version", ms.Name)
		}
		lastVersion := e.Versions[len(e.Versions)-1]
		c.latest[ms.Name] = lastVersion.VersionName
		e.Title, e.Description = last.Title, last.Description
		e.SchemaURL = lastVersion.SchemaURL
		if ms.URLBase != nil {
			e.SchemaURL = strings.Replace(lastVersion.SchemaURL, "/"+lastVersion.VersionName+"/", "/latest/", 1)
		}
		c.byURL[e.SchemaURL] = ms.Name + "@" + lastVersion.VersionName
		if last.Homepage != "" {
			e.Homepage = &last.Homepage
		}
		if last.Examples != nil {
			e.Examples = last.Examples
		}
		if e.Labels == nil {
			e.Labels = []string{}
		}
		c.entries = append(c.entries, e)
	}
	var list []any
	b, err := json.Marshal(c.entries)
	if err == nil {
		err = json.Unmarshal(b, &list)
	}
	if err != nil {
		return nil, err
	}
	c.json = appendPyJSON(nil, list)
	return c, nil
})

// Catalog lists the schemas Relais knows, in data.gouv.fr's catalogue
// shape. The caller must not modify the entries. It is empty only if the
// embedded files are broken (a build defect TestCatalog catches); the
// gateway then answers 503, as udata does when it has no catalogue.
func Catalog() []CatalogEntry {
	c, err := loadCatalog()
	if err != nil {
		return nil
	}
	return c.entries
}

// CatalogJSON is the body of GET /api/1/datasets/schemas/ as data.gouv.fr
// sends it: the list of entries, keys sorted, Python's separators and
// \uXXXX escapes (json.dumps with ensure_ascii). Nil when Catalog is
// empty.
func CatalogJSON() []byte {
	c, err := loadCatalog()
	if err != nil {
		return nil
	}
	return c.json
}

// Lookup returns the parsed schema name at version. An empty version or
// "latest" is the last one; a leading "v" is ignored ("v1.1.6" is 1.1.6).
// The schema is shared: callers must not modify it.
func Lookup(name, version string) (*Schema, error) {
	c, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	last, ok := c.latest[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q is not in the catalogue", ErrUnknownSchema, name)
	}
	v := strings.TrimPrefix(version, "v")
	if v == "" || v == "latest" {
		v = last
	}
	s, ok := c.schemas[name+"@"+v]
	if !ok {
		return nil, fmt.Errorf("%w: %q has no version %q", ErrUnknownSchema, name, version)
	}
	return s, nil
}

// LookupURL returns the catalogue schema published at url (a version's
// schema_url, or the entry's, which is its last version), with its name
// and version: a resource's "schema" may give only its URL.
func LookupURL(url string) (s *Schema, name, version string, err error) {
	c, err := loadCatalog()
	if err != nil {
		return nil, "", "", err
	}
	key, ok := c.byURL[url]
	if !ok {
		return nil, "", "", fmt.Errorf("%w: no schema of the catalogue is published at %q", ErrUnknownSchema, url)
	}
	name, version, _ = strings.Cut(key, "@")
	return c.schemas[key], name, version, nil
}
