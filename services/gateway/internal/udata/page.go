package udata

// PageInfo is the envelope of a paginated list. Next and Previous are
// absolute URLs, empty at the ends (written as null).
type PageInfo struct {
	Page     int64
	PageSize int64
	Total    int64
	Next     string
	Previous string
}

// Page writes udata's pager {data, next_page, page, page_size,
// previous_page, total}; data writes the items, one value each.
func (w *Writer) Page(p PageInfo, data func(w *Writer)) {
	w.BeginObject()
	w.Key("data")
	w.BeginArray()
	data(w)
	w.EndArray()
	w.Key("next_page")
	w.StringOrNullIfEmpty(p.Next)
	w.Key("page")
	w.Int(p.Page)
	w.Key("page_size")
	w.Int(p.PageSize)
	w.Key("previous_page")
	w.StringOrNullIfEmpty(p.Previous)
	w.Key("total")
	w.Int(p.Total)
	w.EndObject()
}
