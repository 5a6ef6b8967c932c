package dcat

import (
	"fmt"
	"io"
	"strings"
)

type ntWriter struct{ bw }

func newNTriples(w io.Writer) Writer { return &ntWriter{newBW(w)} }

func (w *ntWriter) Write(n Node) error {
	s := ntTerm(n.Subject)
	for _, p := range n.Props {
		w.WriteString(s)
		w.WriteByte(' ')
		w.WriteString(ntIRI(p.Pred))
		w.WriteByte(' ')
		w.WriteString(ntTerm(p.Obj))
		w.WriteString(" .\n")
	}
	return nil
}

func (w *ntWriter) Close() error { return w.Flush() }

func ntTerm(t Term) string {
	switch t.Kind {
	case IRI:
		return ntIRI(t.Value)
	case Blank:
		return "_:" + t.Value
	}
	s := `"` + escapeString(t.Value) + `"`
	switch {
	case t.Lang != "":
		return s + "@" + t.Lang
	case t.Datatype != "":
		return s + "^^" + ntIRI(t.Datatype)
	}
	return s
}

// ntIRI writes an IRI with the characters N-Triples forbids in one
// escaped.
func ntIRI(iri string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, c := range iri {
		if c <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", c) {
			fmt.Fprintf(&b, `\u%04X`, c)
			continue
		}
		b.WriteRune(c)
	}
	b.WriteByte('>')
	return b.String()
}

// escapeString escapes a literal's characters for N-Triples and Turtle.
func escapeString(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, c)
				continue
			}
			b.WriteRune(c)
		}
	}
	return b.String()
}
