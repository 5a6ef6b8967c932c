package udata

import (
	"encoding/json"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// OrganizationInput is a parsed organization body and the JSON keys it
// sets.
type OrganizationInput struct {
	Input *catalogv1.OrganizationInput
	Mask  []string
}

// ParseOrganization parses POST /api/1/organizations/ and PUT
// /api/1/organizations/{org}/ (a partial update: only the keys present
// change). Read-only keys of a GET body are ignored.
func ParseOrganization(data []byte) (*OrganizationInput, error) {
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	in := &catalogv1.OrganizationInput{}
	var mask []string
	set := func(key string, present bool) {
		if present {
			mask = append(mask, key)
		}
	}
	var ok bool
	in.Name, ok = b.str("name")
	set("name", ok)
	in.Acronym, ok = b.optStr("acronym")
	set("acronym", ok)
	in.Description, ok = b.str("description")
	set("description", ok)
	in.Url, ok = b.optStr("url")
	set("url", ok)
	in.BusinessNumberId, ok = b.optStr("business_number_id")
	set("business_number_id", ok)
	if extras, ok := b.object("extras"); ok {
		in.ExtrasJson = extras
		set("extras", true)
	}
	in.Logo, ok = b.optStr("logo")
	set("logo", ok)
	if raw, ok := b.fields["badges"]; ok {
		in.Badges = b.badges(raw)
		set("badges", true)
	}
	if err := b.err(); err != nil {
		return nil, err
	}
	return &OrganizationInput{Input: in, Mask: mask}, nil
}

func (b *body) badges(raw json.RawMessage) []*catalogv1.Badge {
	if isNull(raw) {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		b.fail("badges", msgNotList)
		return nil
	}
	out := make([]*catalogv1.Badge, 0, len(items))
	for _, item := range items {
		var kind string
		if json.Unmarshal(item, &kind) != nil {
			var obj struct {
				Kind string `json:"kind"`
			}
			if json.Unmarshal(item, &obj) != nil {
				b.fail("badges", "Not a valid badge.")
				continue
			}
			kind = obj.Kind
		}
		out = append(out, &catalogv1.Badge{Kind: kind})
	}
	return out
}

// MemberInput is a parsed POST /api/1/organizations/{org}/member/ body:
// an invitation of a user (by id) or of an email, with a role.
type MemberInput struct {
	User  string
	Email string
	Role  string
}

// ParseMember parses a member invitation {"user": {"id"} | id, "email",
// "role"} or a role change {"role"}.
func ParseMember(data []byte) (*MemberInput, error) {
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	m := &MemberInput{}
	m.User, _ = b.ref("user")
	m.Email, _ = b.str("email")
	m.Role, _ = b.str("role")
	if err := b.err(); err != nil {
		return nil, err
	}
	return m, nil
}
