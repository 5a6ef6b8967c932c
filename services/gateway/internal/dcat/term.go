package dcat

// Namespaces written as prefixes (Turtle, RDF/XML, the JSON-LD context).
var Namespaces = []struct{ Prefix, IRI string }{
	{"adms", "http://www.w3.org/ns/adms#"},
	{"dcat", "http://www.w3.org/ns/dcat#"},
	{"dct", "http://purl.org/dc/terms/"},
	{"foaf", "http://xmlns.com/foaf/0.1/"},
	{"hydra", "http://www.w3.org/ns/hydra/core#"},
	{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
	{"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
	{"skos", "http://www.w3.org/2004/02/skos/core#"},
	{"spdx", "http://spdx.org/rdf/terms#"},
	{"xsd", "http://www.w3.org/2001/XMLSchema#"},
}

// Frequently used IRIs.
const (
	RDF   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	DCAT  = "http://www.w3.org/ns/dcat#"
	DCT   = "http://purl.org/dc/terms/"
	FOAF  = "http://xmlns.com/foaf/0.1/"
	HYDRA = "http://www.w3.org/ns/hydra/core#"
	XSD   = "http://www.w3.org/2001/XMLSchema#"
	SKOS  = "http://www.w3.org/2004/02/skos/core#"
	RDFS  = "http://www.w3.org/2000/01/rdf-schema#"
	SPDX  = "http://spdx.org/rdf/terms#"
	Type  = RDF + "type"
)

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
	Value    string // the IRI, the blank node's label, or the lexical form
	Datatype string // literals: an IRI, "" for a plain string
	Lang     string
}

// Ref is an IRI term.
func Ref(iri string) Term { return Term{Kind: IRI, Value: iri} }

// BNode is a blank node term.
func BNode(label string) Term { return Term{Kind: Blank, Value: label} }

// Str is a plain literal.
func Str(s string) Term { return Term{Kind: Literal, Value: s} }

// Typed is a literal of a datatype.
func Typed(s, datatype string) Term { return Term{Kind: Literal, Value: s, Datatype: datatype} }

// Prop is one predicate and object of a subject.
type Prop struct {
	Pred string
	Obj  Term
}

// Node is a subject and its statements.
type Node struct {
	Subject Term
	Props   []Prop
}

// Add appends a statement; an empty literal is left out (udata omits
// empty fields).
func (n *Node) Add(pred string, obj Term) {
	if obj.Value == "" {
		return
	}
	n.Props = append(n.Props, Prop{pred, obj})
}
