package udata

import (
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// MeInput is a parsed PUT /api/1/me/ body and the keys it sets.
type MeInput struct {
	User *catalogv1.User
	Mask []string
}

// ParseMe parses PUT /api/1/me/: first_name, last_name, website, about,
// email. Other keys of a GET body back are ignored.
func ParseMe(data []byte) (*MeInput, error) {
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	u := &catalogv1.User{}
	var mask []string
	set := func(key string, present bool) {
		if present {
			mask = append(mask, key)
		}
	}
	var ok bool
	u.FirstName, ok = b.str("first_name")
	set("first_name", ok)
	u.LastName, ok = b.str("last_name")
	set("last_name", ok)
	u.Website, ok = b.optStr("website")
	set("website", ok)
	u.About, ok = b.optStr("about")
	set("about", ok)
	u.Email, ok = b.optStr("email")
	set("email", ok)
	if err := b.err(); err != nil {
		return nil, err
	}
	return &MeInput{User: u, Mask: mask}, nil
}

// ParseAPIToken parses POST /api/1/me/api_tokens/ {name?, expires_at?,
// scopes?}. An empty body is accepted.
func ParseAPIToken(data []byte) (*catalogv1.CreateApiTokenRequest, error) {
	if len(data) == 0 {
		return &catalogv1.CreateApiTokenRequest{}, nil
	}
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	req := &catalogv1.CreateApiTokenRequest{}
	req.Name, _ = b.optStr("name")
	var expires *timestamppb.Timestamp
	expires, _ = b.timestamp("expires_at")
	req.ExpiresAt = expires
	req.Scopes, _ = b.strList("scopes")
	if err := b.err(); err != nil {
		return nil, err
	}
	return req, nil
}
