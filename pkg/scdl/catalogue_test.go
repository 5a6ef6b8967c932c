package scdl

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCatalogueRecordFillsRequiredCellsWithTheNearestTrueValue(t *testing.T) {
	pub, upd := time.Date(2021, 3, 4, 10, 0, 0, 0, time.UTC), time.Date(2022, 5, 6, 0, 0, 0, 0, time.UTC)
	rec := CatalogueRecord(Dataset{
		OrgName: "Métropole Européenne de Lille", OrgSIRET: "20004179200015", ID: "x", Title: "Un\ntitre  long",
		Published: pub, Updated: upd, Frequency: "decennial", License: "cc-by-sa", Granularity: "fr:epci",
		Formats: []string{"CSV", "XLSX", "csv", "Géo;JSON"}, Resources: 4, URL: "https://example.org/x",
	})
	row := map[string]string{}
	for i, col := range CatalogueHeader {
		row[col] = rec[i]
	}
	assert.Equal(t, "Un titre long", row["TITRE"])
	assert.Equal(t, "Un\ntitre  long", row["DESCRIPTION"], "the title when there is no description")
	assert.Equal(t, "Métropole Européenne de Lille", row["THEME"])
	assert.Equal(t, "metropole europeenne de lille", row["MOTS_CLES"])
	assert.Equal(t, "2021-03-04", row["COUV_TEMP_DEBUT"])
	assert.Equal(t, "2022-05-06", row["COUV_TEMP_FIN"])
	assert.Equal(t, "Quinquennale", row["FREQ_MAJ"])
	assert.Equal(t, "Creative Commons-CC", row["LICENCE"])
	assert.Equal(t, "Intercommunale", row["COUV_SPAT_MAILLE"])
	assert.Equal(t, "csv;xlsx;geo json", row["FORMAT_RESSOURCES"])
	assert.Len(t, rec, len(CatalogueHeader))
}
