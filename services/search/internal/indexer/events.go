package indexer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/search/internal/docs"
	"github.com/relais-data/relais/services/search/internal/ledger"
)

// Catalog events the indexer consumes.
const (
	SubjectDatasets      = "relais.catalog.dataset.*"
	SubjectOrganizations = "relais.catalog.organization.*"
	SubjectReuses        = "relais.catalog.reuse.*"

	datasetPrefix      = "relais.catalog.dataset."
	organizationPrefix = "relais.catalog.organization."
	reusePrefix        = "relais.catalog.reuse."
	deletedSuffix      = ".deleted"
)

// HandleEvents applies a batch of catalog events; it returns once the
// indexes have their changes, so that the batch may be acked. The records
// named by metrics_changed events are read once per batch, whatever the
// number of events naming them. An event
// that cannot be decoded is logged and skipped: redelivering it would not
// help.
func (x *Indexer) HandleEvents(ctx context.Context, ms []events.Message) error {
	changes := make([]Change, 0, len(ms))
	var orgs []string
	changed := figures{}
	for _, m := range ms {
		if x.addFigures(ctx, changed, m) {
			continue
		}
		c, ok, err := x.change(ctx, m)
		if err != nil {
			return fmt.Errorf("event %s: %w", m.ID, err)
		}
		if ok {
			changes = append(changes, c)
			if c.Kind == ledger.Organization && !slices.Contains(orgs, c.ID) && strings.HasSuffix(m.Subject, ".updated") {
				orgs = append(orgs, c.ID)
			}
		}
	}
	if err := x.Apply(ctx, changes); err != nil {
		return err
	}
	for _, id := range orgs {
		if err := x.refreshOrganizationDatasets(ctx, id); err != nil {
			return fmt.Errorf("organization %s: %w", id, err)
		}
		if err := x.refreshOrganizationReuses(ctx, id); err != nil {
			return fmt.Errorf("organization %s: %w", id, err)
		}
	}
	return x.refreshFigures(ctx, changed)
}

// refreshOrganizationDatasets indexes again the datasets of an organization
// that changed: their documents carry its name, acronym and badges, which
// the datasets' own versions do not follow (udata reindexes them too). The
// catalog's current datasets replace the indexed ones whatever the ledger
// says; later events still apply over them.
func (x *Indexer) refreshOrganizationDatasets(ctx context.Context, orgID string) error {
	return x.refreshPages(ctx, "datasets", func(page int32) ([]Change, error) {
		resp, err := x.catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Organization: orgID, Page: page, PageSize: catalogPage, Sort: "created"})
		changes := make([]Change, 0, len(resp.GetDatasets()))
		for _, d := range resp.GetDatasets() {
			changes = append(changes, DatasetChange(d))
		}
		return changes, err
	})
}

// refreshOrganizationReuses is refreshOrganizationDatasets for the
// organization's reuses, whose documents carry its name and badges too.
func (x *Indexer) refreshOrganizationReuses(ctx context.Context, orgID string) error {
	return x.refreshPages(ctx, "reuses", func(page int32) ([]Change, error) {
		resp, err := x.catalog.ListReuses(ctx, &catalogv1.ListReusesRequest{Organization: orgID, Page: page, PageSize: catalogPage, Sort: "created"})
		changes := make([]Change, 0, len(resp.GetReuses()))
		for _, u := range resp.GetReuses() {
			changes = append(changes, ReuseChange(u))
		}
		return changes, err
	})
}

// refreshPages applies, whatever the ledger says, the changes of every page
// list returns, until a short page.
func (x *Indexer) refreshPages(ctx context.Context, what string, list func(page int32) ([]Change, error)) error {
	for page := int32(1); ; page++ {
		changes, err := list(page)
		if status.Code(err) == codes.InvalidArgument {
			return nil // not an organization id the catalog lists by
		}
		if err != nil {
			return fmt.Errorf("list its %s: %w", what, err)
		}
		x.mu.Lock()
		err = x.apply(ctx, changes, true)
		x.mu.Unlock()
		if err != nil {
			return err
		}
		if len(changes) < catalogPage {
			return nil
		}
	}
}

