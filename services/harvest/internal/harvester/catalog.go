package harvester

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// backends are the harvest.backend values data.gouv.fr writes, by kind.
var backends = map[string]string{"udata": "udata", "dcat": "DCAT", "ckan": "CKAN", "dcatus": "DCAT"}

// harvestJSON is the dataset's harvest object as udata writes it (null
// keys left out); archived adds archived_at and the reason.
func harvestJSON(src store.Source, d remote.Dataset, now time.Time, archived bool) []byte {
	h := map[string]string{
		"backend":     backends[src.Kind],
		"source_id":   src.ID,
		"remote_id":   d.RemoteID,
		"last_update": udataTime(now),
	}
	if u, err := url.Parse(src.URL); err == nil {
		h["domain"] = u.Hostname()
	}
	set := func(k, v string) {
		if v != "" {
			h[k] = v
		}
	}
	set("remote_url", d.RemoteURL)
	set("uri", d.URI)
	if src.Kind == "dcat" || src.Kind == "dcatus" {
		set("dct_identifier", d.RemoteID)
	}
	if !d.Created.IsZero() {
		h["created_at"] = udataTime(d.Created)
	}
	if !d.Modified.IsZero() {
		h["modified_at"] = udataTime(d.Modified)
	}
	if archived {
		h["archived_at"] = udataTime(now)
		h["archived"] = "not-on-remote"
	}
	b, _ := json.Marshal(h) // strings only
	return b
}

func udataTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

// resourceID is a remote resource's local id, derived from the source, the
// dataset and the resource's own identity, so that each update keeps it.
func resourceID(sourceID, remoteID string, r remote.Resource) string {
	key := r.RemoteID
	if key == "" {
		key = r.URL
	}
	sum := sha1.Sum([]byte(sourceID + "\x00" + remoteID + "\x00" + key))
	sum[6] = sum[6]&0x0f | 0x40 // version 4 shape, as the catalog's ids
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

func temporal(p *remote.Period) *catalogv1.TemporalCoverage {
	if p == nil || (p.Start.IsZero() && p.End.IsZero()) {
		return nil
	}
	tc := &catalogv1.TemporalCoverage{}
	if !p.Start.IsZero() {
		tc.Start = p.Start.Format(time.DateOnly)
	}
	if !p.End.IsZero() {
		tc.End = p.End.Format(time.DateOnly)
	}
	if tc.Start == "" || (tc.End != "" && tc.End < tc.Start) {
		return nil // the catalog needs a start before the end
	}
	return tc
}

func license(d remote.Dataset) string {
	if d.License == "" {
		return "notspecified"
	}
	return d.License
}

func frequency(d remote.Dataset) string {
	if d.Frequency == "" {
		return "unknown"
	}
	return d.Frequency
}

func description(d remote.Dataset) string {
	if d.Desc == "" {
		return d.Title // the catalog requires one
	}
	return d.Desc
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// importDataset is a create, for the catalog's Import.
func importDataset(src store.Source, id string, d remote.Dataset, now time.Time) *catalogv1.Dataset {
	out := &catalogv1.Dataset{
		Id: id, Title: d.Title, Acronym: optional(d.Acronym), Description: description(d), Tags: d.Tags,
		License: license(d), Frequency: frequency(d), TemporalCoverage: temporal(d.Temporal),
		HarvestJson: harvestJSON(src, d, now, false), AccessType: "open",
		CreatedAtInternal: timestamppb.New(now), LastModifiedInternal: timestamppb.New(now),
	}
	if src.Organization != "" {
		out.Organization = &catalogv1.OrganizationRef{Id: src.Organization}
	}
	for _, r := range d.Resources {
		out.Resources = append(out.Resources, &catalogv1.Resource{
			Id: resourceID(src.ID, d.RemoteID, r), Title: resourceTitle(r), Description: optional(r.Desc),
			Filetype: "remote", Type: "main", Format: r.Format, Url: r.URL, Mime: r.Mime,
			Filesize: optionalSize(r.Size), CreatedAtInternal: timestamppb.New(now), LastModifiedInternal: timestamppb.New(now),
		})
	}
	return out
}

func resourceTitle(r remote.Resource) string {
	if r.Title != "" {
		return r.Title
	}
	return r.URL
}

func optionalSize(n int64) *int64 {
	if n <= 0 {
		return nil
	}
	return &n
}

// updatePaths are the fields a harvest owns on a local dataset.
var updatePaths = []string{"title", "acronym", "description", "tags", "license", "frequency", "temporal_coverage", "resources", "harvest"}

// updateInput is an update that keeps the ids of the local resources
// standing for remote ones: by the id a create gave them, else (those an
// update added) by URL.
func updateInput(src store.Source, d remote.Dataset, local []*catalogv1.Resource, now time.Time) *catalogv1.DatasetInput {
	existing, byURL := map[string]bool{}, map[string]string{}
	for _, r := range local {
		existing[r.GetId()] = true
		byURL[r.GetUrl()] = r.GetId()
	}
	in := &catalogv1.DatasetInput{
		Title: d.Title, Acronym: optional(d.Acronym), Description: description(d), Tags: d.Tags,
		License: license(d), Frequency: frequency(d), TemporalCoverage: temporal(d.Temporal),
		HarvestJson: harvestJSON(src, d, now, false),
	}
	for _, r := range d.Resources {
		id := resourceID(src.ID, d.RemoteID, r)
		if !existing[id] {
			id = byURL[r.URL] // "" for a new one: the catalog names it
			delete(byURL, r.URL)
		}
		in.Resources = append(in.Resources, &catalogv1.ResourceInput{
			Id: id, Title: resourceTitle(r), Description: optional(r.Desc), Filetype: "remote", Type: "main",
			Format: r.Format, Url: r.URL, Mime: r.Mime, Filesize: optionalSize(r.Size),
		})
	}
	return in
}
