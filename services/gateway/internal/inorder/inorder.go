// Package inorder puts catalog objects read by id back in the order of the
// ids asked for (a page of search hits).
package inorder

// ByID returns items in the order of ids; ids without an item (an object
// deleted or hidden since it was indexed) are left out.
func ByID[T interface{ GetId() string }](ids []string, items []T) []T {
	byID := make(map[string]T, len(items))
	for _, it := range items {
		byID[it.GetId()] = it
	}
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			out = append(out, it)
		}
	}
	return out
}
