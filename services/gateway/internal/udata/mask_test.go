package udata

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// maskString writes m back like flask-restx's Mask.__str__, fields sorted.
func maskString(m *Mask) string {
	keys := make([]string, 0, len(m.fields))
	for k := range m.fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := "{"
	for i, k := range keys {
		if i > 0 {
			out += ","
		}
		out += k
		if n := m.fields[k]; n != nil {
			out += maskString(n)
		}
	}
	return out + "}"
}

// The cases follow flask-restx's tests/test_fields_mask.py and mask.py.
func TestParseMask(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"field_name", "{field_name}"},
		{"field1, field2,field3", "{field1,field2,field3}"},
		{"nested{field1,field2}", "{nested{field1,field2}}"},
		{"{field1,nested{field2,field3},field4}", "{field1,field4,nested{field2,field3}}"},
		{"{field1,nested{field2,field3},field4}\n", "{field1,field4,nested{field2,field3}}"},
		{"nested{f1,deep{f2}},last", "{last,nested{deep{f2},f1}}"},
		{"a b.c", "{a,b,c}"}, // extra characters are ignored
		{"a,", "{a}"},        // a trailing comma is accepted
		{"a{b,}", "{a{b}}"},
		{"*", "{*}"},
		{"*,resources{id}", "{*,resources{id}}"},
		{"a:b-c*", "{a:b-c*}"},
		{"{}", "{}"},
		{"{ }", "{}"},
		{"a{b},a", "{a}"}, // a later plain field replaces the nested mask
		{"a,a{b}", "{a{b}}"},
		{"\xe9t\xe9", "{\u00e9t\u00e9}"}, // Latin-1, as WSGI decodes headers
	} {
		m, err := ParseMask(c.in)
		require.NoError(t, err, c.in)
		require.NotNil(t, m, c.in)
		require.Equal(t, c.want, maskString(m), c.in)
	}
	for _, c := range []struct{ in, msg string }{
		{"{field1,field2", "Missing closing bracket"},
		{"nested{field1,field2", "Missing closing bracket"},
		{"{", "Missing closing bracket"},
		{"field1,field2}", "Unexpected closing bracket"},
		{"{a}}", "Unexpected closing bracket"},
		{"{a}{b}", "Unexpected closing bracket"},
		{"{a", "Missing closing bracket"},
		{"a{b}{c}", "Unexpected opening bracket"},
		{"a,{b}", "Unexpected opening bracket"},
		{"{{a}}", "Unexpected opening bracket"},
		{",a", "Unexpected comma"},
		{"a,,b", "Unexpected comma"},
		{"a{,b}", "Unexpected comma"},
		{"{,}", "Unexpected comma"},
	} {
		_, err := ParseMask(c.in)
		var pe *MaskParseError
		require.True(t, errors.As(err, &pe), "%q: %v", c.in, err)
		require.Equal(t, c.msg, pe.Msg, c.in)
		require.Equal(t, "Mask parse error: "+c.msg, err.Error())
	}
	for _, blank := range []string{"", " ", "\n", "\xa0"} {
		m, err := ParseMask(blank)
		require.NoError(t, err)
		require.Nil(t, m, "%q", blank)
	}
}

const maskSample = `{"a": 1, "b": {"c": "\u00e9", "d": null}, "e": [{"f": 1, "g": [2, 3]}, {"f": 3}], "h": null, "t": "x"}`

func TestApplyMask(t *testing.T) {
	for _, c := range []struct{ mask, src, want string }{
		{"a,b{c}", maskSample, `{"a": 1, "b": {"c": "\u00e9"}}`},
		{"b", maskSample, `{"b": {"c": "\u00e9", "d": null}}`},
		{"e{f}", maskSample, `{"e": [{"f": 1}, {"f": 3}]}`},
		{"e{g}", maskSample, `{"e": [{"g": [2, 3]}, {}]}`},
		{"zz,a", maskSample, `{"a": 1}`}, // unknown fields are left out (skip=True)
		{"b{zz}", maskSample, `{"b": {}}`},
		{"{}", maskSample, `{}`},
		{"*", maskSample, maskSample},
		{"e{f},*", maskSample, `{"a": 1, "b": {"c": "\u00e9", "d": null}, "e": [{"f": 1}, {"f": 3}], "h": null, "t": "x"}`},
		{"b{*},t", maskSample, `{"b": {"c": "\u00e9", "d": null}, "t": "x"}`},
		{"h{x}", maskSample, `{"h": null}`},
		{"a", `[{"a": 1, "b": 2}, {"b": 3}]`, `[{"a": 1}, {}]`},
		{"data{id,title},next_page", `{"data": [{"id": "1", "title": "T", "x": 0}], "next_page": null, "page": 1, "total": 1}`,
			`{"data": [{"id": "1", "title": "T"}], "next_page": null}`},
		{"id,title", `{"data": [{"id": "1", "title": "T"}], "page": 1}`, `{}`}, // the mask applies to the pager
		{"\\u00e9", `{"\u00e9": 1}`, `{}`},
	} {
		m, err := ParseMask(c.mask)
		require.NoError(t, err)
		w := NewWriter(0)
		require.NoError(t, w.ApplyMask([]byte(c.src), m), c.mask)
		require.Equal(t, c.want, string(w.Bytes()), c.mask)
	}
	for _, mask := range []string{"a{x}", "t{x}", "e{g{x}}"} {
		m, err := ParseMask(mask)
		require.NoError(t, err)
		err = NewWriter(0).ApplyMask([]byte(maskSample), m)
		require.ErrorIs(t, err, ErrMaskInconsistent, mask)
		require.Equal(t, "Mask error: Mask is inconsistent with model", err.Error())
	}
}

// FuzzMask: parsing and applying any mask never panics; failures are
// always the parse or inconsistency errors (400s), and the output is
// valid JSON.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"a,b{c}", "e{f},*", "{a", "a}", ",", "a{b{c{d}}}", "*{*}", "\xe9{\xb2}", "{}", "h{x}", "e{g{x}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		m, err := ParseMask(header)
		if err != nil {
			var pe *MaskParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: %v", header, err)
			}
			return
		}
		if m == nil {
			return
		}
		w := NewWriter(0)
		if err := w.ApplyMask([]byte(maskSample), m); err != nil {
			if !errors.Is(err, ErrMaskInconsistent) {
				t.Fatalf("%q: %v", header, err)
			}
			return
		}
		if !json.Valid(w.Bytes()) {
			t.Fatalf("%q: invalid JSON %s", header, w.Bytes())
		}
	})
}
