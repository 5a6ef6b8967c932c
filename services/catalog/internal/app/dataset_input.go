package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// datasetPaths are the JSON keys of DatasetInput an empty update mask
// stands for (a full PUT). "deleted" (restore) only applies when named.
var datasetPaths = []string{
	"title", "acronym", "description", "description_short", "tags", "license", "frequency", "frequency_date",
	"temporal_coverage", "spatial", "private", "featured", "organization", "owner", "extras", "resources",
	"schema", "archived", "harvest", "access_type",
}

var accessTypes = map[string]bool{"open": true, "open_with_account": true, "restricted": true}

// udata's errors on a dataset's organization and owner (PublishAsField,
// CurrentUserField): field errors (400), not 403.
const (
	MsgOwnerAndOrganization = "A dataset cannot be owned by both a user and an organization"
	MsgPublishDenied        = "Permission denied for this organization"
	MsgOwnerNotSelf         = "You can only set yourself as owner"
)

// applyDatasetInput validates the fields of in named by paths and copies
// them into d. Organization and owner are checked against the store and
// the caller's rights.
func (s *Service) applyDatasetInput(ctx context.Context, q store.Q, caller domain.Caller, d *catalogv1.Dataset, in *catalogv1.DatasetInput, paths []string, now time.Time) error {
	var v domain.Violations
	orgTouched, ownerTouched := false, false
	for _, p := range paths {
		switch p {
		case "title":
			domain.CheckText(&v, p, in.GetTitle(), true, domain.MaxTitleLength)
			d.Title = strings.TrimSpace(in.GetTitle())
		case "acronym":
			domain.CheckText(&v, p, in.GetAcronym(), false, domain.MaxAcronymLength)
			d.Acronym = nonEmpty(in.Acronym)
		case "description":
			domain.CheckText(&v, p, in.GetDescription(), true, domain.MaxDescriptionLength)
			d.Description = in.GetDescription()
		case "description_short":
			domain.CheckText(&v, p, in.GetDescriptionShort(), false, domain.MaxDescriptionShortLength)
			d.DescriptionShort = nonEmpty(in.DescriptionShort)
		case "tags":
			d.Tags = domain.NormalizeTags(&v, p, in.GetTags())
		case "license":
			d.License = domain.NormalizeLicense(&v, p, in.GetLicense())
		case "frequency":
			d.Frequency = domain.NormalizeFrequencyField(&v, p, in.GetFrequency())
		case "frequency_date":
			d.FrequencyDate = in.GetFrequencyDate()
		case "temporal_coverage":
			d.TemporalCoverage = nil
			if tc := in.GetTemporalCoverage(); tc != nil && (tc.GetStart() != "" || tc.GetEnd() != "") {
				checkDate(&v, "temporal_coverage.start", tc.GetStart())
				checkDate(&v, "temporal_coverage.end", tc.GetEnd())
				if tc.GetEnd() != "" && tc.GetStart() > tc.GetEnd() {
					v.Add("temporal_coverage", "The end date must be after the start date")
				}
				d.TemporalCoverage = &catalogv1.TemporalCoverage{Start: tc.GetStart(), End: tc.GetEnd()}
			}
		case "spatial":
			d.Spatial = nil
			if sp := in.GetSpatial(); sp != nil && (len(sp.GetZones()) > 0 || sp.GetGranularity() != "" || len(sp.GetGeomJson()) > 0) {
				if len(sp.GetGeomJson()) > 0 && !json.Valid(sp.GetGeomJson()) {
					v.Add("spatial.geom", "Must be GeoJSON")
				}
				d.Spatial = proto.CloneOf(sp)
			}
		case "private":
			d.Private = in.GetPrivate()
		case "featured":
			if caller.Sysadmin {
				d.Featured = in.GetFeatured()
			}
		case "organization":
			orgTouched = true
			ref, err := publisherOrganization(ctx, q, caller, in.GetOrganization(), &v, p)
			if err != nil {
				return err
			}
			d.Organization = ref
		case "owner":
			ownerTouched = true
			ref, err := ownerRef(ctx, q, caller, in.GetOwner(), &v, p)
			if err != nil {
				return err
			}
			d.Owner = ref
		case "extras":
			checkJSONObject(&v, p, in.GetExtrasJson())
			d.ExtrasJson = in.GetExtrasJson()
		case "resources":
			d.Resources = applyResourceList(&v, d.GetResources(), in.GetResources(), now)
		case "schema":
			d.Schema = in.Schema
		case "archived":
			switch {
			case in.GetArchived() && d.Archived == nil:
				d.Archived = timestamppb.New(now)
			case !in.GetArchived():
				d.Archived = nil
			}
		case "harvest":
			checkJSONObject(&v, p, in.GetHarvestJson())
			d.HarvestJson = in.GetHarvestJson()
		case "access_type":
			at := in.GetAccessType()
			if at == "" {
				at = "open"
			}
			domain.CheckChoice(&v, p, at, accessTypes[at])
			d.AccessType = at
		case "deleted", "restore":
			if in.GetRestore() {
				d.Deleted = nil
			}
		default:
			v.Add(p, "Unknown field")
		}
	}
	if d.Organization != nil && d.Owner != nil {
		if orgTouched && !ownerTouched {
			d.Owner = nil // moving a dataset to an organization
		} else {
			v.Add("organization", MsgOwnerAndOrganization)
		}
	}
	if d.Organization == nil && d.Owner == nil {
		d.Owner = &catalogv1.UserRef{Id: caller.UserID}
	}
	if d.License == "" {
		d.License = domain.DefaultLicenseID
	}
	if d.Frequency == "" {
		d.Frequency = domain.DefaultFrequency
	}
	if d.AccessType == "" {
		d.AccessType = "open"
	}
	return v.Err()
}

