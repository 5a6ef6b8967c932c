package jsonshape

import (
	"os"
	"path/filepath"
)

// ReferenceDir finds the shared folder of real data.gouv.fr responses:
// $RELAIS_REFERENCE_DIR, else a "shared/reference" folder beside one of the
// working directory's ancestors (the team's layout: /work/main beside
// /work/shared). ok is false when there is none.
func ReferenceDir() (dir string, ok bool) {
	if d := os.Getenv("RELAIS_REFERENCE_DIR"); d != "" {
		return d, true
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "shared", "reference")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}