// change reads the change an event carries.
func (x *Indexer) change(ctx context.Context, m events.Message) (Change, bool, error) {
	deleted := strings.HasSuffix(m.Subject, deletedSuffix)
	switch {
	case strings.HasPrefix(m.Subject, datasetPrefix):
		ev := &eventsv1.DatasetChanged{}
		if err := proto.Unmarshal(m.Data, ev); err != nil || ev.GetDataset().GetId() == "" {
			x.log.ErrorContext(ctx, "undecodable dataset event skipped", "event_id", m.ID, "subject", m.Subject, "err", err)
			return Change{}, false, nil
		}
		d := ev.GetDataset()
		if deleted {
			return Change{Kind: ledger.Dataset, ID: d.GetId(), Version: micros(d.GetLastModifiedInternal())}, true, nil
		}
		if ev.GetSnapshotTruncated() {
			full, err := x.fetchDataset(ctx, d.GetId())
			if err != nil {
				return Change{}, false, err
			}
			if full == nil { // no longer readable: not searchable
				return Change{Kind: ledger.Dataset, ID: d.GetId(), Version: micros(d.GetLastModifiedInternal())}, true, nil
			}
			d = full
		}
		return DatasetChange(d), true, nil
	case strings.HasPrefix(m.Subject, organizationPrefix):
		ev := &eventsv1.OrganizationChanged{}
		if err := proto.Unmarshal(m.Data, ev); err != nil || ev.GetOrganization().GetId() == "" {
			x.log.ErrorContext(ctx, "undecodable organization event skipped", "event_id", m.ID, "subject", m.Subject, "err", err)
			return Change{}, false, nil
		}
		o := ev.GetOrganization()
		if deleted {
			return Change{Kind: ledger.Organization, ID: o.GetId(), Version: micros(o.GetLastModified())}, true, nil
		}
		return OrganizationChange(o), true, nil
	case strings.HasPrefix(m.Subject, reusePrefix):
		ev := &eventsv1.ReuseChanged{}
		if err := proto.Unmarshal(m.Data, ev); err != nil || ev.GetReuse().GetId() == "" {
			x.log.ErrorContext(ctx, "undecodable reuse event skipped", "event_id", m.ID, "subject", m.Subject, "err", err)
			return Change{}, false, nil
		}
		u := ev.GetReuse()
		if deleted {
			return Change{Kind: ledger.Reuse, ID: u.GetId(), Version: micros(u.GetLastModified())}, true, nil
		}
		return ReuseChange(u), true, nil
	default:
		return Change{}, false, nil
	}
}

// fetchDataset reads a dataset from the catalog as an anonymous caller,
// who sees what search may show; nil when the catalog refuses it.
func (x *Indexer) fetchDataset(ctx context.Context, id string) (*catalogv1.Dataset, error) {
	resp, err := x.catalog.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: id})
	switch status.Code(err) {
	case codes.OK:
		return resp.GetDataset(), nil
	case codes.NotFound, codes.PermissionDenied, codes.Unauthenticated, codes.FailedPrecondition:
		return nil, nil
	default:
		return nil, fmt.Errorf("read dataset %s from the catalog: %w", id, err)
	}
}

// fetchReuse is fetchDataset for reuses.
func (x *Indexer) fetchReuse(ctx context.Context, id string) (*catalogv1.Reuse, error) {
	resp, err := x.catalog.GetReuse(ctx, &catalogv1.GetReuseRequest{Reuse: id})
	switch status.Code(err) {
	case codes.OK:
		return resp.GetReuse(), nil
	case codes.NotFound, codes.PermissionDenied, codes.Unauthenticated, codes.FailedPrecondition:
		return nil, nil
	default:
		return nil, fmt.Errorf("read reuse %s from the catalog: %w", id, err)
	}
}

// DatasetChange is the change a dataset snapshot makes to the index.
func DatasetChange(d *catalogv1.Dataset) Change {
	c := Change{Kind: ledger.Dataset, ID: d.GetId(), Version: micros(d.GetLastModifiedInternal())}
	if doc, ok := docs.Dataset(d); ok {
		c.Doc = &doc
	}
	return c
}

// OrganizationChange is the change an organization snapshot makes.
func OrganizationChange(o *catalogv1.Organization) Change {
	c := Change{Kind: ledger.Organization, ID: o.GetId(), Version: micros(o.GetLastModified())}
	if doc, ok := docs.Organization(o); ok {
		c.Doc = &doc
	}
	return c
}

// ReuseChange is the change a reuse snapshot makes.
func ReuseChange(u *catalogv1.Reuse) Change {
	c := Change{Kind: ledger.Reuse, ID: u.GetId(), Version: micros(u.GetLastModified())}
	if doc, ok := docs.Reuse(u); ok {
		c.Doc = &doc
	}
	return c
}

func micros(ts *timestamppb.Timestamp) int64 {
	if ts == nil {
		return 0
	}
	return ts.AsTime().UnixMicro()
}
