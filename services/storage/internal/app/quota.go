package app

import (
	"context"

	"github.com/relais-data/relais/services/storage/internal/domain"
)

// Usage is what an organization's stored files take, and its quota.
type Usage struct {
	UsedBytes, QuotaBytes, Files int64
}

// quotaOf returns an organization's quota; 0 means none (and a dataset
// without an organization has none).
func (s *Service) quotaOf(organizationID string) int64 {
	if organizationID == "" {
		return 0
	}
	return max(s.quota(organizationID), 0)
}

// checkQuota refuses adding bytes to an organization over its quota.
// Files being uploaded are not counted: the commit checks again, with
// every stored byte.
func (s *Service) checkQuota(ctx context.Context, organizationID string, adding int64) error {
	quota := s.quotaOf(organizationID)
	if quota == 0 {
		return nil
	}
	u, err := s.store.Usage(ctx, organizationID)
	if err != nil {
		return err
	}
	if u.Bytes+adding > quota {
		return domain.QuotaExceeded(u.Bytes, quota)
	}
	return nil
}

// Usage returns what an organization's stored files take and its quota.
func (s *Service) Usage(ctx context.Context, organizationID string) (Usage, error) {
	if err := domain.CheckID("organization_id", organizationID, false); err != nil {
		return Usage{}, err
	}
	u, err := s.store.Usage(ctx, organizationID)
	if err != nil {
		return Usage{}, err
	}
	return Usage{UsedBytes: u.Bytes, QuotaBytes: s.quotaOf(organizationID), Files: u.Files}, nil
}
