// Package rdf reads the RDF syntaxes DCAT catalogues come in — RDF/XML
// (also inside another XML document, as a CSW response holds it), Turtle
// and N-Triples, JSON-LD — into one in-memory graph. No RDF library is
// served by the module proxy here, so these are small parsers of the
// parts catalogues use, fuzzed; each bounds its nesting so that hostile
// input ends in an error, never a crash.
package rdf

import (
	"errors"
	"strconv"
)

// Well-known IRIs.
const (
	RDFNS   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	Type    = RDFNS + "type"
	XSDNS   = "http://www.w3.org/2001/XMLSchema#"
	maxNest = 64 // nesting bound of nodes in every syntax
)

// ErrTooDeep is input nested beyond what any catalogue needs.
var ErrTooDeep = errors.New("rdf: nesting too deep")

// Kind is what a term is.
type Kind uint8

// Kinds of terms.
const (
	IRI Kind = iota
	Blank
	Literal
)

// Term is a node or a literal.
type Term struct {
	Kind     Kind
	Value    string
	Datatype string
	Lang     string
}

// Triple is one statement.
type Triple struct{ S, P, O Term }

// Graph is a set of triples indexed by subject.
type Graph struct {
	Triples []Triple
	bySubj  map[Term][]int
	blanks  int
}

// NewGraph returns an empty graph.
func NewGraph() *Graph { return &Graph{bySubj: map[Term][]int{}} }

// Add adds a statement.
func (g *Graph) Add(s, p, o Term) {
	g.bySubj[s] = append(g.bySubj[s], len(g.Triples))
	g.Triples = append(g.Triples, Triple{s, p, o})
}

// fresh is a new blank node.
func (g *Graph) fresh() Term {
	g.blanks++
	return Term{Kind: Blank, Value: "g" + strconv.Itoa(g.blanks)}
}

// Objects are the objects of s's statements with predicate p.
func (g *Graph) Objects(s Term, p string) []Term {
	var out []Term
	for _, i := range g.bySubj[s] {
		if t := g.Triples[i]; t.P.Value == p {
			out = append(out, t.O)
		}
	}
	return out
}

// Object is the first object of s for p (the zero Term when none).
func (g *Graph) Object(s Term, p string) Term {
	for _, i := range g.bySubj[s] {
		if t := g.Triples[i]; t.P.Value == p {
			return t.O
		}
	}
	return Term{}
}

// SubjectsOfType are the subjects with rdf:type class, in order of
// appearance.
func (g *Graph) SubjectsOfType(class string) []Term {
	var out []Term
	seen := map[Term]bool{}
	for _, t := range g.Triples {
		if t.P.Value == Type && t.O.Kind == IRI && t.O.Value == class && !seen[t.S] {
			seen[t.S] = true
			out = append(out, t.S)
		}
	}
	return out
}

func iri(v string) Term   { return Term{Kind: IRI, Value: v} }
func blank(v string) Term { return Term{Kind: Blank, Value: v} }
