package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// DCATUS is a DCAT-US data.json catalogue (ArcGIS Hub, Socrata, DKAN):
// one document, no paging.
type DCATUS struct {
	Get Getter
	URL string
}

type dataJSON struct {
	Dataset []json.RawMessage `json:"dataset"`
}

type dataJSONDataset struct {
	Identifier   string   `json:"identifier"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Keyword      []string `json:"keyword"`
	Issued       string   `json:"issued"`
	Modified     string   `json:"modified"`
	LandingPage  string   `json:"landingPage"`
	License      string   `json:"license"`
	Periodicity  string   `json:"accrualPeriodicity"`
	Temporal     string   `json:"temporal"`
	Distribution []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Format      string `json:"format"`
		MediaType   string `json:"mediaType"`
		DownloadURL string `json:"downloadURL"`
		AccessURL   string `json:"accessURL"`
	} `json:"distribution"`
}

// Walk reads the document and each of its datasets.
func (s *DCATUS) Walk(ctx context.Context, yield func(Dataset) error) error {
	page, err := s.Get.Get(ctx, s.URL, "application/json")
	if err != nil {
		return err
	}
	var doc dataJSON
	if err := json.Unmarshal(page.Body, &doc); err != nil {
		return fmt.Errorf("%s: malformed JSON: %w", s.URL, err)
	}
	for _, raw := range doc.Dataset {
		if err := yield(dataJSONToDataset(raw)); err != nil {
			return err
		}
	}
	return nil
}

func dataJSONToDataset(raw json.RawMessage) Dataset {
	var u dataJSONDataset
	if err := json.Unmarshal(raw, &u); err != nil {
		return Dataset{RemoteID: identity(raw), Problem: "malformed dataset: " + err.Error()}
	}
	d := Dataset{
		RemoteID: u.Identifier, URI: u.Identifier, RemoteURL: u.LandingPage, Title: strings.TrimSpace(u.Title),
		Desc: u.Description, Tags: nonBlank(u.Keyword), License: licenseOf(u.License),
		Frequency: frequency(u.Periodicity), Created: parseDate(u.Issued), Modified: parseDate(u.Modified),
	}
	if start, end, ok := strings.Cut(u.Temporal, "/"); ok {
		if p := (Period{Start: parseDate(start), End: parseDate(end)}); !p.Start.IsZero() {
			d.Temporal = &p
		}
	}
	for _, r := range u.Distribution {
		res := Resource{Title: r.Title, Desc: r.Description, URL: firstNonEmpty(r.DownloadURL, r.AccessURL), Format: strings.ToLower(r.Format), Mime: r.MediaType}
		if res.URL != "" {
			res.RemoteID = res.URL
			d.Resources = append(d.Resources, res)
		}
	}
	d.Check()
	return d
}

// identity is the identifier of a dataset that does not decode, for its
// report line.
func identity(raw json.RawMessage) string {
	var id struct {
		Identifier any `json:"identifier"`
		ID         any `json:"id"`
	}
	_ = json.Unmarshal(raw, &id)
	if id.Identifier != nil {
		return fmt.Sprint(id.Identifier)
	}
	if id.ID != nil {
		return fmt.Sprint(id.ID)
	}
	return ""
}

var (
	htmlTag = regexp.MustCompile(`<[^>]*>`)
	urlIn   = regexp.MustCompile(`https?://[^\s"'<>]+`)
)

// licenseOf reads a licence field that is an id, a URL, or HTML text
// holding a URL (as ArcGIS Hub writes it).
func licenseOf(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "<") {
		return v
	}
	if u := urlIn.FindString(v); u != "" {
		return u
	}
	return strings.TrimSpace(htmlTag.ReplaceAllString(v, " "))
}

func nonBlank(v []string) []string {
	var out []string
	for _, s := range v {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
