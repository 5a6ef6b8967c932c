package api

import (
	"net/http"
	"time"

	"github.com/relais-data/relais/pkg/scdl"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// orgSCDLCatalogue is GET /api/1/organizations/{org}/catalogue.csv: the
// organization's public datasets as the SCDL catalogue (scdl/catalogue),
// streamed from the catalog a chunk at a time. Datasets without resources
// have no row (the schema requires one); the CSV validates when the
// organization has its SIRET (business_number_id).
func (s *Server) orgSCDLCatalogue(w http.ResponseWriter, r *http.Request) {
	resp, err := s.catalog.GetOrganization(r.Context(), &catalogv1.GetOrganizationRequest{Organization: r.PathValue("org")})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	o := resp.GetOrganization()
	req := &catalogv1.ListDatasetsRequest{Organization: o.GetId(), PageSize: catalogChunk, Page: 1, Sort: "created"}
	list, err := s.catalog.ListDatasets(r.Context(), req)
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="catalogue-`+o.GetSlug()+`.csv"`)
	out, err := scdl.NewCatalogueWriter(w)
	if err != nil {
		return
	}
	base := s.render.BaseURL()
	for {
		for _, d := range list.GetDatasets() {
			if _, err := out.Write(scdlDataset(base, o, d)); err != nil {
				return
			}
		}
		if len(list.GetDatasets()) < catalogChunk {
			break
		}
		req.Page++
		if list, err = s.catalog.ListDatasets(r.Context(), req); err != nil {
			s.log.WarnContext(r.Context(), "SCDL catalogue cut short", "err", err)
			break
		}
	}
	_ = out.Flush()
}

func scdlDataset(base string, o *catalogv1.Organization, d *catalogv1.Dataset) scdl.Dataset {
	out := scdl.Dataset{
		OrgName: o.GetName(), OrgSIRET: o.GetBusinessNumberId(), ID: d.GetId(), Title: d.GetTitle(), Desc: d.GetDescription(),
		Tags: d.GetTags(), Granularity: d.GetSpatial().GetGranularity(), Published: d.GetCreatedAtInternal().AsTime(),
		Updated: d.GetLastUpdate().AsTime(), Frequency: d.GetFrequency(), License: d.GetLicense(),
		Resources: len(d.GetResources()), URL: base + "/datasets/" + d.GetSlug() + "/",
	}
	if tc := d.GetTemporalCoverage(); tc != nil {
		out.TemporalStart, out.TemporalEnd = parseDay(tc.GetStart()), parseDay(tc.GetEnd())
	}
	for _, r := range d.GetResources() {
		out.Formats = append(out.Formats, r.GetFormat())
	}
	return out
}

// parseDay reads a YYYY-MM-DD date (the zero time when it is not one).
func parseDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}
