package tableschema_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/scdl"
	"github.com/relais-data/relais/services/preview/internal/tableschema"
)

// TestSCDLCatalogueExportValidates: the catalogue CSV the gateway serves
// for an organization (pkg/scdl) conforms to scdl/catalogue, with complete
// datasets and with the cells the catalog may not know.
func TestSCDLCatalogueExportValidates(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	var buf bytes.Buffer
	w, err := scdl.NewCatalogueWriter(&buf)
	require.NoError(t, err)
	for _, d := range []scdl.Dataset{
		{
			OrgName: "Ville de Rennes", OrgSIRET: "21350238800019", ID: "53699116a3a729239d203b7f",
			Title: "Prénoms des nouveau-nés", Desc: "Les prénoms; déclarés\nà l'état civil.", Tags: []string{"État civil", "prénoms", "scdl"},
			Granularity: "fr:commune", TemporalStart: day("2017-01-01"), TemporalEnd: day("2017-12-31"),
			Published: day("2018-01-15"), Updated: day("2018-02-01"), Frequency: "annual", License: "lov2",
			Formats: []string{"CSV", "json", "csv"}, Resources: 3, URL: "https://data.example.fr/datasets/prenoms/",
		},
		{ // what the catalog may not know
			OrgName: "Ville de Rennes", OrgSIRET: "21350238800019", ID: "53699116a3a729239d203b80", Title: "Sans description",
			Published: day("2020-05-01"), Updated: day("2020-04-01"), Frequency: "fourTimesAWeek", License: "other-at",
			Granularity: "country", Formats: []string{""}, Resources: 1, URL: "https://data.example.fr/datasets/x/",
		},
		{OrgName: "Ville de Rennes", OrgSIRET: "21350238800019", ID: "53699116a3a729239d203b81", Title: "Sans ressource", Resources: 0},
	} {
		_, err := w.Write(d)
		require.NoError(t, err)
	}
	require.NoError(t, w.Flush())

	rd := csv.NewReader(&buf)
	header, err := rd.Read()
	require.NoError(t, err)
	s, err := tableschema.Lookup("scdl/catalogue", "latest")
	require.NoError(t, err)
	report, err := s.Validate(context.Background(), header, func() ([]string, error) {
		row, err := rd.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		return row, err
	}, tableschema.DefaultLimits())
	require.NoError(t, err)
	require.True(t, report.Valid, "%+v", report.Errors)
	require.Equal(t, int64(2), report.Stats.Rows, "a dataset without resources has no row")
}
