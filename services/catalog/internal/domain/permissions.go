package domain

// Caller is who makes a request, with what the permission rules need.
// The zero Caller is anonymous.
type Caller struct {
	UserID   string
	Sysadmin bool
	// Roles maps the ids of the caller's organizations to their role there.
	Roles map[string]string
}

// Anonymous reports whether no user is calling.
func (c Caller) Anonymous() bool { return c.UserID == "" }

// IsMember reports whether the caller belongs to orgID (any role).
func (c Caller) IsMember(orgID string) bool {
	_, ok := c.Roles[orgID]
	return orgID != "" && ok
}

// IsOrgAdmin reports whether the caller is an admin of orgID.
func (c Caller) IsOrgAdmin(orgID string) bool {
	return orgID != "" && c.Roles[orgID] == RoleAdmin
}

// CanEditDataset: sysadmins; admins and editors of the dataset's
// organization; its owner.
func (c Caller) CanEditDataset(orgID, ownerID string) bool {
	switch {
	case c.Anonymous():
		return false
	case c.Sysadmin:
		return true
	case orgID != "":
		return c.IsMember(orgID)
	default:
		return ownerID != "" && ownerID == c.UserID
	}
}

// CanSeeDataset: public datasets for everyone; private (and deleted) ones
// for those who may edit them.
func (c Caller) CanSeeDataset(private bool, orgID, ownerID string) bool {
	return !private || c.CanEditDataset(orgID, ownerID)
}

// CanEditOrganization: sysadmins and the organization's admins.
func (c Caller) CanEditOrganization(orgID string) bool {
	return c.Sysadmin || c.IsOrgAdmin(orgID)
}

// CanManageMembers: sysadmins and the organization's admins.
func (c Caller) CanManageMembers(orgID string) bool {
	return c.CanEditOrganization(orgID)
}

// CanPublishFor reports whether the caller may attach a dataset to orgID.
func (c Caller) CanPublishFor(orgID string) bool {
	return c.Sysadmin || c.IsMember(orgID)
}
