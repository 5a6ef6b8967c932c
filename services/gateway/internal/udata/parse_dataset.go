package udata

import (
	"encoding/json"
	"strconv"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// DatasetInput is a parsed dataset body: the catalog input plus the JSON
// keys the body sets, for the update mask.
type DatasetInput struct {
	Input *catalogv1.DatasetInput
	Mask  []string
}

// ParseDatasetCreate parses the body of POST /api/1/datasets/.
func ParseDatasetCreate(data []byte) (*DatasetInput, error) {
	return parseDataset(data, false)
}

// ParseDatasetUpdate parses the body of PUT /api/1/datasets/{id}/. It
// accepts a full GET body back: read-only keys are ignored. As in udata,
// a missing "private" means false, and "deleted": null restores a deleted
// dataset.
func ParseDatasetUpdate(data []byte) (*DatasetInput, error) {
	return parseDataset(data, true)
}

func parseDataset(data []byte, update bool) (*DatasetInput, error) {
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	in := &catalogv1.DatasetInput{}
	var mask []string
	set := func(key string, present bool) {
		if present {
			mask = append(mask, key)
		}
	}
	var ok bool

	in.Title, ok = b.str("title")
	set("title", ok)
	in.Acronym, ok = b.optStr("acronym")
	set("acronym", ok)
	in.Description, ok = b.str("description")
	set("description", ok)
	in.DescriptionShort, ok = b.optStr("description_short")
	set("description_short", ok)
	in.Tags, ok = b.strList("tags")
	set("tags", ok)
	in.License, ok = b.licenseID()
	set("license", ok)
	in.Frequency, ok = b.str("frequency")
	set("frequency", ok)
	in.FrequencyDate, ok = b.timestamp("frequency_date")
	set("frequency_date", ok)
	in.TemporalCoverage, ok = b.temporalCoverage()
	set("temporal_coverage", ok)
	in.Spatial, ok = b.spatial()
	set("spatial", ok)
	in.Private, ok = b.boolean("private")
	set("private", ok || update) // udata: a PUT without "private" makes it public
	in.Featured, ok = b.boolean("featured")
	set("featured", ok)
	in.Organization, ok = b.ref("organization")
	set("organization", ok)
	in.Owner, ok = b.ref("owner")
	set("owner", ok)
	if extras, ok := b.object("extras"); ok {
		in.ExtrasJson = extras
		set("extras", true)
	}
	if raw, ok := b.fields["resources"]; ok {
		in.Resources = b.resourceList(raw)
		set("resources", true)
	}
	in.Schema, ok = b.schema("schema")
	set("schema", ok)
	if raw, ok := b.fields["deleted"]; ok && isNull(raw) {
		in.Restore = true
		set("deleted", true)
	}
	if raw, ok := b.fields["archived"]; ok {
		in.Archived = b.archived(raw)
		set("archived", true)
	}
	in.AccessType, ok = b.str("access_type")
	set("access_type", ok)

	if err := b.err(); err != nil {
		return nil, err
	}
	return &DatasetInput{Input: in, Mask: mask}, nil
}

// licenseID reads "license" as an id, or as a license object {"id": …}
// (what some clients send back).
func (b *body) licenseID() (string, bool) {
	raw, ok := b.fields["license"]
	if !ok {
		return "", false
	}
	var obj struct {
		ID string `json:"id"`
	}
	if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &obj) == nil {
		return obj.ID, true
	}
	return b.str("license")
}

// archived reads "archived": a datetime or true archives, null or false
// unarchives.
func (b *body) archived(raw json.RawMessage) bool {
	if isNull(raw) {
		return false
	}
	var flag bool
	if json.Unmarshal(raw, &flag) == nil {
		return flag
	}
	if _, ok := b.timestamp("archived"); ok {
		return true
	}
	return false
}

func (b *body) temporalCoverage() (*catalogv1.TemporalCoverage, bool) {
	raw, ok := b.fields["temporal_coverage"]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var tc struct {
		Start *string `json:"start"`
		End   *string `json:"end"`
	}
	if err := json.Unmarshal(raw, &tc); err != nil {
		b.fail("temporal_coverage", msgNotObject)
		return nil, true
	}
	out := &catalogv1.TemporalCoverage{}
	if tc.Start != nil {
		d, valid := parseDate(*tc.Start)
		if !valid {
			b.fail("temporal_coverage", msgNotDate)
		}
		out.Start = d
	}
	if tc.End != nil {
		d, valid := parseDate(*tc.End)
		if !valid {
			b.fail("temporal_coverage", msgNotDate)
		}
		out.End = d
	}
	return out, true
}

func (b *body) spatial() (*catalogv1.Spatial, bool) {
	raw, ok := b.fields["spatial"]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var sp struct {
		Zones       []json.RawMessage `json:"zones"`
		Granularity *string           `json:"granularity"`
		Geom        json.RawMessage   `json:"geom"`
	}
	if err := json.Unmarshal(raw, &sp); err != nil {
		b.fail("spatial", msgNotObject)
		return nil, true
	}
	out := &catalogv1.Spatial{}
	for _, z := range sp.Zones {
		// Zones are ids, or full zone objects when a client sends back a
		// response fetched with X-Get-Datasets-Full-Objects.
		var id string
		if json.Unmarshal(z, &id) != nil {
			var obj struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(z, &obj) != nil || obj.ID == "" {
				b.fail("spatial", "Not a valid zone identifier.")
				continue
			}
			id = obj.ID
		}
		out.Zones = append(out.Zones, id)
	}
	if sp.Granularity != nil {
		out.Granularity = *sp.Granularity
	}
	if len(sp.Geom) > 0 && !isNull(sp.Geom) {
		out.GeomJson = sp.Geom
	}
	return out, true
}

func (b *body) schema(key string) (*catalogv1.Schema, bool) {
	raw, ok := b.fields[key]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var s struct {
		Name    *string `json:"name"`
		Version *string `json:"version"`
		URL     *string `json:"url"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		b.fail(key, msgNotObject)
		return nil, true
	}
	if s.Name == nil && s.Version == nil && s.URL == nil {
		return nil, true
	}
	return &catalogv1.Schema{Name: s.Name, Version: s.Version, Url: s.URL}, true
}

// resourceList reads the "resources" list of a dataset body.
func (b *body) resourceList(raw json.RawMessage) []*catalogv1.ResourceInput {
	if isNull(raw) {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		b.fail("resources", msgNotList)
		return nil
	}
	out := make([]*catalogv1.ResourceInput, 0, len(items))
	for i, item := range items {
		rb, err := decodeBody(item)
		if err != nil {
			b.fail("resources", "resources-"+strconv.Itoa(i)+": "+err.Error())
			continue
		}
		res, _ := rb.resource(false)
		for k, msg := range rb.errs {
			b.fail("resources", "resources-"+strconv.Itoa(i)+"-"+k+": "+msg)
		}
		out = append(out, res)
	}
	return out
}
