package chartcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDump writes every scenario's rendering to $RELAIS_CHART_DUMP/<name>.yaml
// when that variable is set (a `helm template` for people, offline).
func TestDump(t *testing.T) {
	dir := os.Getenv("RELAIS_CHART_DUMP")
	if dir == "" {
		t.Skip("RELAIS_CHART_DUMP is not set")
	}
	for _, file := range scenarios(t) {
		ms, err := render(t, []string{file})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var b strings.Builder
		for _, m := range ms {
			b.WriteString("---\n")
			b.Write(m.Raw)
			b.WriteString("\n")
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(file)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
