package relevance

import (
	"path/filepath"
	"runtime"
)

// TestSetPath is testdata/relevance.yaml of the search module, found from
// this source file's place so that commands and tests run from anywhere.
func TestSetPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "relevance.yaml")
}
