package tableschema_test

import (
	"context"
	"fmt"
	"io"

	"github.com/relais-data/relais/services/preview/internal/tableschema"
)

// A collectivité's prénoms file checked against the SCDL schema of the
// catalogue.
func ExampleSchema_Validate() {
	s, err := tableschema.Lookup("scdl/prenoms", "latest")
	if err != nil {
		panic(err)
	}
	rows := [][]string{
		{"Rennes", "35238", "F", "Louise", "82", "2016"},
		{"Rennes", "35238", "H", "Adam", "353", "2016"},
	}
	next := func() ([]string, error) {
		if len(rows) == 0 {
			return nil, io.EOF
		}
		r := rows[0]
		rows = rows[1:]
		return r, nil
	}
	header := []string{"COMMUNE_NOM", "COLL_INSEE", "ENFANT_SEXE", "ENFANT_PRENOM", "NOMBRE_OCCURRENCES", "ANNEE"}
	report, err := s.Validate(context.Background(), header, next, tableschema.DefaultLimits())
	if err != nil {
		panic(err)
	}
	fmt.Println(report.Valid, report.Stats.Rows, report.Stats.Errors)
	for _, e := range report.Errors {
		fmt.Printf("ligne %d, %s, %q : %s\n", e.RowNumber, e.FieldName, e.Cell, e.Message)
	}
	// Output:
	// false 2 1
	// ligne 3, ENFANT_SEXE, "H" : La valeur n'est pas une des valeurs autorisées : « M », « F », « I »
}
