package harvester

import (
	"encoding/json"
	"reflect"

	"github.com/relais-data/relais/services/harvest/internal/remote"
)

// Change is one field of a planned item: its value before (null for a
// create) and after.
type Change struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// diff lists the fields that differ between what was last applied (nil
// for a create) and the remote dataset now.
func diff(old *remote.Dataset, now remote.Dataset) []Change {
	var prev remote.Dataset
	if old != nil {
		prev = *old
	}
	fields := []struct {
		name     string
		old, new any
	}{
		{"title", prev.Title, now.Title},
		{"acronym", prev.Acronym, now.Acronym},
		{"description", prev.Desc, now.Desc},
		{"tags", prev.Tags, now.Tags},
		{"license", prev.License, now.License},
		{"frequency", prev.Frequency, now.Frequency},
		{"temporal_coverage", prev.Temporal, now.Temporal},
		{"remote_url", prev.RemoteURL, now.RemoteURL},
		{"uri", prev.URI, now.URI},
		{"created_at", prev.Created, now.Created},
		{"modified_at", prev.Modified, now.Modified},
		{"resources", prev.Resources, now.Resources},
	}
	var out []Change
	for _, f := range fields {
		if isEmpty(f.old) && isEmpty(f.new) || reflect.DeepEqual(f.old, f.new) {
			continue
		}
		c := Change{Field: f.name, New: f.new}
		if old != nil {
			c.Old = f.old
		}
		out = append(out, c)
	}
	return out
}

func isEmpty(v any) bool {
	rv := reflect.ValueOf(v)
	return !rv.IsValid() || rv.IsZero() || (rv.Kind() == reflect.Slice && rv.Len() == 0)
}

func diffJSON(changes []Change) string {
	if len(changes) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(changes) // remote values: strings, times, slices
	return string(b)
}
