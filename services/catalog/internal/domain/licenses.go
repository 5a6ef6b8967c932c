package domain

import "strings"

// License is an entry of /api/1/datasets/licenses/.
type License struct {
	ID              string
	Title           string
	Maintainer      string // empty = null
	URL             string // empty = null
	Flags           []string
	AlternateURLs   []string
	AlternateTitles []string
}

// DefaultLicenseID is the licence of a dataset that names none.
const DefaultLicenseID = "notspecified"

// licenses is data.gouv.fr's list as /api/1/datasets/licenses/ serves it,
// sorted by id.
var licenses = []License{
	{ID: "cc-by", Title: "Creative Commons Attribution", URL: "http://www.opendefinition.org/licenses/cc-by",
		Flags: []string{"okd_compliant", "domain_content"}},
	{ID: "cc-by-sa", Title: "Creative Commons Attribution Share-Alike", URL: "http://www.opendefinition.org/licenses/cc-by-sa",
		Flags: []string{"okd_compliant", "domain_content"}},
	{ID: "cc-zero", Title: "Creative Commons CCZero", URL: "http://www.opendefinition.org/licenses/cc-zero",
		Flags: []string{"domain_data", "okd_compliant", "domain_content", "domain_software"}},
	{ID: "fr-lo", Title: "Licence Ouverte / Open Licence", URL: "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
		Flags:           []string{"domain_data", "okd_compliant", "domain_content"},
		AlternateURLs:   []string{"https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Open_Licence.pdf"},
		AlternateTitles: []string{"LO/OL"}},
	{ID: "lov2", Title: "Licence Ouverte / Open Licence version 2.0", URL: "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
		Flags: []string{"domain_data", "okd_compliant", "domain_content"},
		AlternateURLs: []string{
			"https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
			"https://github.com/etalab/Licence-Ouverte/blob/master/LO.md",
		},
		AlternateTitles: []string{
			"License Etalab", "License Etalab v2", "License Etalab v2.0", "Licence Ouverte (Etalab)",
			"License Ouverte", "Licence Ouverte v2", "Licence Ouverte v2.0", "Licence Ouverte v2.0 (Etalab)",
			"Licence Ouverte version 2.0", "Open Licence v2", "Open Licence v2.0", "Open Licence version 2.0",
			"Licence Ouverte / Open Licence v2", "Licence Ouverte / Open Licence v2.0", "etalab-2.0",
		}},
	{ID: "notspecified", Title: "License Not Specified", Flags: []string{"generic"}},
	{ID: "odc-by", Title: "Open Data Commons Attribution License", URL: "http://opendatacommons.org/licenses/by/summary/",
		Flags: []string{"domain_data", "okd_compliant"}},
	{ID: "odc-odbl", Title: "Open Data Commons Open Database License (ODbL)", URL: "http://opendatacommons.org/licenses/odbl/summary/",
		Flags:         []string{"domain_data", "okd_compliant"},
		AlternateURLs: []string{"https://opendefinition.org/licenses/odc-odbl"},
		AlternateTitles: []string{
			"Open Database License (ODbL) 1.0", "Open Data Commons Open Database License 1.0", "Open Database License",
		}},
	{ID: "odc-pddl", Title: "Open Data Commons Public Domain Dedication and Licence (PDDL)", URL: "http://opendatacommons.org/licenses/pddl/summary/",
		Flags: []string{"domain_data", "okd_compliant"}},
	{ID: "other-at", Title: "Other (Attribution)", Flags: []string{"okd_compliant", "generic", "domain_content"}},
	{ID: "other-open", Title: "Other (Open)", Flags: []string{"okd_compliant", "generic", "domain_content"}},
	{ID: "other-pd", Title: "Other (Public Domain)", Flags: []string{"okd_compliant", "generic", "domain_content"}},
}

// Licenses returns the licence list (callers must not modify it).
func Licenses() []License { return licenses }

// LicenseByID returns the licence with exactly this id.
func LicenseByID(id string) (License, bool) {
	for _, l := range licenses {
		if l.ID == id {
			return l, true
		}
	}
	return License{}, false
}

// GuessLicense finds a licence from free text as udata's License.guess_one
// does: id (case-insensitive), slugified title, URL or alternate URL, then a
// unique match within a Damerau-Levenshtein distance of 2 on slugified
// titles, then on slugified alternate titles.
func GuessLicense(text string) (License, bool) {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" {
		return License{}, false
	}
	slug := Slugify(text, 0)
	for _, l := range licenses {
		if strings.EqualFold(l.ID, text) || Slugify(l.Title, 0) == slug || (l.URL != "" && strings.EqualFold(l.URL, text)) {
			return l, true
		}
		for _, u := range l.AlternateURLs {
			if strings.EqualFold(u, text) {
				return l, true
			}
		}
	}
	if l, ok := uniqueClose(slug, func(l License) []string { return []string{l.Title} }); ok {
		return l, true
	}
	return uniqueClose(slug, func(l License) []string { return l.AlternateTitles })
}

func uniqueClose(slug string, titles func(License) []string) (License, bool) {
	var found []License
	for _, l := range licenses {
		for _, t := range titles(l) {
			if osaDistance(Slugify(t, 0), slug) <= 2 {
				found = append(found, l)
				break // one candidate per licence
			}
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return License{}, false
}

// osaDistance is the restricted Damerau-Levenshtein (optimal string
// alignment) distance between two ASCII strings.
func osaDistance(a, b string) int {
	if a == b {
		return 0
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
