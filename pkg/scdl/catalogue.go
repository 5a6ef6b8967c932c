// Package scdl writes a collectivité's catalogue of datasets as the
// Socle Commun des Données Locales describes it (schema scdl/catalogue:
// one row per dataset, in the schema's columns and vocabularies), from
// the catalog's values.
package scdl

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CatalogueHeader are the columns of scdl/catalogue, in order.
var CatalogueHeader = []string{
	"COLL_NOM", "COLL_SIRET", "ID", "TITRE", "DESCRIPTION", "THEME", "PRODUCTEUR_NOM", "PRODUCTEUR_SIRET",
	"COUV_SPAT_MAILLE", "COUV_SPAT_NOM", "COUV_TEMP_DEBUT", "COUV_TEMP_FIN", "DATE_PUBL", "FREQ_MAJ", "DATE_MAJ",
	"MOTS_CLES", "LICENCE", "NOMBRE_RESSOURCES", "FORMAT_RESSOURCES", "URL",
}

// Dataset is what a catalogue row says of a dataset, in the catalog's
// terms (udata's ids for frequency, granularity and licence).
type Dataset struct {
	OrgName, OrgSIRET string // the collectivité, also the producer
	ID, Title, Desc   string
	Tags              []string
	Granularity       string // spatial.granularity, e.g. fr:commune
	TemporalStart     time.Time
	TemporalEnd       time.Time
	Published         time.Time
	Updated           time.Time
	Frequency         string
	License           string
	Formats           []string // of its resources
	Resources         int
	URL               string // the dataset's page
}

// CatalogueWriter writes the catalogue CSV.
type CatalogueWriter struct{ csv *csv.Writer }

// NewCatalogueWriter writes the header and returns the writer.
func NewCatalogueWriter(w io.Writer) (*CatalogueWriter, error) {
	c := &CatalogueWriter{csv: csv.NewWriter(w)}
	return c, c.csv.Write(CatalogueHeader)
}

// Write writes d's row. A dataset without resources has no row: the
// schema requires at least one (NOMBRE_RESSOURCES ≥ 1). It reports
// whether a row was written.
func (c *CatalogueWriter) Write(d Dataset) (bool, error) {
	if d.Resources < 1 {
		return false, nil
	}
	return true, c.csv.Write(CatalogueRecord(d))
}

// Flush writes what is buffered.
func (c *CatalogueWriter) Flush() error {
	c.csv.Flush()
	return c.csv.Error()
}

// CatalogueRecord is d's row. Required cells the catalog may not know
// take the nearest true value: the title for a missing description, the
// first keyword (else the collectivité) for the theme, publication and
// update dates for a missing temporal coverage, the collectivité's name
// as the spatial coverage's name.
func CatalogueRecord(d Dataset) []string {
	keywords := keywords(d.Tags)
	if len(keywords) == 0 {
		keywords = []string{plain(d.OrgName)}
	}
	theme := firstNonEmpty(firstOf(d.Tags), d.OrgName)
	start, end := d.TemporalStart, d.TemporalEnd
	if start.IsZero() {
		start = d.Published
	}
	if end.IsZero() {
		end = d.Updated
	}
	if end.Before(start) {
		end = start
	}
	return []string{
		d.OrgName, d.OrgSIRET, d.ID, oneLine(d.Title), firstNonEmpty(d.Desc, d.Title), truncate(theme, 140),
		d.OrgName, d.OrgSIRET, maille(d.Granularity), truncate(d.OrgName, 140), date(start), date(end),
		date(d.Published), frequency(d.Frequency), date(d.Updated), strings.Join(keywords, ";"), licence(d.License),
		strconv.Itoa(d.Resources), strings.Join(formats(d.Formats), ";"), d.URL,
	}
}

func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// keywords are the tags in lowercase without accents, once each.
func keywords(tags []string) []string {
	var out []string
	for _, t := range tags {
		if k := plain(t); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func formats(fs []string) []string {
	var out []string
	for _, f := range fs {
		if f = plain(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return []string{"autre"}
	}
	return out
}

// plain is s in lowercase without accents nor separators.
func plain(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == ';' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func firstOf(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// maille is the schema's spatial level of a udata granularity.
func maille(granularity string) string {
	switch granularity {
	case "fr:iris", "poi":
		return "Infracommunale"
	case "fr:commune", "fr:arrondissement":
		return "Communale"
	case "fr:epci":
		return "Intercommunale"
	case "fr:canton":
		return "Cantonale"
	case "fr:departement":
		return "Départementale"
	case "fr:region":
		return "Régionale"
	}
	return "Autre"
}

// frequency is the schema's value nearest a udata frequency (the rarer
// ones than five years are "Quinquennale", the rarest the list has).
func frequency(id string) string {
	switch id {
	case "punctual", "never":
		return "Ponctuelle"
	case "irregular":
		return "Irrégulière"
	case "continuous", "oneMinute", "fiveMinutes", "tenMinutes", "fifteenMinutes", "thirtyMinutes":
		return "Continuelle"
	case "hourly", "bihourly", "trihourly":
		return "Toutes les heures"
	case "twelveHours", "severalTimesADay", "threeTimesADay", "semidaily", "daily":
		return "Quotidienne ou plusieurs fois par jour"
	case "fiveTimesAWeek", "threeTimesAWeek", "semiweekly", "weekly":
		return "Hebdomadaire ou plusieurs fois par semaine"
	case "biweekly", "threeTimesAMonth", "semimonthly", "monthly":
		return "Mensuelle ou plusieurs fois par mois"
	case "bimonthly":
		return "Bimestrielle"
	case "quarterly", "threeTimesAYear":
		return "Trimestrielle"
	case "semiannual":
		return "Semestrielle"
	case "annual":
		return "Annuelle"
	case "biennial":
		return "Biennale"
	case "triennial", "quadrennial":
		return "Triennale"
	case "quinquennial", "decennial", "bidecennial", "tridecennial":
		return "Quinquennale"
	}
	return "Inconnue"
}

// licence is the schema's family of a udata licence.
func licence(id string) string {
	switch {
	case id == "lov2" || id == "fr-lo":
		return "Licence Ouverte-LO"
	case id == "odc-odbl":
		return "Open Database License-ODBL"
	case strings.HasPrefix(id, "cc-"):
		return "Creative Commons-CC"
	}
	return "Spécifique ou autre"
}
