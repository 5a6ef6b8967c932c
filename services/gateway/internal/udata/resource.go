package udata

import (
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// Resource writes a resource as udata's resource_fields (keys sorted).
func (r *Renderer) Resource(w *Writer, res *catalogv1.Resource) {
	r.resource(w, res, false)
}

// UploadedResource writes a resource as udata's upload_fields: the
// resource and "success": true.
func (r *Renderer) UploadedResource(w *Writer, res *catalogv1.Resource) {
	r.resource(w, res, true)
}

func (r *Renderer) resource(w *Writer, res *catalogv1.Resource, uploaded bool) {
	harvest := res.GetHarvestJson()

	w.BeginObject()
	w.Key("checksum")
	if c := res.GetChecksum(); c != nil {
		w.BeginObject()
		w.Key("type")
		w.String(c.GetType())
		w.Key("value")
		w.String(c.GetValue())
		w.EndObject()
	} else {
		w.Null()
	}
	w.Key("created_at")
	w.firstTime(harvest, res.GetCreatedAtInternal(), "issued_at")
	w.Key("description")
	w.StringOrNull(res.Description)
	w.Key("extras")
	w.RawObject(res.GetExtrasJson(), "{}")
	w.Key("filesize")
	w.IntOrNull(res.Filesize)
	w.Key("filetype")
	w.String(res.GetFiletype())
	w.Key("format")
	w.StringOrNullIfEmpty(res.GetFormat())
	w.Key("harvest")
	w.RawObject(harvest, "null")
	w.Key("id")
	w.String(res.GetId())
	w.Key("internal")
	w.BeginObject()
	w.Key("created_at_internal")
	w.Time(res.GetCreatedAtInternal())
	w.Key("last_modified_internal")
	w.Time(res.GetLastModifiedInternal())
	w.EndObject()
	w.Key("last_modified")
	writeResourceLastModified(w, res, harvest)
	w.Key("latest")
	w.Concat(r.resourceLatest, res.GetId(), "")
	w.Key("metrics")
	w.BeginObject()
	// udata counts a resource's downloads under "views".
	w.Key("views")
	w.Int(res.GetDownloads())
	w.EndObject()
	w.Key("mime")
	w.StringOrNullIfEmpty(res.GetMime())
	w.Key("preview_url")
	// As udata's tabular preview: set once the analysis made the table
	// queryable (hydra's analysis:parsing:parsing_table), to its data.
	if t, ok := rawString(res.GetExtrasJson(), "analysis:parsing:parsing_table"); ok && t != "" {
		w.Concat(r.base+"/api/resources/", res.GetId(), "/data/")
	} else {
		w.Null()
	}
	w.Key("schema")
	writeSchema(w, res.GetSchema())
	if uploaded {
		w.Key("success")
		w.Bool(true)
	}
	w.Key("title")
	w.String(res.GetTitle())
	w.Key("type")
	w.String(orDefault(res.GetType(), "main"))
	w.Key("url")
	w.String(res.GetUrl())
	w.EndObject()
}

// writeResourceLastModified follows udata's ResourceMixin.last_modified:
// the harvested modification date when it is in the past, else for remote
// resources the date the analysis found, else the internal date.
func writeResourceLastModified(w *Writer, res *catalogv1.Resource, harvest []byte) {
	if t, ok := harvestTime(harvest, "modified_at"); ok && t.Before(time.Now()) {
		w.GoTime(t)
		return
	}
	if res.GetFiletype() == "remote" {
		if t, ok := harvestTime(res.GetExtrasJson(), "analysis:last-modified-at"); ok {
			w.GoTime(t)
			return
		}
	}
	w.Time(res.GetLastModifiedInternal())
}
