package docs

import catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"

// Producer types of udata's producer_type filter and facet.
const (
	PublicService  = "public-service"
	LocalAuthority = "local-authority"
	Association    = "association"
	Company        = "company"
	User           = "user"
	NotSpecified   = "not-specified"
)

// producerBadges are the organization badges that say what kind of
// producer an organization is.
var producerBadges = []string{PublicService, LocalAuthority, Association, Company}

// producerTypes derives udata's producer types from who publishes: the
// organization's kind badges (an organization may hold several), "user"
// for a dataset a person publishes without organization, and
// "not-specified" for an organization with no kind badge.
func producerTypes(org *catalogv1.OrganizationRef, owner *catalogv1.UserRef) []string {
	if org == nil || org.GetId() == "" {
		if owner != nil && owner.GetId() != "" {
			return []string{User}
		}
		return []string{NotSpecified}
	}
	return organizationProducerTypes(org.GetBadges())
}

func organizationProducerTypes(badges []*catalogv1.Badge) []string {
	var out []string
	for _, kind := range producerBadges {
		for _, b := range badges {
			if b.GetKind() == kind {
				out = append(out, kind)
				break
			}
		}
	}
	if len(out) == 0 {
		return []string{NotSpecified}
	}
	return out
}
