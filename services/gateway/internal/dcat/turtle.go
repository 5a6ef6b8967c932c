package dcat

import "io"

type turtleWriter struct{ bw }

func newTurtle(w io.Writer) Writer {
	t := &turtleWriter{newBW(w)}
	for _, ns := range Namespaces {
		t.WriteString("@prefix " + ns.Prefix + ": <" + ns.IRI + "> .\n")
	}
	t.WriteByte('\n')
	return t
}

func (w *turtleWriter) Write(n Node) error {
	if len(n.Props) == 0 {
		return nil
	}
	w.WriteString(ntTerm(n.Subject))
	for i, p := range n.Props {
		if i > 0 {
			w.WriteString(" ;")
		}
		w.WriteString("\n    ")
		if p.Pred == Type {
			w.WriteByte('a')
		} else {
			w.WriteString(turtleIRI(p.Pred))
		}
		w.WriteByte(' ')
		if p.Obj.Kind == IRI {
			w.WriteString(turtleIRI(p.Obj.Value))
		} else if p.Obj.Kind == Literal && p.Obj.Datatype != "" {
			w.WriteString(`"` + escapeString(p.Obj.Value) + `"^^` + turtleIRI(p.Obj.Datatype))
		} else {
			w.WriteString(ntTerm(p.Obj))
		}
	}
	w.WriteString(" .\n\n")
	return nil
}

func (w *turtleWriter) Close() error { return w.Flush() }

func turtleIRI(iri string) string {
	if prefix, local := split(iri); prefix != "" {
		return prefix + ":" + local
	}
	return ntIRI(iri)
}
