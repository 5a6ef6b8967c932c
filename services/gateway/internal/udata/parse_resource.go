package udata

import (
	"encoding/json"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// ResourceInput is a parsed resource body and the JSON keys it sets.
type ResourceInput struct {
	Input *catalogv1.ResourceInput
	Mask  []string
}

// ParseResourceCreate parses POST /api/1/datasets/{id}/resources/. Like
// datagouv-client, a missing filetype means "remote" and a missing type
// means "main".
func ParseResourceCreate(data []byte) (*ResourceInput, error) {
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	in, mask := b.resource(true)
	if err := b.err(); err != nil {
		return nil, err
	}
	return &ResourceInput{Input: in, Mask: mask}, nil
}

// ParseResourceUpdate parses PUT /api/1/datasets/{id}/resources/{rid}/.
func ParseResourceUpdate(data []byte) (*ResourceInput, error) {
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	in, mask := b.resource(false)
	if err := b.err(); err != nil {
		return nil, err
	}
	return &ResourceInput{Input: in, Mask: mask}, nil
}

// resource reads the writable resource keys; read-only ones (created_at,
// latest, metrics, internal, preview_url…) are ignored.
func (b *body) resource(create bool) (*catalogv1.ResourceInput, []string) {
	in := &catalogv1.ResourceInput{}
	var mask []string
	set := func(key string, present bool) {
		if present {
			mask = append(mask, key)
		}
	}
	var ok bool
	in.Id, _ = b.str("id")
	in.Title, ok = b.str("title")
	set("title", ok)
	in.Description, ok = b.optStr("description")
	set("description", ok)
	in.Filetype, ok = b.str("filetype")
	if create && in.Filetype == "" {
		in.Filetype, ok = "remote", true
	}
	set("filetype", ok)
	in.Type, ok = b.str("type")
	if create && in.Type == "" {
		in.Type, ok = "main", true
	}
	set("type", ok)
	in.Format, ok = b.str("format")
	set("format", ok)
	in.Url, ok = b.str("url")
	set("url", ok)
	in.Checksum, ok = b.checksum()
	set("checksum", ok)
	in.Filesize, ok = b.filesize()
	set("filesize", ok)
	in.Mime, ok = b.str("mime")
	set("mime", ok)
	if extras, ok := b.object("extras"); ok {
		in.ExtrasJson = extras
		set("extras", true)
	}
	in.Schema, ok = b.schema("schema")
	set("schema", ok)
	return in, mask
}

func (b *body) checksum() (*catalogv1.Checksum, bool) {
	raw, ok := b.fields["checksum"]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var c struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		b.fail("checksum", msgNotObject)
		return nil, true
	}
	if c.Type == "" {
		c.Type = "sha1" // udata's DEFAULT_CHECKSUM_TYPE
	}
	return &catalogv1.Checksum{Type: c.Type, Value: c.Value}, true
}

func (b *body) filesize() (*int64, bool) {
	raw, ok := b.fields["filesize"]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		b.fail("filesize", msgNotInteger)
		return nil, true
	}
	return &n, true
}

// ParseReorder parses the body of PUT /api/1/datasets/{id}/resources/: a
// list of resource ids, of {"id": …} objects, or of full resources.
func ParseReorder(data []byte) ([]string, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, &BodyError{Message: "Expecting a list of resources"}
	}
	ids := make([]string, 0, len(items))
	for _, item := range items {
		var id string
		if json.Unmarshal(item, &id) == nil {
			ids = append(ids, id)
			continue
		}
		var obj struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(item, &obj) != nil || obj.ID == "" {
			return nil, &BodyError{Message: "Each resource must be an identifier or an object with an id"}
		}
		ids = append(ids, obj.ID)
	}
	return ids, nil
}
