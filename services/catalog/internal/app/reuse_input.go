package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

// reusePaths are the writable JSON keys of a reuse: a full create.
var reusePaths = []string{"title", "description", "type", "url", "topic", "tags", "private", "extras", "organization", "owner", "datasets"}

// mongoengine's messages, which udata's model validation returns for
// reuses.
const (
	msgFieldRequired = "Field is required"
	// MsgReuseOwnerAndOrganization is udata's Owned check.
	MsgReuseOwnerAndOrganization = "A reuse cannot be owned by both a user and an organization"
)

// msgChoice is mongoengine's message for a value outside choices.
func msgChoice(list []domain.Label) string {
	ids := make([]string, len(list))
	for i, l := range list {
		ids[i] = "'" + l.ID + "'"
	}
	return "Value must be one of [" + strings.Join(ids, ", ") + "]"
}

// applyReuseInput validates the fields of in named by paths and copies
// them into r; the url is checked unique, linked datasets and the
// organization must exist, and the caller must be allowed to publish for
// the organization.
func (s *Service) applyReuseInput(ctx context.Context, q store.Q, caller domain.Caller, r *catalogv1.Reuse, in *catalogv1.ReuseInput, paths []string, now time.Time) error {
	var v domain.Violations
	orgTouched, ownerTouched := false, false
	required := func(p, val string) bool {
		if strings.TrimSpace(val) == "" {
			v.Add(p, msgFieldRequired)
			return false
		}
		return true
	}
	for _, p := range paths {
		switch p {
		case "title":
			if required(p, in.GetTitle()) {
				domain.CheckText(&v, p, in.GetTitle(), true, domain.MaxReuseTitleLength)
			}
			r.Title = strings.TrimSpace(in.GetTitle())
		case "description":
			if required(p, in.GetDescription()) {
				domain.CheckText(&v, p, in.GetDescription(), true, domain.MaxReuseDescriptionLength)
			}
			r.Description = in.GetDescription()
		case "type":
			if required(p, in.GetType()) && !domain.IsReuseType(in.GetType()) {
				v.Add(p, msgChoice(domain.ReuseTypes))
			}
			r.Type = in.GetType()
		case "topic":
			if required(p, in.GetTopic()) && !domain.IsReuseTopic(in.GetTopic()) {
				v.Add(p, msgChoice(domain.ReuseTopics))
			}
			r.Topic = in.GetTopic()
		case "url":
			u := strings.TrimSpace(in.GetUrl())
			if !required(p, u) {
				break
			}
			if !domain.IsWebURL(u) {
				v.Add(p, fmt.Sprintf("Invalid URL: %.200s", u))
				break
			}
			taken, err := q.ReuseURLTaken(ctx, domain.ReuseURLKey(u), r.GetId())
			if err != nil {
				return err
			}
			if taken {
				v.Add(p, domain.MsgReuseURLTaken)
			}
			r.Url = u
		case "tags":
			r.Tags = domain.NormalizeTags(&v, p, in.GetTags())
		case "private":
			r.Private = in.GetPrivate()
		case "featured":
			// Read-only in bodies (udata): set by sysadmins through
			// /reuses/{reuse}/featured/.
			if !caller.Sysadmin {
				return fmt.Errorf("feature reuse: %w", domain.ErrPermissionDenied)
			}
			r.Featured = in.GetFeatured()
		case "extras":
			checkJSONObject(&v, p, in.GetExtrasJson())
			r.ExtrasJson = in.GetExtrasJson()
		case "datasets":
			ids, err := s.reuseDatasetIDs(ctx, q, &v, in.GetDatasets())
			if err != nil {
				return err
			}
			r.DatasetIds = ids
		case "organization":
			orgTouched = true
			ref, err := publisherOrganization(ctx, q, caller, in.GetOrganization(), &v, p)
			if err != nil {
				return err
			}
			r.Organization = ref
		case "owner":
			ownerTouched = true
			ref, err := ownerRef(ctx, q, caller, in.GetOwner(), &v, p)
			if err != nil {
				return err
			}
			r.Owner = ref
		case "archived":
			switch {
			case in.GetArchived() && r.Archived == nil:
				r.Archived = timestamppb.New(now)
			case !in.GetArchived():
				r.Archived = nil
			}
		case "deleted", "restore":
			if in.GetRestore() {
				r.Deleted = nil
			}
		default:
			v.Add(p, "Unknown field")
		}
	}
	if r.Organization != nil && r.Owner != nil {
		if orgTouched && !ownerTouched {
			r.Owner = nil // moving a reuse to an organization
		} else {
			v.Add("organization", MsgReuseOwnerAndOrganization)
		}
	}
	if r.Organization == nil && r.Owner == nil {
		r.Owner = &catalogv1.UserRef{Id: caller.UserID}
	}
	return v.Err()
}

// maxReuseDatasets bounds the datasets one reuse links.
const maxReuseDatasets = 1000

// reuseDatasetIDs resolves dataset ids or slugs to ids, without
// duplicates, in the given order.
func (s *Service) reuseDatasetIDs(ctx context.Context, q store.Q, v *domain.Violations, refs []string) ([]string, error) {
	if len(refs) > maxReuseDatasets {
		v.Add("datasets", fmt.Sprintf("at most %d datasets", maxReuseDatasets))
		return nil, nil
	}
	out := make([]string, 0, len(refs))
	seen := make(map[string]bool, len(refs))
	for _, ref := range refs {
		d, err := q.GetDataset(ctx, ref)
		if isNotFound(err) {
			v.Add("datasets", fmt.Sprintf("Unknown dataset %.100q", ref))
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[d.GetId()] {
			seen[d.GetId()] = true
			out = append(out, d.GetId())
		}
	}
	return out, nil
}

// reuseSearchText is the folded text q matches for a reuse.
func reuseSearchText(r *catalogv1.Reuse, orgName string) string {
	var b strings.Builder
	b.WriteString(r.GetTitle())
	b.WriteByte(' ')
	for _, t := range r.GetTags() {
		b.WriteString(strings.ReplaceAll(t, "-", " "))
		b.WriteByte(' ')
	}
	b.WriteString(orgName)
	b.WriteByte(' ')
	b.WriteString(r.GetDescription())
	return domain.FoldText(b.String())
}
