package tableschema

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// scdlDir holds the SCDL schemas and examples (../shared/data/scdl from
// the repository root).
const scdlDir = "../../../../../shared/data/scdl"

// readTable reads a CSV example the way the preview service hands tables
// to Validate: UTF-8 (Latin-1 files are decoded), BOM dropped, header then
// rows. Test-only: the real reader is the analysis package's.
func readTable(t testing.TB, rel string, comma rune) (header []string, next func() ([]string, error)) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(scdlDir, rel))
	require.NoError(t, err)
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		data = latin1ToUTF8(data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err = r.Read()
	require.NoError(t, err)
	return header, func() ([]string, error) {
		rec, err := r.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		return rec, err
	}
}

func latin1ToUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

func loadSchema(t testing.TB, rel string) *Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(scdlDir, rel))
	require.NoError(t, err)
	s, err := Parse(data)
	require.NoError(t, err, rel)
	return s
}
