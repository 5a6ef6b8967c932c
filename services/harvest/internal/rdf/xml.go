package rdf

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

const xmlNS = "http://www.w3.org/XML/1998/namespace"

// ParseXML reads RDF/XML: every rdf:RDF element of the document, which
// may sit inside another (a CSW GetRecords response holds one a record).
func ParseXML(r io.Reader) (*Graph, error) {
	d := &xmlParser{dec: xml.NewDecoder(r), g: NewGraph()}
	d.dec.Strict = true
	found := false
	for {
		tok, err := d.dec.Token()
		if errors.Is(err, io.EOF) {
			if !found {
				return nil, errors.New("rdf/xml: no rdf:RDF element")
			}
			return d.g, nil
		}
		if err != nil {
			return nil, fmt.Errorf("rdf/xml: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Space == RDFNS && se.Name.Local == "RDF" {
			found = true
			if err := d.nodes(se); err != nil {
				return nil, err
			}
		}
	}
}

type xmlParser struct {
	dec   *xml.Decoder
	g     *Graph
	depth int
}

// nodes reads the node elements of rdf:RDF until its end.
func (d *xmlParser) nodes(parent xml.StartElement) error {
	for {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if _, err := d.node(t, xmlLang(parent, "")); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func (d *xmlParser) token() (xml.Token, error) {
	tok, err := d.dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("rdf/xml: unexpected end of document")
	}
	if err != nil {
		return nil, fmt.Errorf("rdf/xml: %w", err)
	}
	return tok, nil
}

func attr(se xml.StartElement, space, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func xmlLang(se xml.StartElement, inherited string) string {
	if l, ok := attr(se, xmlNS, "lang"); ok {
		return l
	}
	return inherited
}

// node reads a node element (its start read) to its end and returns its
// subject.
func (d *xmlParser) node(se xml.StartElement, lang string) (Term, error) {
	if d.depth++; d.depth > maxNest {
		return Term{}, ErrTooDeep
	}
	defer func() { d.depth-- }()
	lang = xmlLang(se, lang)
	var s Term
	if v, ok := attr(se, RDFNS, "about"); ok {
		s = iri(v)
	} else if v, ok := attr(se, RDFNS, "nodeID"); ok {
		s = blank("x" + v)
	} else if v, ok := attr(se, RDFNS, "ID"); ok {
		s = iri("#" + v)
	} else {
		s = d.g.fresh()
	}
	if !(se.Name.Space == RDFNS && se.Name.Local == "Description") {
		d.g.Add(s, iri(Type), iri(se.Name.Space+se.Name.Local))
	}
	d.propertyAttrs(s, se, lang)
	for {
		tok, err := d.token()
		if err != nil {
			return s, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := d.property(s, t, lang); err != nil {
				return s, err
			}
		case xml.EndElement:
			return s, nil
		}
	}
}

// propertyAttrs reads the attributes of se that are properties (not rdf:
// or xml: ones) as literals of s.
func (d *xmlParser) propertyAttrs(s Term, se xml.StartElement, lang string) int {
	n := 0
	for _, a := range se.Attr {
		if a.Name.Space == RDFNS && a.Name.Local == "type" {
			d.g.Add(s, iri(Type), iri(a.Value))
			n++
			continue
		}
		if a.Name.Space == "" || a.Name.Space == RDFNS || a.Name.Space == xmlNS || a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		d.g.Add(s, iri(a.Name.Space+a.Name.Local), Term{Kind: Literal, Value: a.Value, Lang: lang})
		n++
	}
	return n
}

// property reads a property element of s to its end.
func (d *xmlParser) property(s Term, pe xml.StartElement, lang string) error {
	lang = xmlLang(pe, lang)
	p := iri(pe.Name.Space + pe.Name.Local)
	if v, ok := attr(pe, RDFNS, "resource"); ok {
		d.g.Add(s, p, iri(v))
		return d.dec.Skip()
	}
	if v, ok := attr(pe, RDFNS, "nodeID"); ok {
		d.g.Add(s, p, blank("x"+v))
		return d.dec.Skip()
	}
	switch pt, _ := attr(pe, RDFNS, "parseType"); pt {
	case "Resource":
		o := d.g.fresh()
		d.g.Add(s, p, o)
		return d.propertiesUntilEnd(o, lang)
	case "Literal":
		var b strings.Builder
		if err := d.innerText(&b); err != nil {
			return err
		}
		d.g.Add(s, p, Term{Kind: Literal, Value: b.String(), Datatype: RDFNS + "XMLLiteral"})
		return nil
	case "Collection":
		// Each member is linked directly (not as an rdf:List): what a
		// catalogue reader needs.
		for {
			tok, err := d.token()
			if err != nil {
				return err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				o, err := d.node(t, lang)
				if err != nil {
					return err
				}
				d.g.Add(s, p, o)
			case xml.EndElement:
				return nil
			}
		}
	}
	datatype, _ := attr(pe, RDFNS, "datatype")
	var text strings.Builder
	var obj *Term
	for {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			if obj != nil {
				return errors.New("rdf/xml: a property element holds two nodes")
			}
			o, err := d.node(t, lang)
			if err != nil {
				return err
			}
			obj = &o
		case xml.EndElement:
			switch {
			case obj != nil:
				d.g.Add(s, p, *obj)
			default:
				o := d.g.fresh()
				if d.propertyAttrs(o, pe, lang) > 0 { // an empty property element with property attributes
					d.g.Add(s, p, o)
					return nil
				}
				lit := Term{Kind: Literal, Value: text.String(), Datatype: datatype}
				if datatype == "" {
					lit.Lang = lang
				}
				d.g.Add(s, p, lit)
			}
			return nil
		}
	}
}

// propertiesUntilEnd reads property elements of s up to the end of the
// enclosing element.
func (d *xmlParser) propertiesUntilEnd(s Term, lang string) error {
	if d.depth++; d.depth > maxNest {
		return ErrTooDeep
	}
	defer func() { d.depth-- }()
	for {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := d.property(s, t, lang); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// innerText collects the text of an element's content, to its end.
func (d *xmlParser) innerText(b *strings.Builder) error {
	depth := 0
	for {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}
