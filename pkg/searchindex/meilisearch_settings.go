package searchindex

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/meilisearch/meilisearch-go"
)

// Attributes the Meilisearch backend adds to each document: the primary
// key, the product of the schema's boosts that the document earns, and
// relais__all, the same value in every document, whose facet count is the
// number of matching documents. Sortable fields add <name>__sort
// (sortField). Schema field names may not contain "__", so none collides
// with these.
const (
	meiliIDAttr    = "id"
	meiliBoostAttr = "relais__boost"
	meiliAllAttr   = "relais__all"
	meiliAllValue  = "all"
)

// meiliFieldName is what a schema field name must look like: a word of the
// filter grammar that is neither nested (no dot) nor a keyword.
var meiliFieldName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// meiliKeywords are the reserved words of Meilisearch's filter grammar.
var meiliKeywords = []string{"AND", "OR", "IN", "NOT", "TO", "EXISTS", "IS", "NULL", "EMPTY", "CONTAINS", "STARTS", "WITH"}

// meiliSettings are the index settings a schema implies.
//
// Ranking rules: words first (with Meilisearch's default "last" matching
// strategy, documents holding every query word come first), then sort, so
// that a sorted search is in date order among those documents as udata's
// is, then typo, proximity, attribute (searchable attributes in the
// schema's order stand for their boosts), the document boost, exactness.
// Meilisearch cannot multiply a score: the schema's Boosts become the
// relais__boost:desc rule, which orders the documents the rules before it
// leave tied; unlike the embedded backend's, it also orders a listing
// without text nor sort (featured datasets first).
func meiliSettings(s Schema, cfg MeiliConfig) (*meilisearch.Settings, error) {
	if err := checkMeiliSchema(s); err != nil {
		return nil, err
	}
	searchable := make([]string, 0, len(s.Searchable))
	for _, f := range s.Searchable {
		searchable = append(searchable, f.Name)
	}
	// Sortable fields are filterable too: ranges are filters on them.
	sortable := make([]string, 0, len(s.Sortable)+1)
	filterable := append(keywordFields(s), meiliAllAttr)
	for _, name := range s.Sortable {
		sortable = append(sortable, sortField(name))
		filterable = append(filterable, sortField(name))
	}
	rules := []string{"words", "sort", "typo", "proximity", "attribute"}
	if len(s.Boosts) > 0 {
		rules = append(rules, meiliBoostAttr+":desc")
		sortable = append(sortable, meiliBoostAttr)
	}
	rules = append(rules, "exactness")
	fra := "fra"
	return &meilisearch.Settings{
		RankingRules:         rules,
		SearchableAttributes: searchable,
		DisplayedAttributes:  []string{"*"},
		FilterableAttributes: filterable,
		SortableAttributes:   sortable,
		StopWords:            meiliStopWords(),
		Synonyms:             meiliSynonyms(),
		LocalizedAttributes:  []*meilisearch.LocalizedAttributes{{Locales: []string{fra}, AttributePatterns: []string{"*"}}},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: int64(cfg.MaxValuesPerFacet),
			// Count order, so that the values cut at MaxValuesPerFacet
			// are the rarest, as FacetSize wants.
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		// Meilisearch ranks up to maxTotalHits documents per query, and
		// no page lies beyond the result window. totalHits stops there
		// too, so Total comes from the relais__all facet, which counts
		// every matching document.
		Pagination: &meilisearch.Pagination{MaxTotalHits: MaxResultWindow},
	}, nil
}

// checkMeiliSchema refuses field names that a filter string could not hold
// as a bare word or that collide with the attributes the backend adds.
func checkMeiliSchema(s Schema) error {
	var names []string
	for _, f := range s.Searchable {
		names = append(names, f.Name)
	}
	names = append(names, s.Filterable...)
	names = append(names, s.Sortable...)
	names = append(names, s.Facets...)
	for _, b := range s.Boosts {
		if !contains(s.Filterable, b.Field) {
			return fmt.Errorf("boost on %q, which is not filterable", b.Field)
		}
		if b.Factor <= 0 {
			return fmt.Errorf("boost on %s=%s: factor %v is not positive", b.Field, b.Value, b.Factor)
		}
	}
	for _, name := range names {
		switch {
		case !meiliFieldName.MatchString(name):
			return fmt.Errorf("field name %q: want a letter then letters, digits or _", name)
		case strings.Contains(name, "__"), name == meiliIDAttr:
			return fmt.Errorf("field name %q is reserved (id, or containing __)", name)
		case contains(meiliKeywords, name):
			return fmt.Errorf("field name %q is a keyword of the filter grammar", name)
		}
	}
	return nil
}

// meiliStopWords is the French stop word list of the embedded backend
// (Snowball's, with the elided l, d, qu…), accented and folded both, since
// a query may come either way.
func meiliStopWords() []string {
	folder := asciifolding.New()
	var out []string
	seen := map[string]bool{}
	for _, line := range bytes.Split(fr.FrenchStopWords, []byte("\n")) {
		if i := bytes.IndexByte(line, '|'); i >= 0 {
			line = line[:i]
		}
		for _, w := range append(strings.Fields(string(line)), strings.Fields(string(folder.Filter(line)))...) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// frenchAcronyms are acronyms of public bodies and of terms common in
// French open data, with what they stand for; Meilisearch gets them as
// synonyms both ways.
var frenchAcronyms = map[string]string{
	"insee": "institut national de la statistique et des études économiques",
	"dgfip": "direction générale des finances publiques",
	"ban":   "base adresse nationale",
	"plu":   "plan local d'urbanisme",
	"ign":   "institut national de l'information géographique et forestière",
	"dvf":   "demandes de valeurs foncières",
	"irve":  "infrastructures de recharge pour véhicules électriques",
	"sncf":  "société nationale des chemins de fer français",
	"ars":   "agence régionale de santé",
	"epci":  "établissement public de coopération intercommunale",
}

func meiliSynonyms() map[string][]string {
	out := make(map[string][]string, 2*len(frenchAcronyms))
	for acronym, long := range frenchAcronyms {
		out[acronym] = []string{long}
		out[long] = []string{acronym}
	}
	return out
}
