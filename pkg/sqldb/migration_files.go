package sqldb

import (
	"cmp"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// migration is one version of a set, resolved for one dialect.
type migration struct {
	version int64
	file    string // the file applied
	sql     string
}

// migrationName matches NNNN_description.sql and
// NNNN_description.{sqlite,postgres}.sql.
var migrationName = regexp.MustCompile(`^([0-9]+)_([^.]+)(?:\.(sqlite|postgres))?\.sql$`)

// loadMigrations reads the migration files at the root of fsys and returns,
// in version order, the ones that apply to driver d. A version has either a
// common file or one file per dialect, never both, and a version with dialect
// files must have one for d (an empty file is fine). A .sql file whose name
// does not follow the pattern is an error, so that a typo cannot silently
// skip a migration.
func loadMigrations(fsys fs.FS, d Driver) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	// files[version][dialect] = file name; dialect "" is the common file.
	files := map[int64]map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		m := migrationName.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name is not NNNN_description[.sqlite|.postgres].sql", name)
		}
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration file %s: version: %w", name, err)
		}
		if files[v] == nil {
			files[v] = map[string]string{}
		}
		dialect := m[3]
		if prev, ok := files[v][dialect]; ok {
			return nil, fmt.Errorf("migration %04d: two files, %s and %s", v, prev, name)
		}
		files[v][dialect] = name
	}

	out := make([]migration, 0, len(files))
	for v, byDialect := range files {
		name, err := pickMigrationFile(v, byDialect, d)
		if err != nil {
			return nil, err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migration %04d: %w", v, err)
		}
		out = append(out, migration{version: v, file: name, sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	return out, nil
}

func pickMigrationFile(v int64, byDialect map[string]string, d Driver) (string, error) {
	common, hasCommon := byDialect[""]
	if hasCommon && len(byDialect) > 1 {
		return "", fmt.Errorf("migration %04d: %s and dialect files; use one or the other", v, common)
	}
	if hasCommon {
		return common, nil
	}
	name, ok := byDialect[string(d)]
	if !ok {
		return "", fmt.Errorf("migration %04d: no %s file (add an empty NNNN_description.%s.sql if nothing is needed)", v, d, d)
	}
	return name, nil
}