func checkDate(v *domain.Violations, field, s string) {
	if s == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.Add(field, "Not a valid date value")
	}
}

// applyResourceList replaces the resources of a dataset: entries with the
// id of an existing resource update it, others are created.
func applyResourceList(v *domain.Violations, current []*catalogv1.Resource, in []*catalogv1.ResourceInput, now time.Time) []*catalogv1.Resource {
	byID := make(map[string]*catalogv1.Resource, len(current))
	for _, r := range current {
		byID[r.GetId()] = r
	}
	out := make([]*catalogv1.Resource, 0, len(in))
	seen := map[string]bool{}
	for i, ri := range in {
		prefix := "resources." + strconv.Itoa(i) + "."
		var r *catalogv1.Resource
		if old, ok := byID[strings.ToLower(ri.GetId())]; ok && !seen[old.GetId()] {
			r = proto.CloneOf(old)
			var rv domain.Violations
			applyResourceInput(&rv, r, ri, resourcePaths, now, false)
			v.Merge(prefix, rv.Err())
		} else {
			r = newResource(ri, now)
			var rv domain.Violations
			applyResourceInput(&rv, r, ri, resourcePaths, now, true)
			v.Merge(prefix, rv.Err())
		}
		seen[r.GetId()] = true
		out = append(out, r)
	}
	return out
}

// newResource starts a resource from its input: the given id when it is a
// free UUID, else a new UUID4.
func newResource(in *catalogv1.ResourceInput, now time.Time) *catalogv1.Resource {
	id := strings.ToLower(in.GetId())
	if !domain.IsCanonicalUUID(id) {
		id = domain.NewUUID4()
	}
	return &catalogv1.Resource{
		Id:                   id,
		CreatedAtInternal:    timestamppb.New(now),
		LastModifiedInternal: timestamppb.New(now),
	}
}

var resourcePaths = []string{"title", "description", "filetype", "type", "format", "url", "checksum", "filesize", "mime", "extras", "schema", "harvest"}

var checksumTypes = map[string]bool{"sha1": true, "sha2": true, "sha256": true, "md5": true, "crc": true}

// applyResourceInput validates the fields of in named by paths and copies
// them into r. A filetype cannot change after creation.
func applyResourceInput(v *domain.Violations, r *catalogv1.Resource, in *catalogv1.ResourceInput, paths []string, now time.Time, create bool) {
	for _, p := range paths {
		switch p {
		case "title":
			domain.CheckText(v, p, in.GetTitle(), true, domain.MaxTitleLength)
			r.Title = strings.TrimSpace(in.GetTitle())
		case "description":
			r.Description = nonEmpty(in.Description)
		case "filetype":
			switch {
			case create:
				domain.CheckText(v, p, in.GetFiletype(), true, 0)
				if in.GetFiletype() != "" {
					domain.CheckFiletype(v, p, in.GetFiletype())
				}
				r.Filetype = in.GetFiletype()
			case in.GetFiletype() != "" && in.GetFiletype() != r.GetFiletype():
				v.Add(p, "Cannot change the filetype of a resource")
			}
		case "type":
			t := in.GetType()
			if t == "" {
				t = domain.ResourceTypeMain
			}
			domain.CheckResourceType(v, p, t)
			r.Type = t
		case "format":
			r.Format = domain.NormalizeFormat(in.GetFormat())
		case "url":
			domain.CheckResourceURL(v, p, in.GetUrl())
			r.Url = strings.TrimSpace(in.GetUrl())
		case "checksum":
			r.Checksum = nil
			if c := in.GetChecksum(); c != nil && c.GetValue() != "" {
				domain.CheckChoice(v, "checksum.type", c.GetType(), checksumTypes[c.GetType()])
				r.Checksum = &catalogv1.Checksum{Type: c.GetType(), Value: c.GetValue()}
			}
		case "filesize":
			r.Filesize = in.Filesize
			if in.Filesize != nil && *in.Filesize < 0 {
				v.Add(p, "Must be positive")
			}
		case "mime":
			r.Mime = strings.TrimSpace(in.GetMime())
		case "extras":
			checkJSONObject(v, p, in.GetExtrasJson())
			r.ExtrasJson = in.GetExtrasJson()
		case "schema":
			r.Schema = in.Schema
		case "harvest":
			checkJSONObject(v, p, in.GetHarvestJson())
			r.HarvestJson = in.GetHarvestJson()
		default:
			v.Add(p, "Unknown field")
		}
	}
	r.LastModifiedInternal = timestamppb.New(now)
}

