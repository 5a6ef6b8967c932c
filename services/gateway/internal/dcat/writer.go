package dcat

import (
	"bufio"
	"io"
	"strings"
)

// Writer writes nodes in one RDF syntax.
type Writer interface {
	// Write writes a node (its subject may come again in a later node:
	// RDF merges them).
	Write(n Node) error
	// Close ends the document and flushes it; it does not close the
	// underlying writer.
	Close() error
}

// Format is an RDF syntax udata serves.
type Format struct {
	Ext         string // the canonical extension
	ContentType string
	New         func(io.Writer) Writer
}

var (
	rdfXML   = Format{"xml", "application/rdf+xml", newRDFXML}
	turtle   = Format{"ttl", "application/x-turtle", newTurtle}
	n3       = Format{"n3", "text/n3", newTurtle}
	nTriples = Format{"nt", "application/n-triples", newNTriples}
	trig     = Format{"trig", "application/trig", newTurtle}
	jsonLD   = Format{"jsonld", "application/ld+json", newJSONLD}
)

// byExt maps udata's extensions to formats (Turtle is valid N3 and TriG).
var byExt = map[string]Format{
	"xml": rdfXML, "rdf": rdfXML, "owl": rdfXML,
	"ttl": turtle, "n3": n3, "nt": nTriples, "trig": trig,
	"json": jsonLD, "jsonld": jsonLD,
}

// ByExt is the format of an extension.
func ByExt(ext string) (Format, bool) {
	f, ok := byExt[strings.ToLower(ext)]
	return f, ok
}

// accepted maps the Accept values udata understands to extensions.
var accepted = map[string]string{
	"application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
	"text/turtle": "ttl", "application/x-turtle": "ttl", "text/n3": "n3",
	"application/n-triples": "nt", "application/ld+json": "json", "application/json": "json",
	"application/trig": "trig",
}

// Negotiate picks the extension for an Accept header: the first
// understood type, JSON-LD when none is.
func Negotiate(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		if ext, ok := accepted[strings.ToLower(strings.TrimSpace(mt))]; ok {
			return ext
		}
	}
	return "json"
}

// bw is the buffered output every writer shares.
type bw struct {
	*bufio.Writer
}

func newBW(w io.Writer) bw { return bw{bufio.NewWriterSize(w, 32<<10)} }

// split cuts an IRI into a known namespace's prefix and a local name that
// is safe in every syntax's prefixed names ("" when none fits).
func split(iri string) (prefix, local string) {
	for _, ns := range Namespaces {
		if rest, ok := strings.CutPrefix(iri, ns.IRI); ok && simpleLocal(rest) {
			return ns.Prefix, rest
		}
	}
	return "", ""
}

func simpleLocal(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}
