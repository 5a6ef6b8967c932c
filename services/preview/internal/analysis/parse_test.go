package analysis

import (
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		typ, format, cell string
		want              any
	}{
		{"int", "int", " 42 ", int64(42)},
		{"int", "int", "-7", int64(-7)},
		{"int", "year", "2024", int64(2024)},
		{"float", "float", "3,14", 3.14},
		{"float", "float", "1e3", 1000.0},
		{"float", "float", "1 200,50", 1200.5},
		{"int", "int", "1 000 000", int64(1000000)},
		{"float", "latitude_wgs", "48.8566", 48.8566},
		{"bool", "booleen", "Oui", true},
		{"bool", "booleen", "non", false},
		{"bool", "booleen", "0", false},
		{"date", "date", "9/7/1952", "1952-07-09"},
		{"date", "date", "2024-03-30", "2024-03-30"},
		{"date", "date_fr", "1er janvier 2024", "2024-01-01"},
		{"datetime", "datetime_naive", "30/03/2024 08:15", "2024-03-30T08:15:00"},
		{"datetime", "datetime_naive", "2024-03-30", "2024-03-30T00:00:00"},
		{"datetime", "datetime_aware", "2024-03-30T08:15:00.5+01:00", "2024-03-30T08:15:00.5+01:00"},
		{"datetime", "datetime_aware", "2024-03-30 08:15:00Z", "2024-03-30T08:15:00Z"},
		{"json", "json", `{"a": [1, 2]}`, `{"a": [1, 2]}`},
		{"string", "code_commune_insee", "2A004", "2A004"},
		{"string", "string", "  L ABERGEMENT   ", "L ABERGEMENT"},
		{"int", "int", "", nil},
		{"string", "string", "NA", nil},
		{"float", "float", "N/A", nil},
	}
	for _, c := range cases {
		got, err := Parse(Column{Name: "c", Type: c.typ, Format: c.format}, c.cell)
		if err != nil || got != c.want {
			t.Errorf("Parse(%s, %q) = %#v, %v; want %#v", c.typ, c.cell, got, err, c.want)
		}
	}
	for _, c := range []struct{ typ, cell string }{
		{"int", "4,5"}, {"float", "abc"}, {"bool", "peut-être"}, {"date", "31/02/2024"},
		{"datetime", "hier"}, {"json", "{"}, {"geometry", "x"},
	} {
		if v, err := Parse(Column{Name: "c", Type: c.typ}, c.cell); err == nil {
			t.Errorf("Parse(%s, %q) = %#v, want an error", c.typ, c.cell, v)
		}
	}
}
