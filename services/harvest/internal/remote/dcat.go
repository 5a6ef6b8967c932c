package remote

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"

	"github.com/relais-data/relais/services/harvest/internal/rdf"
)

// DCAT is a DCAT catalogue in RDF/XML, Turtle, N-Triples or JSON-LD,
// paged with hydra (hydra:next of a PartialCollectionView, or the older
// hydra:nextPage).
type DCAT struct {
	Get Getter
	URL string
}

const (
	dcatNS  = "http://www.w3.org/ns/dcat#"
	dctNS   = "http://purl.org/dc/terms/"
	hydraNS = "http://www.w3.org/ns/hydra/core#"
	rdfsNS  = "http://www.w3.org/2000/01/rdf-schema#"
	foafNS  = "http://xmlns.com/foaf/0.1/"
	schema  = "http://schema.org/"
)

// rdfAccept asks for any syntax the parsers read.
const rdfAccept = "application/rdf+xml, text/turtle;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, application/xml;q=0.5"

// Walk reads each page, its datasets, and follows hydra's next page.
func (s *DCAT) Walk(ctx context.Context, yield func(Dataset) error) error {
	var pages pager
	for next := s.URL; next != ""; {
		if err := pages.next(next); err != nil {
			return err
		}
		page, err := s.Get.Get(ctx, next, rdfAccept)
		if err != nil {
			return err
		}
		g, err := ParseRDF(page.Body, page.ContentType)
		if err != nil {
			return fmt.Errorf("page %s: %w", next, err)
		}
		for _, d := range DCATDatasets(g) {
			if err := yield(d); err != nil {
				return err
			}
		}
		next = nextPage(g, page.URL)
	}
	return nil
}

// ParseRDF reads a document in the syntax its content type names, else
// the one its first bytes suggest.
func ParseRDF(body []byte, contentType string) (*rdf.Graph, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/turtle", "application/x-turtle", "application/n-triples", "text/n3", "application/trig":
		return rdf.ParseTurtle(body)
	case "application/ld+json":
		return rdf.ParseJSONLD(body)
	case "application/rdf+xml":
		return rdf.ParseXML(bytes.NewReader(body))
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	switch {
	case bytes.HasPrefix(trimmed, []byte("<?xml")) || bytes.HasPrefix(trimmed, []byte("<rdf:")) || bytes.HasPrefix(trimmed, []byte("<csw:")):
		return rdf.ParseXML(bytes.NewReader(body))
	case bytes.HasPrefix(trimmed, []byte("{")) || bytes.HasPrefix(trimmed, []byte("[")):
		return rdf.ParseJSONLD(body)
	}
	return rdf.ParseTurtle(body)
}

func nextPage(g *rdf.Graph, base string) string {
	for _, t := range g.Triples {
		if (t.P.Value == hydraNS+"next" || t.P.Value == hydraNS+"nextPage") && t.O.Value != "" {
			return resolve(base, t.O.Value)
		}
	}
	return ""
}

func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// DCATDatasets are the dcat:Dataset nodes of a graph.
func DCATDatasets(g *rdf.Graph) []Dataset {
	var out []Dataset
	for _, s := range g.SubjectsOfType(dcatNS + "Dataset") {
		out = append(out, dcatDataset(g, s))
	}
	return out
}

