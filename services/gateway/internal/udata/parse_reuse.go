package udata

import (
	"encoding/json"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// ReuseInput is a parsed reuse body and the JSON keys it sets.
type ReuseInput struct {
	Input *catalogv1.ReuseInput
	Mask  []string
}

// ParseReuse parses POST /api/1/reuses/ and PUT /api/1/reuses/{reuse}/
// (udata's patch(): only the keys present change). Read-only keys of a
// GET body (id, slug, metrics, featured…) are ignored; "deleted": null restores a
// deleted reuse, "archived" archives (a date) or unarchives (null).
func ParseReuse(data []byte) (*ReuseInput, error) {
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	in := &catalogv1.ReuseInput{}
	var mask []string
	set := func(key string, present bool) {
		if present {
			mask = append(mask, key)
		}
	}
	var ok bool
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"title", &in.Title}, {"description", &in.Description}, {"type", &in.Type}, {"url", &in.Url}, {"topic", &in.Topic},
	} {
		*f.dst, ok = b.str(f.key)
		set(f.key, ok)
	}
	in.Tags, ok = b.strList("tags")
	set("tags", ok)
	in.Private, ok = b.boolean("private")
	set("private", ok)
	if extras, ok := b.object("extras"); ok {
		in.ExtrasJson = extras
		set("extras", true)
	}
	in.Organization, ok = b.ref("organization")
	set("organization", ok)
	in.Owner, ok = b.ref("owner")
	set("owner", ok)
	if raw, ok := b.fields["datasets"]; ok {
		in.Datasets = b.refList("datasets", raw)
		set("datasets", true)
	}
	if raw, ok := b.fields["archived"]; ok {
		if isNull(raw) {
			set("archived", true)
		} else if _, ok := b.timestamp("archived"); ok {
			in.Archived = true
			set("archived", true)
		}
	}
	if raw, ok := b.fields["deleted"]; ok && isNull(raw) {
		in.Restore = true
		set("deleted", true)
	}
	if err := b.err(); err != nil {
		return nil, err
	}
	return &ReuseInput{Input: in, Mask: mask}, nil
}

// refList reads a list of references: ids, or objects with an id (udata's
// {"class": "Dataset", "id": …}).
func (b *body) refList(key string, raw json.RawMessage) []string {
	if isNull(raw) {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		b.fail(key, msgNotList)
		return nil
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		var id string
		if json.Unmarshal(item, &id) != nil {
			var obj struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(item, &obj) != nil || obj.ID == "" {
				b.fail(key, "Expect a reference: an identifier or an object with an id")
				return nil
			}
			id = obj.ID
		}
		out = append(out, id)
	}
	return out
}

// MsgExpectDatasetID is udata's answer to a dataset link without an id.
const MsgExpectDatasetID = "Expect a dataset identifier"

// ParseReuseDatasetLink parses POST /api/1/reuses/{reuse}/datasets/:
// {"id": …} or {"class": "Dataset", "id": …}. It returns the id as given.
func ParseReuseDatasetLink(data []byte) (string, error) {
	b, err := decodeBody(data)
	if err != nil {
		return "", err
	}
	raw, ok := b.fields["id"]
	if !ok {
		return "", &BodyError{Message: MsgExpectDatasetID}
	}
	var id string
	if json.Unmarshal(raw, &id) != nil {
		// udata's id_or_404 finds no dataset for a non-string id.
		return "", nil
	}
	return id, nil
}
