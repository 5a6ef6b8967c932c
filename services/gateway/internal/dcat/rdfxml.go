package dcat

import (
	"encoding/xml"
	"io"
	"strings"
)

type xmlWriter struct{ bw }

func newRDFXML(w io.Writer) Writer {
	x := &xmlWriter{newBW(w)}
	x.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rdf:RDF")
	for _, ns := range Namespaces {
		x.WriteString("\n   xmlns:" + ns.Prefix + "=\"" + ns.IRI + "\"")
	}
	x.WriteString("\n>\n")
	return x
}

func (w *xmlWriter) Write(n Node) error {
	if len(n.Props) == 0 {
		return nil
	}
	w.WriteString("  <rdf:Description ")
	w.WriteString(xmlSubject(n.Subject))
	w.WriteString(">\n")
	for _, p := range n.Props {
		name, decl := qname(p.Pred)
		w.WriteString("    <" + name + decl)
		switch p.Obj.Kind {
		case IRI:
			w.WriteString(` rdf:resource="` + xmlText(p.Obj.Value) + `"/>` + "\n")
			continue
		case Blank:
			w.WriteString(` rdf:nodeID="` + xmlText(p.Obj.Value) + `"/>` + "\n")
			continue
		}
		if p.Obj.Datatype != "" {
			w.WriteString(` rdf:datatype="` + xmlText(p.Obj.Datatype) + `"`)
		}
		if p.Obj.Lang != "" {
			w.WriteString(` xml:lang="` + xmlText(p.Obj.Lang) + `"`)
		}
		w.WriteString(">" + xmlText(p.Obj.Value) + "</" + name + ">\n")
	}
	w.WriteString("  </rdf:Description>\n")
	return nil
}

func (w *xmlWriter) Close() error {
	w.WriteString("</rdf:RDF>\n")
	return w.Flush()
}

func xmlSubject(t Term) string {
	if t.Kind == Blank {
		return `rdf:nodeID="` + xmlText(t.Value) + `"`
	}
	return `rdf:about="` + xmlText(t.Value) + `"`
}

// qname is a predicate as an XML name, with the declaration of its
// namespace when it is not one of the document's.
func qname(iri string) (name, decl string) {
	if prefix, local := split(iri); prefix != "" {
		return prefix + ":" + local, ""
	}
	i := strings.LastIndexAny(iri, "#/")
	if i > 0 && simpleLocal(iri[i+1:]) {
		return "ns0:" + iri[i+1:], ` xmlns:ns0="` + xmlText(iri[:i+1]) + `"`
	}
	return "rdfs:comment", "" // not a name XML can hold: never one of ours
}

// xmlText escapes s, dropping the characters XML 1.0 cannot hold.
func xmlText(s string) string {
	var b strings.Builder
	clean := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 {
			return r
		}
		return -1
	}, s)
	_ = xml.EscapeText(&b, []byte(clean))
	return b.String()
}
