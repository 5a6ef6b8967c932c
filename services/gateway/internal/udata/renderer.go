package udata

import "strings"

// Renderer writes catalog objects as udata JSON. Its only state is the
// public URL the absolute links (uri, page, latest, next_page…) are built on.
type Renderer struct {
	base string // public URL without its trailing slash

	// Link prefixes, built once.
	datasetsAPI, datasetsPage, datasetsV2, resourceLatest, communityResources string
	orgsAPI, orgsPage, usersAPI, usersPage                                    string
	reusesAPI, reusesPage                                                     string
}

// NewRenderer returns a Renderer building links on publicURL
// (e.g. "http://localhost:8080").
func NewRenderer(publicURL string) *Renderer {
	base := strings.TrimRight(publicURL, "/")
	return &Renderer{
		base:               base,
		datasetsAPI:        base + "/api/1/datasets/",
		datasetsPage:       base + "/datasets/",
		datasetsV2:         base + "/api/2/datasets/",
		resourceLatest:     base + "/api/1/datasets/r/",
		communityResources: base + "/api/1/datasets/community_resources/?dataset=",
		orgsAPI:            base + "/api/1/organizations/",
		orgsPage:           base + "/organizations/",
		usersAPI:           base + "/api/1/users/",
		usersPage:          base + "/users/",
		reusesAPI:          base + "/api/1/reuses/",
		reusesPage:         base + "/reuses/",
	}
}

// BaseURL is the public URL links are built on, without a trailing slash.
func (r *Renderer) BaseURL() string { return r.base }

// emptyObject writes {}.
func (w *Writer) emptyObject() {
	w.BeginObject()
	w.EndObject()
}

// emptyArray writes [].
func (w *Writer) emptyArray() {
	w.BeginArray()
	w.EndArray()
}
