package harvester

import (
	"context"
	"fmt"
	"strings"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// licenses maps what sources write for a licence (an id, a title, a URL,
// in any case, with or without scheme or final slash) to the catalog's
// licence id.
type licenses map[string]string

func (h *Harvester) licenses(ctx context.Context) (licenses, error) {
	resp, err := h.Catalog.GetReferenceLists(h.withKey(ctx), &catalogv1.GetReferenceListsRequest{})
	if err != nil {
		return nil, fmt.Errorf("catalog licences: %w", err)
	}
	out := licenses{}
	for _, l := range resp.GetLicenses() {
		keys := append([]string{l.GetId(), l.GetTitle(), l.GetUrl()}, l.GetAlternateUrls()...)
		for _, k := range append(keys, l.GetAlternateTitles()...) {
			if k != "" {
				out[licenseKey(k)] = l.GetId()
			}
		}
	}
	return out, nil
}

func licenseKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	return strings.TrimRight(s, "/")
}

// resolve is the licence id of what a source wrote, and whether it was
// known.
func (l licenses) resolve(v string) (string, bool) {
	if strings.TrimSpace(v) == "" {
		return "", true
	}
	id, ok := l[licenseKey(v)]
	return id, ok
}
