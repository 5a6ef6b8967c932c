package dcat

import "strconv"

// Catalog describes the catalog node of a page.
type Catalog struct {
	URI         string // the catalog's absolute URL, without query
	Title       string
	Description string
	Homepage    string
	Publisher   string // an organization's URI, for its catalog
	Total       int64
	// Page URLs of the hydra view: this one, and the others ("" when
	// there is none).
	View, First, Last, Next, Previous string
}

// Nodes are the catalog node and its hydra:PartialCollectionView.
func (c Catalog) Nodes() []Node {
	n := Node{Subject: Ref(c.URI)}
	n.Add(Type, Ref(DCAT+"Catalog"))
	n.Add(Type, Ref(HYDRA+"Collection"))
	n.Add(DCT+"title", Str(c.Title))
	n.Add(DCT+"description", Str(c.Description))
	n.Add(DCT+"language", Str("fr"))
	if c.Homepage != "" {
		n.Add(FOAF+"homepage", Ref(c.Homepage))
	}
	if c.Publisher != "" {
		n.Add(DCT+"publisher", Ref(c.Publisher))
	}
	n.Add(HYDRA+"totalItems", Typed(strconv.FormatInt(c.Total, 10), XSD+"integer"))
	n.Add(HYDRA+"view", Ref(c.View))
	v := Node{Subject: Ref(c.View)}
	v.Add(Type, Ref(HYDRA+"PartialCollectionView"))
	for _, p := range []struct{ pred, url string }{
		{"first", c.First}, {"last", c.Last}, {"next", c.Next}, {"previous", c.Previous},
	} {
		if p.url != "" {
			v.Add(HYDRA+p.pred, Ref(p.url))
		}
	}
	return []Node{n, v}
}

// DatasetLink is the catalog's dcat:dataset statement for one dataset,
// written as its own node so that a page streams.
func (c Catalog) DatasetLink(datasetURI string) Node {
	return Node{Subject: Ref(c.URI), Props: []Prop{{DCAT + "dataset", Ref(datasetURI)}}}
}
