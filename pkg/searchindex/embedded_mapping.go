package searchindex

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// frenchAnalyzer is the analyzer of searchable fields: ASCII folding (é→e,
// œ→oe, ’→'), Unicode word tokens, lowercase, French elision (l', qu'…),
// French stop words (folded too) and the light French stemmer. Folding comes
// first so that "deliberations" and "Délibérations" reach the stemmer alike.
const frenchAnalyzer = "relais_fr"

// wordsAnalyzer is frenchAnalyzer without the stemmer. Typos are matched on
// these whole words, as the stemmer cuts misspelt words elsewhere than the
// right ones ("délibérassions" → deliberasion, "délibérations" → delib). All
// searchable fields go, as whole words, into the one typoField: a fuzzy
// lookup costs a Levenshtein automaton and a dictionary walk per field, so
// one field instead of five keeps queries fast.
const wordsAnalyzer = "relais_fr_words"

const (
	frenchStopMap    = "relais_fr_stop_folded"
	frenchStopFilter = "relais_fr_stop"
)

// Suffixes of the indexed field names: a schema field may be searchable,
// filterable and sortable at once, each use being its own bleve field.
const (
	keywordSuffix = "__kw"
	sortSuffix    = "__sort"
	typoField     = "__words"
)

func keywordField(name string) string { return name + keywordSuffix }
func sortField(name string) string    { return name + sortSuffix }

// indexMapping builds the bleve mapping of a schema. Nothing is stored but
// what ranking, filters, facets and sorting need.
func indexMapping(s Schema) (*mapping.IndexMappingImpl, error) {
	for _, b := range s.Boosts {
		if !contains(keywordFields(s), b.Field) || b.Factor <= 0 {
			return nil, fmt.Errorf("boost of %s=%s: needs a filterable field and a factor above 0", b.Field, b.Value)
		}
	}
	im := mapping.NewIndexMapping()
	if err := im.AddCustomTokenMap(frenchStopMap, map[string]any{
		"type":   tokenmap.Name,
		"tokens": foldedFrenchStopWords(),
	}); err != nil {
		return nil, fmt.Errorf("add stop words: %w", err)
	}
	if err := im.AddCustomTokenFilter(frenchStopFilter, map[string]any{
		"type":           stop.Name,
		"stop_token_map": frenchStopMap,
	}); err != nil {
		return nil, fmt.Errorf("add stop filter: %w", err)
	}
	if err := im.AddCustomAnalyzer(frenchAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name, fr.ElisionName, frenchStopFilter, fr.LightStemmerName},
	}); err != nil {
		return nil, fmt.Errorf("add french analyzer: %w", err)
	}
	if err := im.AddCustomAnalyzer(wordsAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name, fr.ElisionName, frenchStopFilter},
	}); err != nil {
		return nil, fmt.Errorf("add french words analyzer: %w", err)
	}
	im.DefaultAnalyzer = frenchAnalyzer

	doc := mapping.NewDocumentStaticMapping()
	fields := map[string][]*mapping.FieldMapping{}
	for _, f := range s.Searchable {
		fm := mapping.NewTextFieldMapping()
		fm.Name = f.Name
		fm.Analyzer = frenchAnalyzer
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		fields[f.Name] = append(fields[f.Name], fm)
	}
	words := mapping.NewTextFieldMapping()
	words.Name = typoField
	words.Analyzer = wordsAnalyzer
	words.Store = false
	words.IncludeInAll = false
	words.IncludeTermVectors = false
	words.DocValues = false
	fields[typoField] = []*mapping.FieldMapping{words}
	for _, name := range keywordFields(s) {
		fm := mapping.NewKeywordFieldMapping()
		fm.Name = keywordField(name)
		fm.Analyzer = keyword.Name
		// Boosts read the stored values of the best hits (see rescore);
		// facets are counted on facetsField.
		fm.Store = contains(boostFields(s), name)
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		fields[fm.Name] = append(fields[fm.Name], fm)
	}
	facets := mapping.NewKeywordFieldMapping()
	facets.Name = facetsField
	facets.Analyzer = keyword.Name
	facets.Store = false
	facets.IncludeInAll = false
	facets.IncludeTermVectors = false
	facets.DocValues = true
	fields[facetsField] = []*mapping.FieldMapping{facets}
	for _, name := range s.Sortable {
		fm := mapping.NewNumericFieldMapping()
		fm.Name = sortField(name)
		fm.Store = false
		fm.IncludeInAll = false
		fm.DocValues = true
		fields[fm.Name] = append(fields[fm.Name], fm)
	}
	for name, fms := range fields {
		doc.AddFieldMappingsAt(name, fms...)
	}
	im.DefaultMapping = doc
	return im, nil
}

