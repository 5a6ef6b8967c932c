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

// followable checks the object of a follow request: a known type and an
// existing object, looked up by id only as udata's FollowAPI does (a slug
// is not found).
func followable(ctx context.Context, q store.Q, objectType, objectID string) (string, error) {
	switch objectType {
	case store.FollowDataset, store.FollowOrganization, store.FollowReuse, store.FollowUser:
	default:
		return "", domain.Invalid("object_type", "want dataset, organization, reuse or user")
	}
	id := strings.ToLower(objectID)
	if !domain.IsObjectID(id) {
		return "", fmt.Errorf("%s %.100q: %w", objectType, objectID, domain.ErrNotFound)
	}
	ok, err := q.FollowableExists(ctx, objectType, id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%s %s: %w", objectType, id, domain.ErrNotFound)
	}
	return id, nil
}

// ListFollowers returns a page of the live follows of an object, oldest
// first, and their total.
func (s *Service) ListFollowers(ctx context.Context, req *catalogv1.ListFollowersRequest) ([]*catalogv1.Follow, int64, error) {
	page, size, err := pageArgs(req.GetPage(), req.GetPageSize())
	if err != nil {
		return nil, 0, err
	}
	id, err := followable(ctx, s.store.Q, req.GetObjectType(), req.GetObjectId())
	if err != nil {
		return nil, 0, err
	}
	user := strings.ToLower(req.GetUser())
	if user != "" && !domain.IsObjectID(user) {
		return nil, 0, domain.Invalid("user", "User arg must be an identifier")
	}
	rows, total, err := s.store.ListFollows(ctx, req.GetObjectType(), id, user, size, (page-1)*size)
	if err != nil {
		return nil, 0, err
	}
	userIDs := make([]string, 0, len(rows))
	for _, f := range rows {
		userIDs = append(userIDs, f.FollowerID)
	}
	users, err := s.refs.userRefs(ctx, userIDs)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*catalogv1.Follow, 0, len(rows))
	for _, f := range rows {
		follower, ok := users[f.FollowerID]
		if !ok {
			follower = &catalogv1.UserRef{Id: f.FollowerID}
		}
		out = append(out, &catalogv1.Follow{Id: f.ID, Follower: follower, Since: timestamppb.New(f.Since)})
	}
	return out, total, nil
}

// Follow makes the caller follow an object; created is false when they
// did already. It returns the object's followers after the call.
func (s *Service) Follow(ctx context.Context, objectType, objectID string) (bool, int64, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return false, 0, err
	}
	now := s.nowUTC()
	var created bool
	var n int64
	err = s.commit(ctx, func(q store.Q) error {
		id, err := followable(ctx, q, objectType, objectID)
		if err != nil {
			return err
		}
		if created, err = q.AddFollow(ctx, objectType, id, caller.UserID, domain.NewObjectID(now), now); err != nil {
			return err
		}
		counts, err := q.CountFollowers(ctx, objectType, []string{id})
		n = counts[id]
		if err != nil || !created {
			return err
		}
		return followersChanged(ctx, q, objectType, id, now)
	})
	return created, n, err
}

// Unfollow ends the caller's follow of an object (NotFound when there was
// none) and returns the object's followers after the call.
func (s *Service) Unfollow(ctx context.Context, objectType, objectID string) (int64, error) {
	caller, err := requireCaller(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	now := s.nowUTC()
	err = s.commit(ctx, func(q store.Q) error {
		id, err := followable(ctx, q, objectType, objectID)
		if err != nil {
			return err
		}
		removed, err := q.RemoveFollow(ctx, objectType, id, caller.UserID)
		if err != nil {
			return err
		}
		if !removed {
			return fmt.Errorf("follow of %s %s: %w", objectType, id, domain.ErrNotFound)
		}
		counts, err := q.CountFollowers(ctx, objectType, []string{id})
		n = counts[id]
		if err != nil {
			return err
		}
		return followersChanged(ctx, q, objectType, id, now)
	})
	return n, err
}

// followersChanged names a followed dataset, organization or reuse in a
// metrics_changed event (search sorts by followers); users have no search
// document.
func followersChanged(ctx context.Context, q store.Q, objectType, id string, at time.Time) error {
	if objectType == store.FollowUser {
		return nil
	}
	return metricsEvents(ctx, q, objectType, []string{id}, at)
}
