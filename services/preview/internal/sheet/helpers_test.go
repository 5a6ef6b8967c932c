package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// samplesDir holds real files of collectivités (../shared/data/samples).
const samplesDir = "../../../../../shared/data/samples"

// readAll drains rows, closing them.
func readAll(t testing.TB, r Rows) ([][]string, error) {
	t.Helper()
	defer r.Close()
	var out [][]string
	for {
		row, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, row)
	}
}

// openAll reads the whole table of the file at path.
func openAll(t testing.TB, path, format string, lim Limits) ([][]string, error) {
	t.Helper()
	r, err := Open(context.Background(), path, format, lim)
	if err != nil {
		return nil, err
	}
	return readAll(t, r)
}

// zipFile is one entry of a zip written by writeZip.
type zipFile struct {
	name string
	data []byte
}

// writeZip writes the entries, deflated, to a file in dir and returns its
// path.
func writeZip(t testing.TB, dir, name string, files ...zipFile) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		method := zip.Deflate
		if f.name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// odsContentXML wraps table XML in an ODS content.xml.
func odsContentXML(tables string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3"><office:automatic-styles/><office:body><office:spreadsheet>` +
		tables + `</office:spreadsheet></office:body></office:document-content>`)
}

const odsManifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`

// writeODS writes a minimal valid ODS holding the tables' XML.
func writeODS(t testing.TB, dir, tables string) string {
	t.Helper()
	return writeZip(t, dir, "test.ods",
		zipFile{"mimetype", []byte(odsMime)},
		zipFile{"META-INF/manifest.xml", []byte(odsManifest)},
		zipFile{"content.xml", odsContentXML(tables)},
	)
}

// replaceZip rewrites the zip at src with some entries replaced, into a new
// file in dir.
func replaceZip(t testing.TB, src []byte, dir, name string, replace map[string][]byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var files []zipFile
	for _, f := range zr.File {
		data, ok := replace[f.Name]
		if !ok {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		files = append(files, zipFile{f.Name, data})
	}
	return writeZip(t, dir, name, files...)
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got %v, want an error wrapping %v", what, err, target)
	}
	t.Logf("%s: %v", what, err)
}
