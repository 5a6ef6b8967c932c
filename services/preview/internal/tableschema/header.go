package tableschema

import (
	"fmt"
	"strings"
)

// columns maps the table's columns to the schema's fields by name, as
// validata does (frictionless's schema_sync): a column's position does not
// decide which field it holds.
type columns struct {
	field []*Field // per table column; nil for blank, duplicate and extra ones
	colOf []int    // per schema field: its table column, or -1
}

// matchHeader reads the header and reports its structure issues: blank,
// duplicate and unknown labels and missing required columns are errors;
// missing optional columns, columns out of the schema's order and labels
// with spaces around them are warnings.
func (s *Schema) matchHeader(header []string, rp *reporter) columns {
	m := columns{field: make([]*Field, len(header)), colOf: make([]int, len(s.Fields))}
	for i := range m.colOf {
		m.colOf[i] = -1
	}
	seen := map[string]int{}
	var extra []int
	for i, raw := range header {
		label := raw
		if i == 0 {
			label = strings.TrimPrefix(label, "\ufeff")
		}
		pos := i + 1
		if strings.TrimSpace(label) == "" {
			rp.error(Issue{Type: "blank-label", Tag: tagStructure, FieldNumber: pos,
				Message: fmt.Sprintf("L'en-tête de la colonne %d est vide", pos)})
			continue
		}
		f := s.Field(label)
		if f == nil {
			if f = s.Field(strings.TrimSpace(label)); f != nil {
				rp.warn(Issue{Type: "incorrect-label", Tag: tagStructure, FieldNumber: pos, FieldName: f.Name,
					Message: fmt.Sprintf("L'en-tête « %s » de la colonne %d est entouré d'espaces", label, pos)})
			}
		}
		name := label
		if f != nil {
			name = f.Name
		}
		if first, dup := seen[name]; dup {
			rp.error(Issue{Type: "duplicate-label", Tag: tagStructure, FieldNumber: pos, FieldName: name,
				Message: fmt.Sprintf("La colonne « %s » apparaît plusieurs fois (colonnes %d et %d) ; seule la première est vérifiée", name, first, pos)})
			continue
		}
		seen[name] = pos
		if f == nil {
			extra = append(extra, i)
			continue
		}
		m.field[i] = f
		m.colOf[f.index] = i
	}

	for _, i := range extra {
		label := strings.TrimPrefix(header[i], "\ufeff")
		msg := fmt.Sprintf("La colonne « %s » (colonne %d) n'est pas dans le schéma", label, i+1)
		if near := s.nearMissing(label, m.colOf); near != "" {
			msg += fmt.Sprintf(" ; s'agit-il de « %s » ?", near)
		}
		rp.error(Issue{Type: "extra-label", Tag: tagStructure, FieldNumber: i + 1, FieldName: label, Message: msg})
	}
	for fi, col := range m.colOf {
		if col >= 0 {
			continue
		}
		f := s.Fields[fi]
		if f.Constraints.Required {
			rp.error(Issue{Type: "missing-label", Tag: tagStructure, FieldName: f.Name,
				Message: fmt.Sprintf("Colonne obligatoire manquante : « %s »", f.Name)})
		} else {
			rp.warn(Issue{Type: "missing-label", Tag: tagStructure, FieldName: f.Name,
				Message: fmt.Sprintf("Colonne facultative manquante : « %s »", f.Name)})
		}
	}
	var prev *Field
	for i, f := range m.field {
		if f == nil {
			continue
		}
		if prev != nil && f.index < prev.index {
			rp.warn(Issue{Type: "incorrect-label", Tag: tagStructure, FieldNumber: i + 1, FieldName: f.Name,
				Message: fmt.Sprintf("Colonnes dans le désordre : « %s » (colonne %d) vient avant « %s » dans le schéma", f.Name, i+1, prev.Name)})
			continue
		}
		prev = f // the furthest field so far in the schema's order
	}
	return m
}

// nearMissing returns the missing field whose name equals label but for
// case, accents, spaces, '-' and '_', or "".
func (s *Schema) nearMissing(label string, colOf []int) string {
	key := looseName(label)
	for fi, col := range colOf {
		if col < 0 && looseName(s.Fields[fi].Name) == key {
			return s.Fields[fi].Name
		}
	}
	return ""
}

func looseName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, foldFrench(s))
}
