package dcat

import (
	"encoding/json"
	"io"
)

type jsonldWriter struct {
	bw
	first bool
}

// newJSONLD writes a document of a @context of the prefixes and a @graph
// of nodes, each key a prefixed name and each value an @id or @value
// object (udata compacts with its own context; any JSON-LD reader expands
// both to the same triples).
func newJSONLD(w io.Writer) Writer {
	j := &jsonldWriter{bw: newBW(w), first: true}
	ctx := map[string]string{}
	for _, ns := range Namespaces {
		ctx[ns.Prefix] = ns.IRI
	}
	b, _ := json.Marshal(ctx) // strings only
	j.WriteString(`{"@context":`)
	j.bw.Write(b)
	j.WriteString(`,"@graph":[`)
	return j
}

func (w *jsonldWriter) Write(n Node) error {
	if len(n.Props) == 0 {
		return nil
	}
	obj := map[string]any{"@id": jsonldID(n.Subject)}
	var types []string
	for _, p := range n.Props {
		if p.Pred == Type && p.Obj.Kind == IRI {
			types = append(types, compact(p.Obj.Value))
			continue
		}
		key := compact(p.Pred)
		list, _ := obj[key].([]any)
		obj[key] = append(list, jsonldValue(p.Obj))
	}
	if len(types) > 0 {
		obj["@type"] = types
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	if !w.first {
		w.WriteByte(',')
	}
	w.first = false
	w.WriteByte('\n')
	_, err = w.bw.Write(b)
	return err
}

func (w *jsonldWriter) Close() error {
	w.WriteString("\n]}\n")
	return w.Flush()
}

func compact(iri string) string {
	if prefix, local := split(iri); prefix != "" {
		return prefix + ":" + local
	}
	return iri
}

func jsonldID(t Term) string {
	if t.Kind == Blank {
		return "_:" + t.Value
	}
	return t.Value
}

func jsonldValue(t Term) map[string]string {
	switch t.Kind {
	case IRI, Blank:
		return map[string]string{"@id": jsonldID(t)}
	}
	v := map[string]string{"@value": t.Value}
	if t.Datatype != "" {
		v["@type"] = compact(t.Datatype)
	}
	if t.Lang != "" {
		v["@language"] = t.Lang
	}
	return v
}
