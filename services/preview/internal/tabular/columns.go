package tabular

import (
	"fmt"
	"strconv"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Column is a column of a loaded table: its name in the file and its type,
// one of the Type* constants (analysis' column types).
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Column types, as analysis names them.
const (
	TypeString   = "string"
	TypeInt      = "int"
	TypeFloat    = "float"
	TypeBool     = "bool"
	TypeDate     = "date"
	TypeDatetime = "datetime"
	TypeJSON     = "json"
)

// typeNaiveDatetime is the output type of a datetime column whose values
// all came without a time zone (csv-detective's datetime_naive): they are
// stored as UTC and shown without the "Z", as the file wrote them.
const typeNaiveDatetime = "datetime_naive"

// registryColumn is a column as the registry records it.
type registryColumn struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Naive bool   `json:"naive,omitempty"` // a datetime column without zones
}

// idColumn is the row number api-tabular adds to every table, from 1 in file
// order.
const idColumn = "__id"

// checkColumns rejects what a table cannot hold: an unknown type, or a name
// given twice (or "__id"), which filters could not tell apart.
func checkColumns(cols []Column) error {
	seen := map[string]bool{idColumn: true}
	for i, c := range cols {
		switch c.Type {
		case TypeString, TypeInt, TypeFloat, TypeBool, TypeDate, TypeDatetime, TypeJSON:
		default:
			return fmt.Errorf("column %d (%q): unknown type %q", i+1, c.Name, c.Type)
		}
		if seen[c.Name] {
			return fmt.Errorf("column %d: name %q is used twice (or is the reserved %s)", i+1, c.Name, idColumn)
		}
		seen[c.Name] = true
	}
	return nil
}

// physical is the SQL name of the i-th column of a data table. Names are
// generated so that no text of the file is ever an identifier.
func physical(i int) string { return "c" + strconv.Itoa(i) }

// sqlType is the column type of t in dialect d (see the package doc).
func sqlType(d sqldb.Driver, t string) string {
	pg := d == sqldb.Postgres
	if d == duckDB && t == TypeFloat {
		return "DOUBLE"
	}
	switch t {
	case TypeInt:
		return "BIGINT"
	case TypeFloat:
		if pg {
			return "DOUBLE PRECISION"
		}
		return "REAL"
	case TypeBool:
		return "BOOLEAN"
	case TypeJSON:
		return "TEXT"
	default: // string, date, datetime
		if pg {
			return `TEXT COLLATE "C"`
		}
		return "TEXT"
	}
}

// quote quotes an SQL identifier (both dialects use double quotes).
func quote(name string) string {
	b := make([]byte, 0, len(name)+2)
	b = append(b, '"')
	for i := 0; i < len(name); i++ {
		if name[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, name[i])
	}
	return string(append(b, '"'))
}
