package domain

// Label is an {id, label} pair of a reference list.
type Label struct{ ID, Label string }

// Resource types, filetypes and organization roles.
const (
	FiletypeFile   = "file"
	FiletypeRemote = "remote"

	ResourceTypeMain = "main"

	RoleAdmin  = "admin"
	RoleEditor = "editor"
)

var resourceTypes = []Label{
	{"main", "Main file"},
	{"documentation", "Documentation"},
	{"update", "Update"},
	{"api", "API"},
	{"code", "Code repository"},
	{"other", "Other"},
}

// organizationRoles carry the French labels data.gouv.fr serves.
var organizationRoles = []Label{
	{RoleAdmin, "Administrateur"},
	{RoleEditor, "Éditeur"},
}

// ResourceTypes returns the resource types (callers must not modify it).
func ResourceTypes() []Label { return resourceTypes }

// OrganizationRoles returns the member roles (callers must not modify it).
func OrganizationRoles() []Label { return organizationRoles }

// IsResourceType reports whether t is a known resource type.
func IsResourceType(t string) bool { return hasLabel(resourceTypes, t) }

// IsRole reports whether r is a known member role.
func IsRole(r string) bool { return hasLabel(organizationRoles, r) }

func hasLabel(list []Label, id string) bool {
	for _, l := range list {
		if l.ID == id {
			return true
		}
	}
	return false
}
