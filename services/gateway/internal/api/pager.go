package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// Pagination limits.
const (
	defaultPageSize = 20
	// maxPageSize caps what one page asks the catalog. udata has no cap
	// (clients ask up to 1000); above it the page is served with
	// page_size=1000 and next_page/previous_page carry that size, so a
	// client following the links still sees every object once.
	maxPageSize = 1000
	// maxOffset: pages starting beyond it are past the end of any catalog.
	maxOffset = 1 << 31
)

// pageInfo builds the pager envelope of a page of a list at r's URL:
// next_page and previous_page are absolute and keep every query argument,
// with page (and page_size when capped) replaced, as udata's pager does.
func (s *Server) pageInfo(r *http.Request, page, pageSize, total int64, capped bool) udata.PageInfo {
	p := udata.PageInfo{Page: page, PageSize: pageSize, Total: total}
	if pages := (total + pageSize - 1) / pageSize; page < pages {
		p.Next = s.pageURL(r, page+1, pageSize, capped)
	}
	if page > 1 {
		p.Previous = s.pageURL(r, page-1, pageSize, capped)
	}
	return p
}

// pageURL rewrites the request URL for another page. Arguments keep their
// order; repeated ones stay together at their first position (Werkzeug's
// MultiDict through udata's multi_to_dict); page is appended when absent.
func (s *Server) pageURL(r *http.Request, page, pageSize int64, setSize bool) string {
	type arg struct {
		key    string
		values []string
	}
	var list []arg
	index := map[string]int{}
	for _, kv := range parseQuery(r.URL.RawQuery) {
		key, val := kv[0], kv[1]
		if i, ok := index[key]; ok {
			list[i].values = append(list[i].values, val)
			continue
		}
		index[key] = len(list)
		list = append(list, arg{key, []string{val}})
	}
	set := func(key, value string) {
		if i, ok := index[key]; ok {
			list[i].values = []string{value}
			return
		}
		index[key] = len(list)
		list = append(list, arg{key, []string{value}})
	}
	set("page", strconv.FormatInt(page, 10))
	if setSize {
		set("page_size", strconv.FormatInt(pageSize, 10))
	}
	var b strings.Builder
	b.WriteString(s.render.BaseURL())
	b.WriteString(r.URL.EscapedPath())
	for i, a := range list {
		for j, v := range a.values {
			if i == 0 && j == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(quotePlus(a.key))
			b.WriteByte('=')
			b.WriteString(quotePlus(v))
		}
	}
	return b.String()
}

// quotePlus is Python's urllib.parse.quote_plus with the safe characters
// Werkzeug's url building passes ("!$'()*,/:;?@").
func quotePlus(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			strings.IndexByte("_.-~!$'()*,/:;?@", c) >= 0:
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// pageArgs reads page and page_size (positive integers) and caps the size
// at maxPageSize; capped reports that it did.
func pageArgs(a *args, defSize int64) (page, size int64, capped bool) {
	page = a.positive("page", "The page to display", 1)
	size = a.positive("page_size", "The page size", defSize)
	if size > maxPageSize {
		size, capped = maxPageSize, true
	}
	return page, size, capped
}

// pastTheEnd reports a page that cannot hold anything: udata answers 404
// for an empty page other than the first.
func pastTheEnd(page, size int64, n int) bool {
	return n == 0 && page != 1
}

// beyondAnyCatalog reports a page whose offset no catalog reaches; it is
// answered 404 without asking.
func beyondAnyCatalog(page, size int64) bool {
	return page > maxOffset/size
}
