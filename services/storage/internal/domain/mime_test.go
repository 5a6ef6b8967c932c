package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDetectMIME(t *testing.T) {
	allowed := defaultExtensions(t)
	name := func(s string) Filename {
		f, err := ParseFilename(s, allowed)
		require.NoError(t, err)
		return f
	}
	cases := []struct {
		head, name, hint, want string
	}{
		{"a;b\n1;2\n", "x.csv", "", "text/csv"},
		{"\xef\xbb\xbfa,b\n", "x.csv", "", "text/csv"},
		{`{"type":"FeatureCollection"}`, "x.geojson", "", "application/geo+json"},
		{"\x1f\x8b\x08\x00", "x.csv.gz", "", "application/gzip"},
		{"\x1f\x8b\x08\x00", "x.csv", "", "application/gzip"},
		{"PK\x03\x04", "x.xlsx", "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"PK\x03\x04", "x.zip", "", "application/zip"},
		{"<?xml version=\"1.0\"?><kml>", "x.kml", "", "application/vnd.google-earth.kml+xml"},
		{"%PDF-1.7", "x.pdf", "", "application/pdf"},
		{"\x00\x01\x02binary", "x.other", "application/x-custom", "application/x-custom"},
		{"\x00\x01\x02binary", "x.other", "text/html", "application/octet-stream"},
		{"", "empty.csv", "", "text/csv"},
	}
	for _, c := range cases {
		got, err := DetectMIME([]byte(c.head), name(c.name), c.hint)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, got, "%s %q", c.name, c.head)
	}
	for _, html := range []string{
		"<!DOCTYPE html><html>", "\n  <html><body>", "\xef\xbb\xbf<!doctype HTML>", "<HEAD><title>x", "<p>hello</p>",
	} {
		_, err := DetectMIME([]byte(html), name("x.csv"), "")
		require.Error(t, err, html)
		assert.Equal(t, ReasonHTMLContent, ReasonOf(err))
		assert.Equal(t, MsgHTMLContent, err.Error())
	}
}
