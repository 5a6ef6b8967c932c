package portal

// reuseTypeLabels are udata's reuse types as data.gouv.fr names them in
// French (the catalog's reference lists carry udata's English labels).
var reuseTypeLabels = map[string]string{
	"api":           "API",
	"application":   "Application",
	"idea":          "Idée",
	"news_article":  "Article de presse",
	"paper":         "Article scientifique",
	"post":          "Billet de blog",
	"visualization": "Visualisation",
	"hardware":      "Objet connecté",
}

// reuseTopicLabels are udata's reuse topics in French.
var reuseTopicLabels = map[string]string{
	"health":                   "Santé",
	"transport_and_mobility":   "Transports et mobilité",
	"housing_and_development":  "Logement et aménagement",
	"food_and_agriculture":     "Alimentation et agriculture",
	"culture_and_recreation":   "Culture et loisirs",
	"economy_and_business":     "Économie et entreprises",
	"environment_and_energy":   "Environnement et énergie",
	"work_and_training":        "Travail et formation",
	"politics_and_public_life": "Politique et vie publique",
	"safety_and_security":      "Sécurité",
	"education_and_research":   "Éducation et recherche",
	"society_and_demography":   "Société et démographie",
	"law_and_justice":          "Droit et justice",
	"open_data_tools":          "Outils open data",
	"others":                   "Autres",
}

// labelOr is labels[id], or id itself when the list does not know it.
func labelOr(labels map[string]string, id string) string {
	if l := labels[id]; l != "" {
		return l
	}
	return id
}
