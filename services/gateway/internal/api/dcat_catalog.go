package api

import (
	"net/http"
	"strconv"

	"github.com/relais-data/relais/services/gateway/internal/dcat"
)

// serveCatalog streams one page of a catalog: the datasets matching the
// request's filters (udata's §2.2, the organization forced to org when
// set), read from the catalog service a chunk at a time and written as
// they come, then the catalog node and its hydra view.
func (s *Server) serveCatalog(w http.ResponseWriter, r *http.Request, f dcat.Format, c dcat.Catalog, org string) {
	q := parseDatasetQuery(w, r)
	if q == nil {
		return
	}
	if org != "" {
		q.req.Organization = org
	}
	size := int64(defaultCatalogPageSize)
	if v := r.URL.Query().Get("page_size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			writeMessage(w, http.StatusBadRequest, "page_size must be a positive integer")
			return
		}
		size = min(n, maxCatalogPageSize)
	}
	page := q.page
	if beyondAnyCatalog(page, size) {
		s.notFound(w, r, msgNotFound)
		return
	}
	// Chunks of the catalog service's pages; the page's first dataset may
	// sit inside its first chunk.
	chunk := min(size, catalogChunk)
	offset := (page - 1) * size
	skip := offset % chunk
	req := q.req
	req.PageSize = int32(chunk)
	req.Page = int32(offset/chunk + 1)
	resp, err := s.catalog.ListDatasets(r.Context(), req)
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	total := resp.GetTotal()
	if page > 1 && offset >= total {
		s.notFound(w, r, msgNotFound)
		return
	}
	m := dcat.Mapper{Base: s.render.BaseURL(), Licenses: s.licenseIndex(r)}
	w.Header().Set("Content-Type", f.ContentType)
	out := f.New(w)
	written := int64(0)
	for {
		datasets := resp.GetDatasets()
		if skip > 0 {
			datasets = datasets[min(skip, int64(len(datasets))):]
			skip = 0
		}
		for _, d := range datasets {
			if written == size {
				break
			}
			if err := m.Dataset(d, out.Write); err != nil {
				s.log.WarnContext(r.Context(), "catalog export cut short", "err", err)
				return
			}
			if err := out.Write(c.DatasetLink(m.DatasetURI(d))); err != nil {
				return
			}
			written++
		}
		if written == size || int64(len(resp.GetDatasets())) < chunk {
			break
		}
		req.Page++
		if resp, err = s.catalog.ListDatasets(r.Context(), req); err != nil {
			// The status is sent: the document ends short, and the log
			// says why.
			s.log.WarnContext(r.Context(), "catalog export cut short", "err", err)
			return
		}
	}
	c.Total = total
	c.View = pageURL(r, c.URI, f.Ext, page, size)
	c.First = pageURL(r, c.URI, f.Ext, 1, size)
	last := max((total+size-1)/size, 1)
	c.Last = pageURL(r, c.URI, f.Ext, last, size)
	if page < last {
		c.Next = pageURL(r, c.URI, f.Ext, page+1, size)
	}
	if page > 1 {
		c.Previous = pageURL(r, c.URI, f.Ext, page-1, size)
	}
	for _, n := range c.Nodes() {
		if err := out.Write(n); err != nil {
			return
		}
	}
	_ = out.Close()
}

// pageURL is the URL of a page of the catalog at uri, with the request's
// other arguments.
func pageURL(r *http.Request, uri, ext string, page, size int64) string {
	q := r.URL.Query()
	q.Set("page", strconv.FormatInt(page, 10))
	q.Set("page_size", strconv.FormatInt(size, 10))
	return uri + "." + ext + "?" + q.Encode()
}
