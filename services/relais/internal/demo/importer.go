package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Stats counts what an import did.
type Stats struct {
	Read                 int
	OrganizationsCreated int64
	OrganizationsSkipped int64
	DatasetsCreated      int64
	DatasetsSkipped      int64
}

// Importer streams export records into the catalog's Import RPC, in
// batches, so that an import of the whole export takes seconds.
type Importer struct {
	Catalog   catalogv1.CatalogServiceClient
	BatchSize int
	// Progress, when set, is called after each batch.
	Progress func(Stats)
}

// Import reads every record of r and imports it. The caller's context
// carries the sysadmin API key. Records already present are skipped by the
// catalog, so a second run creates nothing.
func (im *Importer) Import(ctx context.Context, r *Reader) (Stats, error) {
	licenses, err := im.licenseIDs(ctx)
	if err != nil {
		return Stats{}, err
	}
	stream, err := im.Catalog.Import(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("open import stream: %w", err)
	}
	batch := im.BatchSize
	if batch <= 0 {
		batch = 500
	}
	var stats Stats
	seenOrgs := map[string]bool{}
	req := &catalogv1.ImportRequest{}
	flush := func() error {
		if len(req.Datasets) == 0 && len(req.Organizations) == 0 {
			return nil
		}
		if err := stream.Send(req); err != nil {
			return fmt.Errorf("send import batch: %w", err)
		}
		req = &catalogv1.ImportRequest{}
		if im.Progress != nil {
			im.Progress(stats)
		}
		return nil
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return stats, err
		}
		stats.Read++
		if rec.OrganizationID != "" && !seenOrgs[rec.OrganizationID] {
			seenOrgs[rec.OrganizationID] = true
			req.Organizations = append(req.Organizations, organization(rec))
		}
		ds, err := dataset(rec, licenses)
		if err != nil {
			return stats, fmt.Errorf("dataset %s: %w", rec.ID, err)
		}
		req.Datasets = append(req.Datasets, ds)
		if len(req.Datasets) >= batch {
			if err := flush(); err != nil {
				return stats, err
			}
		}
	}
	if err := flush(); err != nil {
		return stats, err
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return stats, fmt.Errorf("finish import: %w", err)
	}
	stats.OrganizationsCreated = resp.GetOrganizationsCreated()
	stats.OrganizationsSkipped = resp.GetOrganizationsSkipped()
	stats.DatasetsCreated = resp.GetDatasetsCreated()
	stats.DatasetsSkipped = resp.GetDatasetsSkipped()
	return stats, nil
}

// licenseIDs maps licence titles (and ids) as the export writes them to ids.
func (im *Importer) licenseIDs(ctx context.Context) (map[string]string, error) {
	lists, err := im.Catalog.GetReferenceLists(ctx, &catalogv1.GetReferenceListsRequest{})
	if err != nil {
		return nil, fmt.Errorf("get licences: %w", err)
	}
	ids := map[string]string{}
	for _, l := range lists.GetLicenses() {
		ids[strings.ToLower(l.GetId())] = l.GetId()
		ids[strings.ToLower(l.GetTitle())] = l.GetId()
		for _, t := range l.GetAlternateTitles() {
			ids[strings.ToLower(t)] = l.GetId()
		}
	}
	return ids, nil
}

func organization(rec Record) *catalogv1.Organization {
	org := &catalogv1.Organization{
		Id:   rec.OrganizationID,
		Name: strings.TrimSpace(rec.Organization),
	}
	if IsLocalAuthority(rec.Organization) {
		org.Badges = []*catalogv1.Badge{{Kind: "local-authority"}}
	}
	return org
}

func dataset(rec Record, licenses map[string]string) (*catalogv1.Dataset, error) {
	license := "notspecified"
	if rec.License != "" {
		id, ok := licenses[strings.ToLower(rec.License)]
		if !ok {
			return nil, fmt.Errorf("unknown licence %q", rec.License)
		}
		license = id
	}
	harvest, err := rec.HarvestJSON()
	if err != nil {
		return nil, err
	}
	ds := &catalogv1.Dataset{
		Id:                   rec.ID,
		Slug:                 rec.Slug,
		Title:                rec.Title,
		Description:          rec.Description,
		Tags:                 rec.Tags,
		License:              license,
		Frequency:            rec.Frequency,
		Featured:             rec.Featured,
		HarvestJson:          harvest,
		CreatedAtInternal:    timestamppb.New(rec.CreatedAt),
		LastModifiedInternal: timestamppb.New(rec.LastModified),
	}
	if ds.Frequency == "" {
		ds.Frequency = "unknown"
	}
	if rec.Acronym != "" {
		ds.Acronym = &rec.Acronym
	}
	if rec.DescriptionShort != "" {
		ds.DescriptionShort = &rec.DescriptionShort
	}
	if rec.TemporalStart != "" || rec.TemporalEnd != "" {
		ds.TemporalCoverage = &catalogv1.TemporalCoverage{Start: dateOnly(rec.TemporalStart), End: dateOnly(rec.TemporalEnd)}
	}
	if rec.Granularity != "" {
		ds.Spatial = &catalogv1.Spatial{Granularity: rec.Granularity}
	}
	if !rec.Archived.IsZero() {
		ds.Archived = timestamppb.New(rec.Archived)
	}
	if rec.OrganizationID != "" {
		ds.Organization = &catalogv1.OrganizationRef{Id: rec.OrganizationID, Name: rec.Organization}
	}
	return ds, nil
}

func dateOnly(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}
