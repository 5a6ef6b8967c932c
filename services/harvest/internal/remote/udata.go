package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// UData is a data.gouv.fr-compatible API: data.gouv.fr itself or another
// Relais, narrowed to some organizations (ids or slugs) or to the
// organizations of some SIRETs (a territory's collectivités); neither means
// every public dataset.
type UData struct {
	Get           Getter
	BaseURL       string // https://www.data.gouv.fr
	Organizations []string
	SIRETs        []string
	PageSize      int // default 100
}

// udataPage is a page of /api/1/datasets/ or /api/1/organizations/.
type udataPage[T any] struct {
	Data     []T    `json:"data"`
	NextPage string `json:"next_page"`
}

type udataDataset struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Acronym     string   `json:"acronym"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	License     string   `json:"license"`
	Frequency   string   `json:"frequency"`
	CreatedAt   string   `json:"created_at"`
	Modified    string   `json:"last_modified"`
	Page        string   `json:"page"`
	URI         string   `json:"uri"`
	Temporal    *struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"temporal_coverage"`
	Resources []struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		Description string `json:"description"`
		URL         string `json:"url"`
		Format      string `json:"format"`
		Mime        string `json:"mime"`
		Filesize    int64  `json:"filesize"`
	} `json:"resources"`
}

// Walk lists the datasets of each organization in turn, following
// next_page.
func (s *UData) Walk(ctx context.Context, yield func(Dataset) error) error {
	base := strings.TrimRight(s.BaseURL, "/")
	orgs := append([]string(nil), s.Organizations...)
	for _, siret := range s.SIRETs {
		ids, err := s.organizationsOf(ctx, base, siret)
		if err != nil {
			return err
		}
		orgs = append(orgs, ids...)
	}
	size := s.PageSize
	if size <= 0 {
		size = 100
	}
	if len(orgs) == 0 {
		return s.walkPages(ctx, fmt.Sprintf("%s/api/1/datasets/?page_size=%d", base, size), yield)
	}
	for _, org := range orgs {
		first := fmt.Sprintf("%s/api/1/datasets/?organization=%s&page_size=%d", base, url.QueryEscape(org), size)
		if err := s.walkPages(ctx, first, yield); err != nil {
			return err
		}
	}
	return nil
}

func (s *UData) organizationsOf(ctx context.Context, base, siret string) ([]string, error) {
	page, err := s.Get.Get(ctx, base+"/api/1/organizations/?business_number_id="+url.QueryEscape(siret), "application/json")
	if err != nil {
		return nil, fmt.Errorf("organizations of SIRET %s: %w", siret, err)
	}
	var p udataPage[struct {
		ID string `json:"id"`
	}]
	if err := json.Unmarshal(page.Body, &p); err != nil {
		return nil, fmt.Errorf("organizations of SIRET %s: malformed JSON: %w", siret, err)
	}
	ids := make([]string, 0, len(p.Data))
	for _, o := range p.Data {
		if o.ID != "" {
			ids = append(ids, o.ID)
		}
	}
	return ids, nil
}

func (s *UData) walkPages(ctx context.Context, next string, yield func(Dataset) error) error {
	var pages pager
	for next != "" {
		if err := pages.next(next); err != nil {
			return err
		}
		page, err := s.Get.Get(ctx, next, "application/json")
		if err != nil {
			return err
		}
		var p udataPage[json.RawMessage]
		if err := json.Unmarshal(page.Body, &p); err != nil {
			return fmt.Errorf("page %s: malformed JSON: %w", next, err)
		}
		for _, raw := range p.Data {
			if err := yield(udataToDataset(raw)); err != nil {
				return err
			}
		}
		next = p.NextPage
	}
	return nil
}

// udataToDataset reads one dataset of a page; one that does not decode is
// an item with a problem, not the end of the walk.
func udataToDataset(raw json.RawMessage) Dataset {
	var u udataDataset
	if err := json.Unmarshal(raw, &u); err != nil {
		var id struct {
			ID any `json:"id"`
		}
		_ = json.Unmarshal(raw, &id)
		return Dataset{RemoteID: fmt.Sprint(id.ID), Problem: "malformed dataset: " + err.Error()}
	}
	d := Dataset{
		RemoteID: u.ID, URI: u.URI, RemoteURL: u.Page, Title: strings.TrimSpace(u.Title), Acronym: u.Acronym,
		Desc: u.Description, Tags: u.Tags, License: u.License, Frequency: u.Frequency,
		Created: parseDate(u.CreatedAt), Modified: parseDate(u.Modified),
	}
	if d.License == "notspecified" {
		d.License = ""
	}
	if u.Temporal != nil {
		d.Temporal = &Period{Start: parseDate(u.Temporal.Start), End: parseDate(u.Temporal.End)}
	}
	for _, r := range u.Resources {
		d.Resources = append(d.Resources, Resource{
			RemoteID: r.ID, Title: r.Title, Desc: r.Description, URL: r.URL, Format: r.Format, Mime: r.Mime, Size: r.Filesize,
		})
	}
	d.Check()
	return d
}