// refreshLastUpdate recomputes last_update as udata does on save.
func refreshLastUpdate(d *catalogv1.Dataset, now time.Time) {
	harvestModified := jsonTime(d.GetHarvestJson(), "modified_at")
	lastModified := d.GetLastModifiedInternal().AsTime()
	if !harvestModified.IsZero() {
		lastModified = harvestModified
	}
	res := make([]time.Time, 0, len(d.GetResources()))
	for _, r := range d.GetResources() {
		res = append(res, domain.ResourceLastModified(
			jsonTime(r.GetHarvestJson(), "modified_at"),
			r.GetFiletype() == domain.FiletypeRemote,
			jsonTime(r.GetExtrasJson(), "analysis:last-modified-at"),
			r.GetLastModifiedInternal().AsTime(), now))
	}
	d.LastUpdate = timestamppb.New(domain.DatasetLastUpdate(harvestModified, res, lastModified))
}

// jsonTime reads a date-time string at key of a JSON object; zero when
// absent or unparsable.
func jsonTime(obj []byte, key string) time.Time {
	if len(obj) == 0 || !bytes.Contains(obj, []byte(key)) {
		return time.Time{}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return time.Time{}
	}
	var s string
	if json.Unmarshal(m[key], &s) != nil {
		return time.Time{}
	}
	return parseTime(s)
}

// parseTime accepts RFC 3339 and udata's naive ISO forms (taken as UTC).
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// searchText is the folded text q matches for a dataset.
func searchText(d *catalogv1.Dataset, orgName string) string {
	var b strings.Builder
	b.WriteString(d.GetTitle())
	b.WriteByte(' ')
	b.WriteString(d.GetAcronym())
	b.WriteByte(' ')
	for _, t := range d.GetTags() {
		b.WriteString(strings.ReplaceAll(t, "-", " "))
		b.WriteByte(' ')
	}
	b.WriteString(orgName)
	b.WriteByte(' ')
	b.WriteString(d.GetDescription())
	return domain.FoldText(b.String())
}

// publisherOrganization resolves the organization ref (id or slug) an object
// is published for: nil for none; a violation at field p when it is unknown
// or the caller may not publish for it.
func publisherOrganization(ctx context.Context, q store.Q, caller domain.Caller, ref string, v *domain.Violations, p string) (*catalogv1.OrganizationRef, error) {
	if ref == "" {
		return nil, nil
	}
	o, err := q.GetOrganization(ctx, ref)
	switch {
	case isNotFound(err) || (err == nil && o.Deleted != nil):
		v.Add(p, "Unknown organization")
	case err != nil:
		return nil, err
	case !caller.CanPublishFor(o.GetId()):
		v.Add(p, MsgPublishDenied)
	default:
		return &catalogv1.OrganizationRef{Id: o.GetId()}, nil
	}
	return nil, nil
}

// ownerRef resolves the user id an object is owned by: nil for none; a
// violation at field p when it is unknown or not the caller (sysadmins may
// name anyone).
func ownerRef(ctx context.Context, q store.Q, caller domain.Caller, id string, v *domain.Violations, p string) (*catalogv1.UserRef, error) {
	if id == "" {
		return nil, nil
	}
	u, err := q.GetUser(ctx, id)
	switch {
	case id != caller.UserID && !caller.Sysadmin:
		v.Add(p, MsgOwnerNotSelf)
	case isNotFound(err):
		v.Add(p, "Unknown user")
	case err != nil:
		return nil, err
	default:
		return &catalogv1.UserRef{Id: u.ID}, nil
	}
	return nil, nil
}
