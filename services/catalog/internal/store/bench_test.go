package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

const benchDatasets = 5000

// benchStore fills a store with benchDatasets datasets over 50
// organizations and 100 tags.
func benchStore(b *testing.B, d sqldb.Driver) (*store.Store, []*catalogv1.Dataset, []string) {
	b.Helper()
	s := newStore(b, sqldbtest.Open(b, d))
	orgs := make([]string, 50)
	for i := range orgs {
		orgs[i] = domain.NewObjectID(base)
	}
	ds := make([]*catalogv1.Dataset, benchDatasets)
	for i := range ds {
		ds[i] = dataset(i, orgs[i%len(orgs)], fmt.Sprintf("tag-%d", i%100), "donnees-ouvertes")
		ds[i].Description = fmt.Sprintf("%0800d", i) // realistic document size
	}
	for i := 0; i < len(ds); i += 1000 {
		insert(b, s, ds[i:min(i+1000, len(ds))]...)
	}
	return s, ds, orgs
}

func forDrivers(b *testing.B, fn func(b *testing.B, d sqldb.Driver)) {
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) { fn(b, d) })
	}
}

func BenchmarkGetDataset(b *testing.B) {
	forDrivers(b, func(b *testing.B, d sqldb.Driver) {
		s, ds, _ := benchStore(b, d)
		ctx := context.Background()
		b.Run("by_slug", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := s.GetDataset(ctx, ds[i%len(ds)].GetSlug()); err != nil {
						b.Fatal(err)
					}
					i += 7
				}
			})
		})
		b.Run("by_id", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := s.GetDataset(ctx, ds[i%len(ds)].GetId()); err != nil {
						b.Fatal(err)
					}
					i += 7
				}
			})
		})
	})
}

func BenchmarkListDatasets(b *testing.B) {
	forDrivers(b, func(b *testing.B, d sqldb.Driver) {
		s, _, orgs := benchStore(b, d)
		ctx := context.Background()
		newest := store.DatasetSort{Field: "created", Desc: true}
		for _, tc := range []struct {
			name string
			f    func(i int) store.DatasetFilter
		}{
			{"all", func(int) store.DatasetFilter { return store.DatasetFilter{} }},
			{"organization", func(i int) store.DatasetFilter { return store.DatasetFilter{OrganizationID: orgs[i%len(orgs)]} }},
			{"tag", func(i int) store.DatasetFilter {
				return store.DatasetFilter{Tags: []string{fmt.Sprintf("tag-%d", i%100)}}
			}},
			{"common_tag", func(int) store.DatasetFilter { return store.DatasetFilter{Tags: []string{"donnees-ouvertes"}} }},
		} {
			b.Run(tc.name, func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						f := tc.f(i)
						page, err := s.ListDatasets(ctx, f, newest, 20, (i%2)*20)
						if err != nil || len(page) == 0 {
							b.Fatal(err, len(page))
						}
						if _, err := s.CountDatasetsCached(ctx, f); err != nil {
							b.Fatal(err)
						}
						i++
					}
				})
			})
		}
	})
}

// BenchmarkDatasetMetrics is what the audience figures add to reading a
// dataset: the figures of the dataset and of its resources, read from
// object_metrics (present.go does both for every dataset it presents).
func BenchmarkDatasetMetrics(b *testing.B) {
	forDrivers(b, func(b *testing.B, d sqldb.Driver) {
		s, ds, _ := benchStore(b, d)
		ctx := context.Background()
		objects := make([]store.ObjectMetrics, 0, len(ds))
		for _, x := range ds {
			objects = append(objects, store.ObjectMetrics{ObjectType: "dataset", ObjectID: x.GetId(), Metrics: map[string]int64{"views": 10, "resources_downloads": 3}})
		}
		err := s.InTx(ctx, func(q store.Q) error { _, _, err := q.SetMetrics(ctx, objects, nil); return err })
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		i := 0
		for b.Loop() {
			id := ds[i%len(ds)].GetId()
			if _, err := s.Metrics(ctx, "dataset", []string{id}); err != nil {
				b.Fatal(err)
			}
			if _, err := s.Metrics(ctx, "resource", []string{id + "-r1", id + "-r2", id + "-r3"}); err != nil {
				b.Fatal(err)
			}
			i += 7
		}
	})
}
