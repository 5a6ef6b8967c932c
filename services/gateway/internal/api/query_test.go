package api

import (
	"net/http/httptest"
	"testing"

	"github.com/relais-data/relais/pkg/ids"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

func TestParsePyInt(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, " 12 ": 12, "+3": 3, "-2": -2, "1_000": 1000, "99999999999999999999": 9223372036854775807} {
		if got, err := parsePyInt(in); err != nil || got != want {
			t.Errorf("parsePyInt(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.5", "_1", "1__0", "1_", "0x10"} {
		if _, err := parsePyInt(in); err == nil {
			t.Errorf("parsePyInt(%q) succeeded", in)
		}
	}
}

func TestPyRepr(t *testing.T) {
	for in, want := range map[string]string{
		"abc": "'abc'", "it's": `"it's"`, `a'b"c`: `'a\'b"c'`, "a\nb": `'a\nb'`, `a\b`: `'a\\b'`, "\x01": `'\x01'`, "é": "'é'",
	} {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestQuotePlus(t *testing.T) {
	if got, want := quotePlus("a b&c=d/é:?@"), "a+b%26c%3Dd/%C3%A9:?@"; got != want {
		t.Errorf("quotePlus = %s, want %s", got, want)
	}
}

func TestPageURL(t *testing.T) {
	s := &Server{}
	s.render = udata.NewRenderer("http://portal.example")
	cases := []struct {
		url      string
		page     int64
		setSize  bool
		expected string
	}{
		{"/api/1/datasets/", 2, false, "http://portal.example/api/1/datasets/?page=2"},
		{"/api/1/datasets/?q=eau+potable&tag=a&page=1&tag=b&page_size=5", 2, false,
			"http://portal.example/api/1/datasets/?q=eau+potable&tag=a&tag=b&page=2&page_size=5"},
		{"/api/1/datasets/?page_size=5000&q=%C3%A9t%C3%A9", 3, true,
			"http://portal.example/api/1/datasets/?page_size=1000&q=%C3%A9t%C3%A9&page=3"},
		{"/api/1/datasets/?sort=-created&empty=", 1, false, "http://portal.example/api/1/datasets/?sort=-created&empty=&page=1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.url, nil)
		if got := s.pageURL(r, c.page, 1000, c.setSize); got != c.expected {
			t.Errorf("pageURL(%s) =\n %s\nwant\n %s", c.url, got, c.expected)
		}
	}
}

func TestIdentifiers(t *testing.T) {
	if !ids.IsObjectID("5d13a8b6634f41070a43dff3") || !ids.IsObjectID("5D13A8B6634F41070A43DFF3") || ids.IsObjectID("5d13a8b6634f41070a43dff") || ids.IsObjectID("zd13a8b6634f41070a43dff3") {
		t.Error("isObjectID")
	}
	if !ids.IsCanonicalUUID("f868cca6-8da1-4369-a78d-47463f19a9a3") || ids.IsCanonicalUUID("f868cca6-8da1-4369-a78d-47463f19a9a") || ids.IsCanonicalUUID("f868cca6x8da1-4369-a78d-47463f19a9a3") {
		t.Error("isUUID")
	}
}
