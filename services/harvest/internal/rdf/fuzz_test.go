package rdf

import (
	"bytes"
	"os"
	"testing"
)

// seeds are real catalogues (../shared) and small documents in each
// syntax.
func seeds(f *testing.F, files []string, inline ...string) {
	for _, path := range files {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	for _, s := range inline {
		f.Add([]byte(s))
	}
}

const shared = "../../../../../shared/"

// checkGraph: every triple has a subject, a predicate IRI and an object.
func checkGraph(t *testing.T, g *Graph) {
	for _, tr := range g.Triples {
		if tr.P.Kind != IRI || tr.S.Kind == Literal {
			t.Fatalf("bad triple %+v", tr)
		}
	}
}

func FuzzParseXML(f *testing.F) {
	seeds(f, []string{
		shared + "reference/opendatateam-udata/org-catalog-sample.rdf.xml",
		shared + "data/catalog/harvest-fixtures/datara--5a26b0f6-0ccf-46ad-ac58-734054b91977.rdf.xml",
		shared + "data/catalog/harvest-fixtures/geonetwork-dcat-page-1.xml",
	}, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex/"><ex:T ex:a="1"><ex:p rdf:parseType="Resource"><ex:q>x</ex:q></ex:p><ex:r rdf:parseType="Collection"><ex:T/></ex:r></ex:T></rdf:RDF>`,
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="a"><rdf:type rdf:resource="b"/></rdf:Description>`)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseXML(bytes.NewReader(b))
		if err == nil {
			checkGraph(t, g)
		}
	})
}

func FuzzParseTurtle(f *testing.F) {
	seeds(f, nil,
		"@prefix ex: <http://ex/> .\nex:a a ex:T ; ex:p \"x\"@fr, 12, 1.5, 1e3, true ; ex:q [ ex:r ( ex:b \"\"\"long\n\"\"\" ) ] .\n",
		"PREFIX ex: <http://ex/>\nBASE <http://b/>\n<s> ex:p 'it''s'^^ex:dt ;; .\n_:b1 ex:p _:b2 .",
		"<http://a> <http://b> \"\\u00e9\\U0001F600\" .\n# comment\n",
		"[ <http://p> <http://o> ] .", "<a> <b> ((((((((((<c>)))))))))) .", "@prefix : <http://e/> . :a :b :c.d. ")
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseTurtle(b)
		if err == nil {
			checkGraph(t, g)
		}
	})
}

func FuzzParseJSONLD(f *testing.F) {
	seeds(f, []string{shared + "data/catalog/harvest-fixtures/evian.json"},
		`{"@context":{"dcat":"http://www.w3.org/ns/dcat#","d":{"@id":"dcat:distribution","@type":"@id"},"@vocab":"http://v/"},"@graph":[{"@id":"_:a","@type":["dcat:Dataset"],"d":["x","y"],"n":1.5,"b":true,"l":{"@list":[1,2]},"v":{"@value":"x","@language":"fr","@type":"dcat:T"},"nested":{"x":{"y":{}}}}]}`,
		`[{"@id":"a","http://p":[{"@id":"b"}]}]`, `"string"`, `{"@context":["http://remote",{"a":"http://a#"}],"a:b":null}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseJSONLD(b)
		if err == nil {
			checkGraph(t, g)
		}
	})
}