// keywordFields lists the fields that filters or facets use, once each.
func keywordFields(s Schema) []string {
	var out []string
	for _, name := range append(append([]string(nil), s.Filterable...), s.Facets...) {
		if !contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// facetFields are the fields whose values facetsField holds: the facets,
// and the fields of the Boosts, which rescore reads there.
func facetFields(s Schema) []string {
	out := append([]string(nil), s.Facets...)
	for _, f := range boostFields(s) {
		if !contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// foldedFrenchStopWords is bleve's French stop word list (Snowball's) with
// accents folded, since folding happens before the stop filter.
func foldedFrenchStopWords() []any {
	folder := asciifolding.New()
	var out []any
	seen := map[string]bool{}
	for _, line := range bytes.Split(fr.FrenchStopWords, []byte("\n")) {
		if i := bytes.IndexByte(line, '|'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(string(folder.Filter(line))) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// dvOptions are the doc value options of keyword and sort fields: stored
// uncompressed, one chunk per document. Facets and boosts read the doc
// values of every hit; with bleve's default (snappy-compressed chunks of
// about a thousand documents), decompressing and searching chunks was most
// of the time of a search matching thousands of documents.
const dvOptions = index.SkipDVCompression | index.SkipDVChunking

// mapDocument maps a document's indexed fields through the mapping, as
// bleve's Batch.Index does, adds its facet and sort values to facetsField, and sets
// dvOptions on its doc value fields.
func (e *embedded) mapDocument(id string, fields map[string]any) (*document.Document, error) {
	m := e.index.Mapping()
	doc := document.NewDocument(id)
	if err := m.MapDocument(doc, fields); err != nil {
		return nil, err
	}
	var terms []string
	for _, facet := range facetFields(e.schema) {
		values, _ := fields[keywordField(facet)].([]string)
		for _, v := range values {
			terms = append(terms, facetTerm(facet, v))
		}
	}
	if len(e.schema.Sortable) > 0 {
		values := make([]float64, len(e.schema.Sortable))
		for i, name := range e.schema.Sortable {
			v, ok := fields[sortField(name)].(float64)
			if !ok {
				v = math.NaN()
			}
			values[i] = v
		}
		terms = append(terms, sortValuesTerm(values))
	}
	for pos, t := range terms {
		doc.AddField(document.NewTextFieldCustom(facetsField, []uint64{uint64(pos)}, []byte(t),
			index.IndexField|index.DocValues, m.AnalyzerNamed(keyword.Name)))
	}
	for i, f := range doc.Fields {
		if !f.Options().IncludeDocValues() {
			continue
		}
		switch f := f.(type) {
		case *document.TextField:
			doc.Fields[i] = document.NewTextFieldCustom(f.Name(), f.ArrayPositions(), f.Value(), f.Options()|dvOptions, f.Analyzer())
		case *document.NumericField:
			n, err := f.Number()
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name(), err)
			}
			doc.Fields[i] = document.NewNumericFieldWithIndexingOptions(f.Name(), f.ArrayPositions(), n, f.Options()|dvOptions)
		}
	}
	return doc, nil
}
