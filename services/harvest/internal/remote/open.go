package remote

import (
	"encoding/json"
	"fmt"
)

// Params are a source's settings beyond its kind and URL.
type Params struct {
	Organizations []string `json:"organizations,omitempty"` // udata: organization ids or slugs; CKAN: names
	SIRETs        []string `json:"sirets,omitempty"`        // udata: SIRETs of organizations
	PageSize      int      `json:"page_size,omitempty"`
}

// Kinds are the source kinds Open knows.
var Kinds = []string{"udata", "dcat", "csw-dcat", "ckan", "dcatus"}

// Open returns the reader of a source of kind at url; params is the JSON of
// Params (empty for none).
func Open(kind, url, params string, get Getter) (Source, error) {
	var p Params
	if params != "" {
		if err := json.Unmarshal([]byte(params), &p); err != nil {
			return nil, fmt.Errorf("source parameters: %w", err)
		}
	}
	switch kind {
	case "udata":
		return &UData{Get: get, BaseURL: url, Organizations: p.Organizations, SIRETs: p.SIRETs, PageSize: p.PageSize}, nil
	case "dcat":
		return &DCAT{Get: get, URL: url}, nil
	case "csw-dcat":
		return &CSWDCAT{Get: get, URL: url, PageSize: p.PageSize}, nil
	case "ckan":
		return &CKAN{Get: get, BaseURL: url, Organizations: p.Organizations, PageSize: p.PageSize}, nil
	case "dcatus":
		return &DCATUS{Get: get, URL: url}, nil
	default:
		return nil, fmt.Errorf("unknown source kind %q (one of %v)", kind, Kinds)
	}
}
