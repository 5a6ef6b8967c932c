package searchindextest

import (
	"time"

	"github.com/relais-data/relais/pkg/searchindex"
)

// DatasetSchema is the schema the suite runs with: the dataset fields of the
// search service, title ranking first.
var DatasetSchema = searchindex.Schema{
	Searchable: []searchindex.Field{
		{Name: "title", Boost: 8},
		{Name: "acronym", Boost: 6},
		{Name: "tags", Boost: 4},
		{Name: "organization_name", Boost: 2},
		{Name: "description", Boost: 1},
	},
	Filterable: []string{"organization", "tags", "license", "format"},
	Sortable:   []string{"created", "last_update", "views"},
	Facets:     []string{"organization", "tags", "license", "format"},
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dataset(id, title, description, org, orgName, license string, tags, formats []string, created string, views int) searchindex.Document {
	return searchindex.Document{ID: id, Fields: map[string]any{
		"title":             title,
		"description":       description,
		"organization":      org,
		"organization_name": orgName,
		"license":           license,
		"tags":              tags,
		"format":            formats,
		"created":           day(created),
		"last_update":       day(created).AddDate(0, 1, 0),
		"views":             views,
	}}
}

// Datasets are the documents most cases start from; their texts are French
// and written so that each case has one clear answer.
func Datasets() []searchindex.Document {
	return []searchindex.Document{
		dataset("deliberations", "Délibérations du conseil municipal", "Procès-verbaux des séances publiques.",
			"rennes", "Ville de Rennes", "lov2", []string{"conseil", "democratie"}, []string{"pdf"}, "2019-03-01", 120),
		dataset("eau", "Qualité de l’eau potable", "Analyses sanitaires de l'eau distribuée par commune.",
			"ars", "Agence régionale de santé", "lov2", []string{"sante", "environnement"}, []string{"csv", "json"}, "2021-06-15", 900),
		dataset("elections", "Résultats des élections municipales", "Résultats par bureau de vote, premier et second tour.",
			"interieur", "Ministère de l'Intérieur", "lov2", []string{"vote"}, []string{"csv"}, "2020-07-01", 5000),
		dataset("selection", "Sélection de sites naturels remarquables", "Sites retenus pour leur intérêt écologique.",
			"ofb", "Office français de la biodiversité", "odbl", []string{"nature"}, []string{"shp"}, "2018-01-10", 40),
		dataset("subventions", "Subventions aux associations", "Montants attribués par la collectivité aux associations sportives et culturelles.",
			"paris", "Ville de Paris", "odbl", []string{"finances", "associations"}, []string{"csv", "xlsx"}, "2022-02-20", 700),
		dataset("budget-rennes", "Budget primitif", "Prévisions de recettes et dépenses votées pour l'année.",
			"rennes", "Ville de Rennes", "lov2", []string{"finances"}, []string{"csv"}, "2023-01-05", 300),
		dataset("comptes", "Comptes administratifs", "Exécution du budget de la collectivité, chapitre par chapitre.",
			"paris", "Ville de Paris", "odbl", []string{"finances"}, []string{"csv"}, "2017-05-30", 80),
		dataset("oeuvres", "Inventaire des œuvres d’art", "Collections publiques des musées.",
			"culture", "Ministère de la Culture", "lov2", []string{"patrimoine"}, []string{"json"}, "2016-11-11", 60),
	}
}
