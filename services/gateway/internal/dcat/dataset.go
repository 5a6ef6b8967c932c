package dcat

import (
	"encoding/json"
	"strconv"
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// Mapper turns catalog objects into DCAT-AP nodes.
type Mapper struct {
	// Base is the portal's public URL, without a trailing slash.
	Base string
	// Licenses are the catalog's licences by id: a distribution's
	// dct:license is the licence's URL, else a dct:rights literal of its
	// title.
	Licenses map[string]*catalogv1.License
}

// harvest is the part of a dataset's harvest object the DCAT export uses.
type harvest struct {
	URI           string `json:"uri"`
	DCTIdentifier string `json:"dct_identifier"`
	RemoteURL     string `json:"remote_url"`
	CreatedAt     string `json:"created_at"`
	IssuedAt      string `json:"issued_at"`
	ModifiedAt    string `json:"modified_at"`
}

// DatasetURI is the dataset's node: harvest.uri, else its web page.
func (m Mapper) DatasetURI(d *catalogv1.Dataset) string {
	if h := readHarvest(d); h.URI != "" {
		return h.URI
	}
	return m.Base + "/datasets/" + d.GetId() + "/"
}

func readHarvest(d *catalogv1.Dataset) harvest {
	var h harvest
	if len(d.GetHarvestJson()) > 0 {
		_ = json.Unmarshal(d.GetHarvestJson(), &h) // the catalog stores valid JSON; a bad one only loses these values
	}
	return h
}

// Dataset writes a dataset and its distributions, temporal coverage and
// publisher.
func (m Mapper) Dataset(d *catalogv1.Dataset, emit func(Node) error) error {
	h := readHarvest(d)
	uri := m.DatasetURI(d)
	n := Node{Subject: Ref(uri)}
	n.Add(Type, Ref(DCAT+"Dataset"))
	id := h.DCTIdentifier
	if id == "" {
		id = d.GetId()
	}
	n.Add(DCT+"identifier", Str(id))
	n.Add(DCT+"title", Str(d.GetTitle()))
	n.Add(DCT+"description", Str(d.GetDescription()))
	n.Add(SKOS+"altLabel", Str(d.GetAcronym()))
	issued := dateTime(d.GetCreatedAtInternal().AsTime())
	if v := firstNonEmpty(h.IssuedAt, h.CreatedAt); v != "" {
		issued = Typed(v, XSD+"dateTime")
	}
	n.Add(DCT+"issued", issued)
	modified := dateTime(d.GetLastModifiedInternal().AsTime())
	if h.ModifiedAt != "" {
		modified = Typed(h.ModifiedAt, XSD+"dateTime")
	}
	n.Add(DCT+"modified", modified)
	landing := h.RemoteURL
	if landing == "" {
		landing = m.Base + "/datasets/" + d.GetSlug() + "/"
	}
	n.Add(DCAT+"landingPage", Ref(landing))
	for _, tag := range d.GetTags() {
		n.Add(DCAT+"keyword", Str(tag))
	}
	n.Add(DCT+"accrualPeriodicity", frequency(d.GetFrequency()))
	// The licence goes on each distribution as udata writes it, and on
	// the dataset too (dct:license of DCAT's dcat:Resource), so that a
	// dataset without distributions keeps it.
	n.Add(DCT+"license", m.licenseTerm(d))
	access := "PUBLIC"
	if d.GetPrivate() {
		access = "NON_PUBLIC"
	}
	n.Add(DCT+"accessRights", Ref("http://publications.europa.eu/resource/authority/access-right/"+access))
	var extra []Node
	if tc := d.GetTemporalCoverage(); tc != nil && tc.GetStart() != "" {
		period := Node{Subject: BNode("t" + d.GetId())}
		period.Add(Type, Ref(DCT+"PeriodOfTime"))
		period.Add(DCAT+"startDate", Typed(tc.GetStart(), XSD+"date"))
		period.Add(DCAT+"endDate", Typed(tc.GetEnd(), XSD+"date"))
		n.Add(DCT+"temporal", period.Subject)
		extra = append(extra, period)
	}
	if org := d.GetOrganization(); org != nil && org.GetId() != "" {
		pub := Node{Subject: Ref(m.Base + "/organizations/" + org.GetId() + "/")}
		pub.Add(Type, Ref(FOAF+"Organization"))
		pub.Add(FOAF+"name", Str(org.GetName()))
		n.Add(DCT+"publisher", pub.Subject)
		extra = append(extra, pub)
	}
	for _, r := range d.GetResources() {
		dist := m.distribution(d, r)
		n.Add(DCAT+"distribution", dist[0].Subject)
		extra = append(extra, dist...)
	}
	if err := emit(n); err != nil {
		return err
	}
	for _, x := range extra {
		if err := emit(x); err != nil {
			return err
		}
	}
	return nil
}

func (m Mapper) distribution(d *catalogv1.Dataset, r *catalogv1.Resource) []Node {
	n := Node{Subject: Ref(m.Base + "/datasets/" + d.GetId() + "/#resource-" + r.GetId())}
	n.Add(Type, Ref(DCAT+"Distribution"))
	n.Add(DCT+"identifier", Str(r.GetId()))
	n.Add(DCT+"title", Str(r.GetTitle()))
	n.Add(DCT+"description", Str(r.GetDescription()))
	if r.GetUrl() != "" {
		n.Add(DCAT+"downloadURL", Ref(r.GetUrl()))
	}
	n.Add(DCAT+"accessURL", Ref(m.Base+"/api/1/datasets/r/"+r.GetId()))
	n.Add(DCT+"issued", dateTime(r.GetCreatedAtInternal().AsTime()))
	n.Add(DCT+"modified", dateTime(r.GetLastModifiedInternal().AsTime()))
	if t := m.licenseTerm(d); t.Kind == IRI {
		n.Add(DCT+"license", t)
	} else {
		n.Add(DCT+"rights", t)
	}
	if r.Filesize != nil {
		n.Add(DCAT+"byteSize", Typed(strconv.FormatInt(r.GetFilesize(), 10), XSD+"decimal"))
	}
	n.Add(DCAT+"mediaType", Str(r.GetMime()))
	n.Add(DCT+"format", Str(r.GetFormat()))
	nodes := []Node{n}
	if c := r.GetChecksum(); c != nil && c.GetValue() != "" {
		sum := Node{Subject: BNode("c" + r.GetId())}
		sum.Add(Type, Ref(SPDX+"Checksum"))
		sum.Add(SPDX+"algorithm", Ref(SPDX+"checksumAlgorithm_"+c.GetType()))
		sum.Add(SPDX+"checksumValue", Str(c.GetValue()))
		nodes[0].Add(SPDX+"checksum", sum.Subject)
		nodes = append(nodes, sum)
	}
	return nodes
}

func dateTime(t time.Time) Term {
	if t.IsZero() || t.Unix() == 0 {
		return Term{}
	}
	return Typed(t.UTC().Format("2006-01-02T15:04:05"), XSD+"dateTime")
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// licenseTerm is the dataset's licence: its URL, else its title (the zero
// Term when the catalog's licences are unknown).
func (m Mapper) licenseTerm(d *catalogv1.Dataset) Term {
	l := m.Licenses[d.GetLicense()]
	switch {
	case l == nil:
		return Term{}
	case l.GetUrl() != "":
		return Ref(l.GetUrl())
	}
	return Str(l.GetTitle())
}