func dcatDataset(g *rdf.Graph, s rdf.Term) Dataset {
	d := Dataset{
		RemoteID: text(g, s, dctNS+"identifier"),
		Title:    strings.TrimSpace(text(g, s, dctNS+"title")),
		Desc:     firstNonEmpty(text(g, s, dctNS+"description"), text(g, s, dctNS+"abstract")),
		Acronym:  text(g, s, "http://www.w3.org/2004/02/skos/core#altLabel"),
		Created:  parseDate(text(g, s, dctNS+"issued")),
		Modified: parseDate(text(g, s, dctNS+"modified")),
	}
	if s.Kind == rdf.IRI {
		d.URI = s.Value
		if d.RemoteID == "" {
			d.RemoteID = s.Value
		}
	}
	if lp := g.Object(s, dcatNS+"landingPage"); lp.Value != "" {
		d.RemoteURL = lp.Value
	}
	for _, k := range g.Objects(s, dcatNS+"keyword") {
		if k.Kind == rdf.Literal && strings.TrimSpace(k.Value) != "" {
			d.Tags = append(d.Tags, strings.TrimSpace(k.Value))
		}
	}
	if f := g.Object(s, dctNS+"accrualPeriodicity"); f.Value != "" {
		d.Frequency = frequency(firstNonEmpty(labelOrValue(g, f)))
	}
	if t := g.Object(s, dctNS+"temporal"); t.Value != "" {
		start := firstNonEmpty(text(g, t, dcatNS+"startDate"), text(g, t, schema+"startDate"))
		end := firstNonEmpty(text(g, t, dcatNS+"endDate"), text(g, t, schema+"endDate"))
		if p := (Period{Start: parseDate(start), End: parseDate(end)}); !p.Start.IsZero() {
			d.Temporal = &p
		}
	}
	d.License = license(g, g.Object(s, dctNS+"license"))
	for _, dist := range g.Objects(s, dcatNS+"distribution") {
		r := Resource{
			Title: text(g, dist, dctNS+"title"), Desc: text(g, dist, dctNS+"description"),
			URL:      firstNonEmpty(g.Object(dist, dcatNS+"downloadURL").Value, g.Object(dist, dcatNS+"accessURL").Value),
			RemoteID: text(g, dist, dctNS+"identifier"),
		}
		if r.RemoteID == "" && dist.Kind == rdf.IRI {
			r.RemoteID = dist.Value
		}
		if f := g.Object(dist, dctNS+"format"); f.Value != "" {
			r.Format = strings.ToLower(labelOrValue(g, f))
		}
		if m := g.Object(dist, dcatNS+"mediaType"); m.Value != "" {
			r.Mime = m.Value
			if i := strings.Index(r.Mime, "/media-types/"); i >= 0 { // IANA's IRI
				r.Mime = r.Mime[i+len("/media-types/"):]
			}
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(text(g, dist, dcatNS+"byteSize")), 10, 64); err == nil && n > 0 {
			r.Size = n
		}
		if r.URL == "" {
			continue // nothing to point at
		}
		if d.License == "" {
			d.License = license(g, g.Object(dist, dctNS+"license"))
			if d.License == "" {
				d.License = text(g, dist, dctNS+"rights")
			}
		}
		d.Resources = append(d.Resources, r)
	}
	d.Check()
	return d
}

// license is a licence node's IRI, else its title or label.
func license(g *rdf.Graph, l rdf.Term) string {
	switch l.Kind {
	case rdf.IRI:
		return l.Value
	case rdf.Literal:
		return l.Value
	}
	if l.Value == "" {
		return ""
	}
	return firstNonEmpty(text(g, l, dctNS+"title"), text(g, l, rdfsNS+"label"), text(g, l, dctNS+"identifier"))
}

// labelOrValue is a node's label (a format as dct:IMT) or the term's value.
func labelOrValue(g *rdf.Graph, t rdf.Term) string {
	if t.Kind == rdf.Literal {
		return t.Value
	}
	if l := firstNonEmpty(text(g, t, rdfsNS+"label"), text(g, t, rdf.RDFNS+"value")); l != "" {
		return l
	}
	if i := strings.Index(t.Value, "/file-type/"); i >= 0 { // the EU authority's formats
		return t.Value[i+len("/file-type/"):]
	}
	return t.Value
}

// text is the literal of s for p, French or untagged first.
func text(g *rdf.Graph, s rdf.Term, p string) string {
	var other string
	for _, o := range g.Objects(s, p) {
		if o.Kind != rdf.Literal {
			if other == "" && o.Kind == rdf.IRI {
				other = o.Value
			}
			continue
		}
		if o.Lang == "" || strings.HasPrefix(strings.ToLower(o.Lang), "fr") {
			return o.Value
		}
		if other == "" {
			other = o.Value
		}
	}
	return other
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
