package api_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/scdl"
)

func TestSCDLCatalogueOfAnOrganization(t *testing.T) {
	env, org, _ := dcatEnv(t)
	up := env.Do(t, "PUT", "/api/1/organizations/"+org+"/", map[string]any{"name": "Ville d'Évian", "description": "Commune.", "business_number_id": "21350238800019"}, env.AdminToken)
	require.Equal(t, http.StatusOK, up.Status, string(up.Body))

	res := env.Do(t, "GET", "/api/1/organizations/"+org+"/catalogue.csv", nil, "")
	require.Equal(t, http.StatusOK, res.Status)
	assert.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2, "the header and the one dataset with a resource")
	assert.Equal(t, scdl.CatalogueHeader, rows[0])
	row := map[string]string{}
	for i, col := range rows[0] {
		row[col] = rows[1][i]
	}
	assert.Equal(t, "Ville d'Évian", row["COLL_NOM"])
	assert.Equal(t, "21350238800019", row["COLL_SIRET"])
	assert.Equal(t, `Budget <0> & "comptes"`, row["TITRE"])
	assert.Equal(t, "Annuelle", row["FREQ_MAJ"])
	assert.Equal(t, "Licence Ouverte-LO", row["LICENCE"])
	assert.Equal(t, "2020-01-01", row["COUV_TEMP_DEBUT"])
	assert.Equal(t, "budget;finances", row["MOTS_CLES"])
	assert.Equal(t, "1", row["NOMBRE_RESSOURCES"])
	assert.Equal(t, "csv", row["FORMAT_RESSOURCES"])
	assert.True(t, strings.HasPrefix(row["URL"], env.URL+"/datasets/"), row["URL"])

	assert.Equal(t, http.StatusNotFound, env.Do(t, "GET", "/api/1/organizations/000000000000000000000000/catalogue.csv", nil, "").Status)
}
