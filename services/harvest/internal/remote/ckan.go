package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// CKAN is a CKAN portal's package_search, paged with rows and start,
// narrowed to some organizations (names) when given. A package_show-style
// answer (a list as result, as DKAN gives) is read too.
type CKAN struct {
	Get           Getter
	BaseURL       string
	Organizations []string
	PageSize      int // default 100
}

type ckanPackage struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Title    string `json:"title"`
	Notes    string `json:"notes"`
	URL      string `json:"url"`
	License  string `json:"license_id"`
	LicTitle string `json:"license_title"`
	LicURL   string `json:"license_url"`
	Created  string `json:"metadata_created"`
	Modified string `json:"metadata_modified"`
	Tags     []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Resources []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		URL         string `json:"url"`
		Format      string `json:"format"`
		Mimetype    string `json:"mimetype"`
	} `json:"resources"`
}

// Walk pages through package_search.
func (s *CKAN) Walk(ctx context.Context, yield func(Dataset) error) error {
	size := s.PageSize
	if size <= 0 {
		size = 100
	}
	q := url.Values{"rows": {fmt.Sprint(size)}}
	if len(s.Organizations) > 0 {
		q.Set("fq", "organization:("+strings.Join(s.Organizations, " OR ")+")")
	}
	base := strings.TrimRight(s.BaseURL, "/")
	if !strings.Contains(base, "/api/") {
		base += "/api/3/action/package_search"
	}
	var pages pager
	for start := 0; ; start += size {
		q.Set("start", fmt.Sprint(start))
		next := base + "?" + q.Encode()
		if err := pages.next(next); err != nil {
			return err
		}
		page, err := s.Get.Get(ctx, next, "application/json")
		if err != nil {
			return err
		}
		var resp struct {
			Success bool            `json:"success"`
			Result  json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(page.Body, &resp); err != nil {
			return fmt.Errorf("page %s: malformed JSON: %w", next, err)
		}
		var search struct {
			Count   int               `json:"count"`
			Results []json.RawMessage `json:"results"`
		}
		var list []json.RawMessage
		if err := json.Unmarshal(resp.Result, &list); err == nil {
			search.Results, search.Count = list, len(list) // package_show style: one page
		} else if err := json.Unmarshal(resp.Result, &search); err != nil {
			return fmt.Errorf("page %s: no package_search result: %w", next, err)
		}
		for _, raw := range search.Results {
			if err := yield(ckanToDataset(raw, base)); err != nil {
				return err
			}
		}
		if len(search.Results) == 0 || start+len(search.Results) >= search.Count || list != nil {
			return nil
		}
	}
}

func ckanToDataset(raw json.RawMessage, base string) Dataset {
	var p ckanPackage
	if err := json.Unmarshal(raw, &p); err != nil {
		return Dataset{RemoteID: identity(raw), Problem: "malformed dataset: " + err.Error()}
	}
	d := Dataset{
		RemoteID: p.ID, Title: strings.TrimSpace(p.Title), Desc: p.Notes,
		License: firstNonEmpty(p.LicURL, p.License, p.LicTitle), Created: parseDate(p.Created), Modified: parseDate(p.Modified),
		RemoteURL: p.URL,
	}
	if d.RemoteURL == "" && p.Name != "" {
		if u, err := url.Parse(base); err == nil {
			d.RemoteURL = u.Scheme + "://" + u.Host + "/dataset/" + p.Name
		}
	}
	for _, t := range p.Tags {
		if name := strings.TrimSpace(t.Name); name != "" {
			d.Tags = append(d.Tags, name)
		}
	}
	for _, r := range p.Resources {
		if r.URL == "" {
			continue
		}
		d.Resources = append(d.Resources, Resource{RemoteID: r.ID, Title: r.Name, Desc: r.Description, URL: r.URL, Format: strings.ToLower(r.Format), Mime: r.Mimetype})
	}
	d.Check()
	return d
}
