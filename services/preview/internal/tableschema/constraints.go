package tableschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Constraints are a field's Table Schema constraints. Bounds are held as
// typed values of the field's type; Pattern is the author's text and the
// compiled, RE2-normalized form is kept aside.
type Constraints struct {
	Required  bool
	Unique    bool
	MinLength *int
	MaxLength *int
	Minimum   any
	Maximum   any
	// ExclusiveMinimum and ExclusiveMaximum are Table Schema v1.1 bounds.
	ExclusiveMinimum any
	ExclusiveMaximum any
	Pattern          string
	Enum             []string

	pattern *regexp.Regexp
}

// parseConstraints reads "constraints"; an unknown key (the marchés
// draft's "pattern:") is ignored with a warning.
func (f *Field) parseConstraints(raw json.RawMessage) (warns []string, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("\"constraints\" must be an object")
	}
	c := &f.Constraints
	for _, key := range slices.Sorted(maps.Keys(m)) {
		val := m[key]
		var err error
		switch key {
		case "required":
			err = json.Unmarshal(val, &c.Required)
		case "unique":
			err = json.Unmarshal(val, &c.Unique)
		case "minLength":
			c.MinLength, err = nonNegInt(val)
		case "maxLength":
			c.MaxLength, err = nonNegInt(val)
		case "minimum":
			c.Minimum, err = f.bound(val)
		case "maximum":
			c.Maximum, err = f.bound(val)
		case "exclusiveMinimum":
			c.ExclusiveMinimum, err = f.bound(val)
		case "exclusiveMaximum":
			c.ExclusiveMaximum, err = f.bound(val)
		case "pattern":
			if err = json.Unmarshal(val, &c.Pattern); err == nil {
				c.pattern, err = compilePattern(c.Pattern)
			}
		case "enum":
			err = f.parseEnum(val)
		default:
			warns = append(warns, fmt.Sprintf("contrainte « %s » inconnue ou non prise en charge, ignorée", key))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("constraint %q: %v", key, err)
		}
	}
	return warns, nil
}

func nonNegInt(raw json.RawMessage) (*int, error) {
	var n int
	if err := json.Unmarshal(raw, &n); err != nil || n < 0 {
		return nil, errors.New("must be a non-negative integer")
	}
	return &n, nil
}

// bound reads a minimum or maximum: a JSON number, or a string cast with
// the field's type (dates).
func (f *Field) bound(raw json.RawMessage) (any, error) {
	var num float64
	if json.Unmarshal(raw, &num) == nil {
		return num, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, errors.New("must be a number or a string")
	}
	v, ok := f.cast.cast(s)
	if !ok {
		return nil, fmt.Errorf("%q is not %s", s, f.cast.expect)
	}
	if _, ordered := compare(v, v); !ordered {
		return nil, fmt.Errorf("type %q has no order", f.Type)
	}
	return v, nil
}

func (f *Field) parseEnum(raw json.RawMessage) error {
	var vals []json.RawMessage
	if err := json.Unmarshal(raw, &vals); err != nil {
		return errors.New("must be an array")
	}
	f.enum = make(map[string]bool, len(vals))
	for _, v := range vals {
		var text string
		if json.Unmarshal(v, &text) != nil {
			text = string(v) // numbers and booleans as written
		}
		f.Constraints.Enum = append(f.Constraints.Enum, text)
		if f.Type == "string" {
			f.enum[text] = true
			continue
		}
		val, ok := f.cast.cast(text)
		if !ok {
			return fmt.Errorf("value %q is not %s", text, f.cast.expect)
		}
		f.enum[valueKey(val)] = true
	}
	return nil
}

// valueKey is the text by which two typed values are the same for enum
// and unique: 1 and 1.0 are, "2020-01-01" and "2020-01-01T00:00:00Z" are.
func valueKey(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []any, map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	default:
		return fmt.Sprint(x)
	}
}

// compare orders two typed values of the same field: numbers with
// numbers, times with times. ok is false when they have no order.
func compare(a, b any) (c int, ok bool) {
	if ta, isTime := a.(time.Time); isTime {
		tb, isTime := b.(time.Time)
		if !isTime {
			return 0, false
		}
		return ta.Compare(tb), true
	}
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if !okA || !okB {
		return 0, false
	}
	switch {
	case fa < fb:
		return -1, true
	case fa > fb:
		return 1, true
	}
	return 0, true
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// violation is a broken constraint: its name and a French explanation.
type violation struct {
	constraint, message string
}

// check returns the constraints a present, well-typed value breaks.
func (f *Field) check(cell string, v any, out []violation) []violation {
	c := &f.Constraints
	if c.pattern != nil && !c.pattern.MatchString(cell) {
		msg := fmt.Sprintf("La valeur ne respecte pas le motif attendu %s", c.Pattern)
		if f.Example != "" {
			msg += fmt.Sprintf(" (exemple : %s)", f.Example)
		}
		out = append(out, violation{"pattern", msg})
	}
	if f.enum != nil {
		key := cell
		if f.Type != "string" {
			key = valueKey(v)
		}
		if !f.enum[key] {
			out = append(out, violation{"enum", "La valeur n'est pas une des valeurs autorisées : " + enumList(c.Enum)})
		}
	}
	if c.MinLength != nil || c.MaxLength != nil {
		n := length(cell, v)
		if c.MinLength != nil && n < *c.MinLength {
			out = append(out, violation{"minLength", fmt.Sprintf("La valeur est trop courte : %d caractères ou éléments, %d au minimum", n, *c.MinLength)})
		}
		if c.MaxLength != nil && n > *c.MaxLength {
			out = append(out, violation{"maxLength", fmt.Sprintf("La valeur est trop longue : %d caractères ou éléments, %d au maximum", n, *c.MaxLength)})
		}
	}
	for _, b := range []struct {
		name  string
		bound any
		bad   func(int) bool
		says  string
	}{
		{"minimum", c.Minimum, func(r int) bool { return r < 0 }, "inférieure au minimum"},
		{"maximum", c.Maximum, func(r int) bool { return r > 0 }, "supérieure au maximum"},
		{"exclusiveMinimum", c.ExclusiveMinimum, func(r int) bool { return r <= 0 }, "inférieure ou égale au minimum exclu"},
		{"exclusiveMaximum", c.ExclusiveMaximum, func(r int) bool { return r >= 0 }, "supérieure ou égale au maximum exclu"},
	} {
		if b.bound == nil {
			continue
		}
		if r, ok := compare(v, b.bound); ok && b.bad(r) {
			out = append(out, violation{b.name, fmt.Sprintf("La valeur est %s %s", b.says, boundText(b.bound))})
		}
	}
	return out
}

func length(cell string, v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case map[string]any:
		return len(x)
	}
	return len([]rune(cell))
}

func boundText(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.Format("2006-01-02")
	}
	return valueKey(v)
}

// enumList quotes at most 12 allowed values, French style.
func enumList(vals []string) string {
	const most = 12
	q := make([]string, 0, min(len(vals), most)+1)
	for i, v := range vals {
		if i == most {
			q = append(q, fmt.Sprintf("… (%d valeurs)", len(vals)))
			break
		}
		q = append(q, "« "+v+" »")
	}
	return strings.Join(q, ", ")
}
