package grpcapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
)

// importSize is the size of the demo catalogue (the data.gouv.fr sample).
const importSize = 24_189

// BenchmarkImport imports importSize synthetic datasets (the sample's
// shape: ~600-character descriptions, 3 tags, 2 resources, 300
// organizations) in messages of 1 000, through the gRPC Import stream.
// Run with -benchtime=1x; it reports datasets/s.
func BenchmarkImport(b *testing.B) {
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := sqldbtest.Open(b, d)
				e := startEnv(&testing.T{}, db)
				ctx := context.Background()
				boot, err := e.client.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
				if err != nil {
					b.Fatal(err)
				}
				reqs := importRequests()
				b.StartTimer()
				start := time.Now()
				stream, err := e.client.Import(as(ctx, boot.GetApiToken()))
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range reqs {
					if err := stream.Send(r); err != nil {
						b.Fatal(err)
					}
				}
				res, err := stream.CloseAndRecv()
				if err != nil {
					b.Fatal(err)
				}
				if res.GetDatasetsCreated() != importSize {
					b.Fatalf("created %d datasets", res.GetDatasetsCreated())
				}
				b.ReportMetric(float64(importSize)/time.Since(start).Seconds(), "datasets/s")
			}
		})
	}
}

func importRequests() []*catalogv1.ImportRequest {
	created := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	orgs := make([]*catalogv1.Organization, 300)
	for i := range orgs {
		orgs[i] = &catalogv1.Organization{Id: domain.NewObjectID(created), Name: fmt.Sprintf("Commune %d", i), CreatedAt: timestamppb.New(created)}
	}
	reqs := []*catalogv1.ImportRequest{{Organizations: orgs}}
	var cur *catalogv1.ImportRequest
	for i := range importSize {
		if i%1000 == 0 {
			cur = &catalogv1.ImportRequest{}
			reqs = append(reqs, cur)
		}
		at := timestamppb.New(created.Add(time.Duration(i) * time.Minute))
		cur.Datasets = append(cur.Datasets, &catalogv1.Dataset{
			Id: domain.NewObjectID(at.AsTime()), Slug: fmt.Sprintf("jeu-de-donnees-%d", i), Title: fmt.Sprintf("Jeu de données numéro %d", i),
			Description: fmt.Sprintf("%d Les informations surfaciques, linéaires ou ponctuelles figurant sur les documents graphiques d'un document d'urbanisme PLU ou POS sont ajoutées soit pour des raisons règlementaires, soit à titre d'information : les informations qui sont à annexer aux documents d'urbanisme conformément aux articles R123-13 et R123-14 du code de l'urbanisme, les informations reportées sur les documents graphiques à titre d'information. Données ouvertes publiées par la collectivité.", i),
			License:     "Licence Ouverte / Open Licence version 2.0", Frequency: "annual",
			Tags:              []string{"donnees-ouvertes", fmt.Sprintf("theme-%d", i%200), "urbanisme"},
			Organization:      &catalogv1.OrganizationRef{Id: orgs[i%len(orgs)].GetId()},
			CreatedAtInternal: at, LastModifiedInternal: at,
			Resources: []*catalogv1.Resource{
				{Id: domain.NewUUID4(), Title: "données.csv", Url: "https://example.org/d.csv", Format: "csv", Filetype: "remote"},
				{Id: domain.NewUUID4(), Title: "carte.shp", Url: "https://example.org/d.zip", Format: "shp", Filetype: "remote"},
			},
		})
	}
	return reqs
}

// BenchmarkGRPC measures GetDataset and ListDatasets (page_size 20, with
// and without filters) through the real gRPC server over 5 000 imported
// datasets, from parallel clients — the gateway's hop.
func BenchmarkGRPC(b *testing.B) {
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			e := startEnv(&testing.T{}, sqldbtest.Open(b, d))
			ctx := context.Background()
			boot, err := e.client.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
			if err != nil {
				b.Fatal(err)
			}
			reqs := importRequests()[:6] // organizations + 5 000 datasets
			stream, err := e.client.Import(as(ctx, boot.GetApiToken()))
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range reqs {
				if err := stream.Send(r); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := stream.CloseAndRecv(); err != nil {
				b.Fatal(err)
			}
			var slugs []string
			for _, r := range reqs[1:] {
				for _, ds := range r.GetDatasets() {
					slugs = append(slugs, ds.GetSlug())
				}
			}
			org := reqs[0].GetOrganizations()[3].GetId()
			b.Run("get_by_slug", func(b *testing.B) {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						if _, err := e.client.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: slugs[i%len(slugs)]}); err != nil {
							b.Fatal(err)
						}
						i += 13
					}
				})
			})
			for name, req := range map[string]*catalogv1.ListDatasetsRequest{
				"list":              {PageSize: 20},
				"list_organization": {PageSize: 20, Organization: org},
				"list_tag":          {PageSize: 20, Tags: []string{"theme-7"}},
			} {
				b.Run(name, func(b *testing.B) {
					b.SetParallelism(16)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if _, err := e.client.ListDatasets(ctx, req); err != nil {
								b.Fatal(err)
							}
						}
					})
				})
			}
		})
	}
}
