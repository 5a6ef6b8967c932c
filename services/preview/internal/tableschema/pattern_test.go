package tableschema

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizePattern(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`^[0-9]{5}$`, `^[0-9]{5}$`},
		{`[\u00C0-\u00FF]+`, `[\x{00C0}-\x{00FF}]+`},                           // adresses, equipements
		{`^[A-Za-z\u00C0-\u00FF\-\' ]+$`, `^[A-Za-z\x{00C0}-\x{00FF}\-\' ]+$`}, // \- and \' stay: Go accepts them
		{`[a-z\‘\’ ]+`, `[a-z‘’ ]+`},                                           // BAL voie_nom
		{`a\ b`, `a b`},                                                        // Python reads "\ " as a space; Go refuses it
		{`\\u0041`, `\\u0041`},                                                 // an escaped backslash, then text
		{`abc\Z`, `abc\z`},
		{`\U0001F600`, `\x{0001F600}`},
	} {
		got, err := normalizePattern(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
		_, err = compilePattern(c.in)
		assert.NoError(t, err, c.in)
	}
}

func TestPatternErrors(t *testing.T) {
	for _, c := range []struct{ in, says string }{
		{`^(?=.*\d).+$`, "lookahead"},
		{`^(?!x).+$`, "negative lookahead"},
		{`(?<=a)b`, "lookbehind"},
		{`(a)\1`, "backreference"},
		{`abc\`, "lone backslash"},
		{`\u00G0`, "hexadecimal"},
		{`[a-`, "cannot run on RE2"},
		{`a**`, "cannot run on RE2"},
		{strings.Repeat("a", maxPatternBytes+1), "longer than"},
		{"\xff", "UTF-8"},
	} {
		_, err := compilePattern(c.in)
		require.Error(t, err, c.in)
		assert.Contains(t, err.Error(), c.says, c.in)
	}
}

// TestPatternAnchoring: a Table Schema pattern matches the whole value,
// whether or not its author wrote ^ and $ (BAL's don't).
func TestPatternAnchoring(t *testing.T) {
	re, err := compilePattern(`[0-9]{5}`)
	require.NoError(t, err)
	assert.True(t, re.MatchString("35238"))
	assert.False(t, re.MatchString("352381"))
	assert.False(t, re.MatchString("x35238"))
	re, err = compilePattern(`^a$|^b$`)
	require.NoError(t, err)
	assert.True(t, re.MatchString("b"))
	assert.False(t, re.MatchString("a\n")) // RE2's $ is the end of text
}

// schemaPatterns returns every pattern of every Table Schema file under
// ../shared/data/scdl (the DECP JSON Schema aside), arrayItem ones too.
func schemaPatterns(t testing.TB) []string {
	var pats []string
	var walk func(f map[string]any)
	walk = func(f map[string]any) {
		if c, ok := f["constraints"].(map[string]any); ok {
			if p, ok := c["pattern"].(string); ok {
				pats = append(pats, p)
			}
		}
		if it, ok := f["arrayItem"].(map[string]any); ok {
			walk(it)
		}
	}
	for _, file := range tableSchemaFiles(t) {
		var s struct{ Fields []map[string]any }
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &s), file)
		for _, f := range s.Fields {
			walk(f)
		}
	}
	return pats
}

// tableSchemaFiles lists the Table Schema files under ../shared/data/scdl.
func tableSchemaFiles(t testing.TB) []string {
	var files []string
	err := filepath.WalkDir(scdlDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		if strings.Contains(p, "format-commande-publique") { // JSON Schema and its JSON examples
			return nil
		}
		files = append(files, p)
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

// TestSchemaPatterns: every pattern of the SCDL schemas runs on RE2 once
// normalized, including those Go's regexp refuses as written.
func TestSchemaPatterns(t *testing.T) {
	pats := schemaPatterns(t)
	refusedAsWritten := 0
	for _, p := range pats {
		if _, err := regexp.Compile(p); err != nil {
			refusedAsWritten++
		}
		_, err := compilePattern(p)
		assert.NoError(t, err, p)
	}
	t.Logf("%d patterns, %d refused by Go as written, all compile once normalized", len(pats), refusedAsWritten)
	assert.Greater(t, refusedAsWritten, 0, "the fixtures should exercise normalization")
}

func FuzzCompilePattern(f *testing.F) {
	for _, p := range schemaPatterns(f) {
		f.Add(p, "Rue de l’Église")
	}
	for _, p := range []string{`\u00`, `\`, `(?=`, `[\u00C0-\u00FF]`, `\’`, `\Z`, `\U0001F600`, `(?P<n>a)`, `\p{L}+`} {
		f.Add(p, "35238")
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		re, err := compilePattern(pattern)
		if err != nil {
			return
		}
		re.MatchString(value)
	})
}
