package udata

import (
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// Organization writes an organization as GET /api/1/organizations/{org}/.
func (r *Renderer) Organization(w *Writer, o *catalogv1.Organization) {
	w.BeginObject()
	w.Key("acronym")
	w.StringOrNull(o.Acronym)
	w.Key("badges")
	writeBadges(w, o.GetBadges())
	w.Key("business_number_id")
	w.StringOrNull(o.BusinessNumberId)
	w.Key("created_at")
	w.Time(o.GetCreatedAt())
	w.Key("deleted")
	w.Time(o.GetDeleted())
	w.Key("description")
	w.String(o.GetDescription())
	w.Key("extras")
	w.RawObject(o.GetExtrasJson(), "{}")
	w.Key("id")
	w.String(o.GetId())
	w.Key("last_modified")
	w.Time(o.GetLastModified())
	w.Key("logo")
	w.StringOrNull(o.Logo)
	w.Key("logo_thumbnail")
	w.StringOrNull(o.LogoThumbnail)
	w.Key("members")
	w.BeginArray()
	for _, m := range o.GetMembers() {
		r.Member(w, m)
	}
	w.EndArray()
	w.Key("metrics")
	writeOrganizationMetrics(w, o.GetMetrics())
	w.Key("name")
	w.String(o.GetName())
	w.Key("page")
	w.Concat(r.orgsPage, o.GetSlug(), "/")
	w.Key("permissions")
	p := o.GetPermissions()
	w.BeginObject()
	w.Key("delete")
	w.Bool(p.GetDelete())
	w.Key("edit")
	w.Bool(p.GetEdit())
	w.Key("harvest")
	w.Bool(p.GetHarvest())
	w.Key("members")
	w.Bool(p.GetMembers())
	w.Key("private")
	w.Bool(p.GetPrivate())
	w.EndObject()
	w.Key("slug")
	w.String(o.GetSlug())
	w.Key("uri")
	w.Concat(r.orgsAPI, o.GetSlug(), "/")
	w.Key("url")
	w.StringOrNull(o.Url)
	w.EndObject()
}

// writeOrganizationMetrics writes the keys data.gouv.fr's organizations
// carry. The monthly series are empty until analytics exists;
// reuses_by_months and reuses_followers_by_months are numbers (0) in
// data.gouv.fr's own responses, so they are here too.
func writeOrganizationMetrics(w *Writer, m *catalogv1.OrganizationMetrics) {
	w.BeginObject()
	w.Key("dataservices")
	w.Int(m.GetDataservices())
	w.Key("dataservices_by_months")
	w.emptyObject()
	w.Key("datasets")
	w.Int(m.GetDatasets())
	w.Key("datasets_by_months")
	w.emptyObject()
	w.Key("datasets_followers_by_months")
	w.emptyObject()
	w.Key("datasets_reuses_by_months")
	w.emptyObject()
	w.Key("followers")
	w.Int(m.GetFollowers())
	w.Key("members")
	w.Int(m.GetMembers())
	w.Key("reuses")
	w.Int(m.GetReuses())
	w.Key("reuses_by_months")
	w.Int(0)
	w.Key("reuses_followers_by_months")
	w.Int(0)
	w.Key("views")
	w.Int(m.GetViews())
	w.EndObject()
}

// OrganizationRef writes udata's OrganizationReference.
func (r *Renderer) OrganizationRef(w *Writer, o *catalogv1.OrganizationRef) {
	w.BeginObject()
	w.Key("acronym")
	w.StringOrNull(o.Acronym)
	w.Key("badges")
	writeBadges(w, o.GetBadges())
	w.Key("class")
	w.String("Organization")
	w.Key("id")
	w.String(o.GetId())
	w.Key("logo")
	w.StringOrNull(o.Logo)
	w.Key("logo_thumbnail")
	w.StringOrNull(o.LogoThumbnail)
	w.Key("name")
	w.String(o.GetName())
	w.Key("page")
	w.Concat(r.orgsPage, o.GetSlug(), "/")
	w.Key("slug")
	w.String(o.GetSlug())
	w.Key("uri")
	w.Concat(r.orgsAPI, o.GetSlug(), "/")
	w.EndObject()
}

// OrganizationSuggestion writes one entry of /organizations/suggest/.
func (r *Renderer) OrganizationSuggestion(w *Writer, o *catalogv1.OrganizationRef) {
	w.BeginObject()
	w.Key("acronym")
	w.StringOrNull(o.Acronym)
	w.Key("id")
	w.String(o.GetId())
	w.Key("image_url")
	w.StringOrNull(o.Logo)
	w.Key("name")
	w.String(o.GetName())
	w.Key("page")
	w.Concat(r.orgsPage, o.GetSlug(), "/")
	w.Key("slug")
	w.String(o.GetSlug())
	w.EndObject()
}

// Member writes an organization member {label, role, since, user}.
func (r *Renderer) Member(w *Writer, m *catalogv1.Member) {
	u := m.GetUser()
	if u == nil {
		u = &catalogv1.UserRef{}
	}
	w.BeginObject()
	w.Key("label")
	w.String(RoleLabel(m.GetRole()))
	w.Key("role")
	w.String(m.GetRole())
	w.Key("since")
	w.Time(m.GetSince())
	w.Key("user")
	w.BeginObject()
	w.Key("avatar")
	w.StringOrNull(u.Avatar)
	w.Key("avatar_thumbnail")
	w.StringOrNull(u.AvatarThumbnail)
	w.Key("class")
	w.String("User")
	w.Key("email")
	w.StringOrNull(m.Email)
	w.Key("first_name")
	w.String(u.GetFirstName())
	w.Key("id")
	w.String(u.GetId())
	w.Key("last_login_at")
	w.Time(m.GetLastLoginAt())
	w.Key("last_name")
	w.String(u.GetLastName())
	w.Key("page")
	w.Concat(r.usersPage, u.GetSlug(), "/")
	w.Key("slug")
	w.String(u.GetSlug())
	w.Key("uri")
	w.Concat(r.usersAPI, u.GetSlug(), "/")
	w.EndObject()
	w.EndObject()
}

// RoleLabel is udata's French label of an organization role.
func RoleLabel(role string) string {
	switch role {
	case "admin":
		return "Administrateur"
	case "editor":
		return "Éditeur"
	case "partial_editor":
		return "Éditeur partiel"
	}
	return role
}
