package rdf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ParseJSONLD reads JSON-LD with inline contexts: prefixes, terms (with
// "@type": "@id" coercion), @vocab; @graph, @id, @type, @value,
// @language, @list (members linked directly) and nested nodes. Remote
// contexts are not fetched: terms only they define are dropped.
func ParseJSONLD(src []byte) (*Graph, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("json-ld: %w", err)
	}
	p := &jsonld{g: NewGraph()}
	if err := p.top(doc, &ldContext{terms: map[string]ldTerm{}}); err != nil {
		return nil, fmt.Errorf("json-ld: %w", err)
	}
	return p.g, nil
}

type ldTerm struct {
	id      string
	coerce  string // "@id" or a datatype IRI
	compact bool   // defined as a prefix (a string value)
}

type ldContext struct {
	terms map[string]ldTerm
	vocab string
}

type jsonld struct {
	g     *Graph
	depth int
}

func (p *jsonld) top(doc any, ctx *ldContext) error {
	switch v := doc.(type) {
	case []any:
		for _, item := range v {
			if err := p.top(item, ctx); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		ctx = ctx.with(v["@context"])
		if graph, ok := v["@graph"]; ok {
			return p.top(graph, ctx)
		}
		_, err := p.node(v, ctx)
		return err
	}
	return fmt.Errorf("a node must be an object, not %T", doc)
}

// with is ctx extended by a local context.
func (ctx *ldContext) with(local any) *ldContext {
	if local == nil {
		return ctx
	}
	out := &ldContext{terms: make(map[string]ldTerm, len(ctx.terms)), vocab: ctx.vocab}
	for k, v := range ctx.terms {
		out.terms[k] = v
	}
	var add func(any)
	add = func(c any) {
		switch c := c.(type) {
		case []any:
			for _, x := range c {
				add(x)
			}
		case map[string]any:
			if v, ok := c["@vocab"].(string); ok {
				out.vocab = v
			}
			for k, v := range c {
				switch d := v.(type) {
				case string:
					out.terms[k] = ldTerm{id: d, compact: true}
				case map[string]any:
					t := ldTerm{}
					t.id, _ = d["@id"].(string)
					t.coerce, _ = d["@type"].(string)
					if t.id == "" {
						t.id = k
					}
					out.terms[k] = t
				}
			}
		} // a remote context (a string) is not fetched
	}
	add(local)
	for k, t := range out.terms { // terms defined with compact IRIs
		t.id = out.expand(t.id, false)
		if t.coerce != "" && t.coerce != "@id" {
			t.coerce = out.expand(t.coerce, false)
		}
		out.terms[k] = t
	}
	return out
}

// expand turns a term, compact IRI or IRI into an IRI ("" when it cannot).
func (ctx *ldContext) expand(s string, vocab bool) string {
	if t, ok := ctx.terms[s]; ok && vocab && !strings.HasPrefix(t.id, "@") {
		return t.id
	}
	if prefix, local, ok := strings.Cut(s, ":"); ok {
		if strings.HasPrefix(local, "//") || prefix == "urn" || prefix == "mailto" {
			return s
		}
		if t, ok := ctx.terms[prefix]; ok {
			return t.id + local
		}
		return s
	}
	if strings.HasPrefix(s, "_:") {
		return s
	}
	if vocab && ctx.vocab != "" {
		return ctx.vocab + s
	}
	return ""
}

func (p *jsonld) node(m map[string]any, ctx *ldContext) (Term, error) {
	if p.depth++; p.depth > maxNest {
		return Term{}, ErrTooDeep
	}
	defer func() { p.depth-- }()
	ctx = ctx.with(m["@context"])
	var s Term
	if id, ok := m["@id"].(string); ok {
		s = ldRef(ctx.expand(id, false), id)
	} else {
		s = p.g.fresh()
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		v := m[key]
		switch key {
		case "@id", "@context":
			continue
		case "@type":
			for _, t := range asList(v) {
				if ts, ok := t.(string); ok {
					if ty := ctx.expand(ts, true); ty != "" {
						p.g.Add(s, iri(Type), iri(ty))
					}
				}
			}
			continue
		case "@graph":
			if err := p.top(v, ctx); err != nil {
				return Term{}, err
			}
			continue
		}
		pred := ctx.expand(key, true)
		if pred == "" || strings.HasPrefix(key, "@") {
			continue // not mapped to an IRI: JSON-LD drops it
		}
		term := ctx.terms[key]
		for _, item := range asList(v) {
			objs, err := p.value(item, term, ctx)
			if err != nil {
				return Term{}, err
			}
			for _, o := range objs {
				p.g.Add(s, iri(pred), o)
			}
		}
	}
	return s, nil
}

func (p *jsonld) value(v any, term ldTerm, ctx *ldContext) ([]Term, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if term.coerce == "@id" {
			return []Term{ldRef(ctx.expand(v, false), v)}, nil
		}
		return []Term{{Kind: Literal, Value: v, Datatype: datatype(term.coerce)}}, nil
	case json.Number:
		dt := XSDNS + "integer"
		if strings.ContainsAny(v.String(), ".eE") {
			dt = XSDNS + "double"
		}
		return []Term{{Kind: Literal, Value: v.String(), Datatype: dt}}, nil
	case bool:
		return []Term{{Kind: Literal, Value: fmt.Sprint(v), Datatype: XSDNS + "boolean"}}, nil
	case map[string]any:
		if val, ok := v["@value"]; ok {
			lit := Term{Kind: Literal, Value: fmt.Sprint(val)}
			if t, ok := v["@type"].(string); ok {
				lit.Datatype = ctx.expand(t, true)
			}
			if l, ok := v["@language"].(string); ok {
				lit.Lang = l
			}
			return []Term{lit}, nil
		}
		if list, ok := v["@list"]; ok {
			var out []Term
			for _, item := range asList(list) {
				objs, err := p.value(item, term, ctx)
				if err != nil {
					return nil, err
				}
				out = append(out, objs...)
			}
			return out, nil
		}
		o, err := p.node(v, ctx)
		return []Term{o}, err
	case []any:
		var out []Term
		for _, item := range v {
			objs, err := p.value(item, term, ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
		return out, nil
	}
	return nil, nil
}

func datatype(coerce string) string {
	if coerce == "@id" || coerce == "@vocab" {
		return ""
	}
	return coerce
}

// ldRef is a node reference: a blank node for "_:x", else an IRI (raw
// when the context cannot expand it: a relative reference).
func ldRef(expanded, raw string) Term {
	if strings.HasPrefix(raw, "_:") {
		return blank("j" + raw[2:])
	}
	if expanded == "" {
		expanded = raw
	}
	return iri(expanded)
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}
