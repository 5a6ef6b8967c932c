package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog/internal/domain"
	"github.com/relais-data/relais/services/catalog/internal/store"
)

func newStore(t testing.TB, db *sqldb.DB) *store.Store {
	t.Helper()
	require.NoError(t, store.Migrate(context.Background(), db))
	require.NoError(t, store.Migrate(context.Background(), db)) // idempotent
	return store.New(db)
}

var base = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// dataset builds a stored-form dataset created i minutes after base.
func dataset(i int, orgID string, tags ...string) *catalogv1.Dataset {
	created := base.Add(time.Duration(i) * time.Minute)
	d := &catalogv1.Dataset{
		Id:                   domain.NewObjectID(created),
		Slug:                 fmt.Sprintf("jeu-de-donnees-%d", i),
		Title:                fmt.Sprintf("Jeu de données %d", i),
		Description:          "Une description",
		Tags:                 tags,
		License:              "lov2",
		Frequency:            "unknown",
		CreatedAtInternal:    timestamppb.New(created),
		LastModifiedInternal: timestamppb.New(created),
		LastUpdate:           timestamppb.New(created),
		Resources: []*catalogv1.Resource{{
			Id: domain.NewUUID4(), Title: "fichier", Format: "csv", Url: "https://example.org/f.csv", Filetype: "remote", Type: "main",
		}},
	}
	if orgID != "" {
		d.Organization = &catalogv1.OrganizationRef{Id: orgID}
	}
	return d
}

func insert(t testing.TB, s *store.Store, ds ...*catalogv1.Dataset) {
	t.Helper()
	require.NoError(t, s.InTx(context.Background(), func(q store.Q) error {
		for _, d := range ds {
			if err := q.InsertDataset(context.Background(), store.DatasetRecord{Dataset: d, SearchText: domain.FoldText(d.GetTitle() + " " + d.GetDescription())}); err != nil {
				return err
			}
		}
		return nil
	}))
}

func TestDatasets(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		org := domain.NewObjectID(base)
		d1 := dataset(1, org, "transport", "bus")
		d2 := dataset(2, org, "transport")
		d3 := dataset(3, "", "eau")
		d3.Owner = &catalogv1.UserRef{Id: "u1"}
		d3.Resources[0].Format = "json"
		insert(t, s, d1, d2, d3)

		got, err := s.GetDataset(ctx, d1.GetId())
		require.NoError(t, err)
		require.Equal(t, d1.GetTitle(), got.GetTitle())
		got, err = s.GetDataset(ctx, d2.GetSlug())
		require.NoError(t, err)
		require.Equal(t, d2.GetId(), got.GetId())
		_, err = s.GetDataset(ctx, "nope")
		require.ErrorIs(t, err, domain.ErrNotFound)

		dup := dataset(9, "")
		dup.Slug = d1.GetSlug()
		err = s.InTx(ctx, func(q store.Q) error { return q.InsertDataset(ctx, store.DatasetRecord{Dataset: dup}) })
		require.ErrorIs(t, err, domain.ErrAlreadyExists)

		dsID, err := s.DatasetIDForResource(ctx, d3.GetResources()[0].GetId())
		require.NoError(t, err)
		require.Equal(t, d3.GetId(), dsID)

		list := func(f store.DatasetFilter, sort store.DatasetSort) []string {
			ds, err := s.ListDatasets(ctx, f, sort, 20, 0)
			require.NoError(t, err)
			n, err := s.CountDatasets(ctx, f)
			require.NoError(t, err)
			require.EqualValues(t, len(ds), n)
			ids := make([]string, 0, len(ds))
			for _, d := range ds {
				ids = append(ids, d.GetId())
			}
			return ids
		}
		newest := store.DatasetSort{Field: "created", Desc: true}
		require.Equal(t, []string{d3.Id, d2.Id, d1.Id}, list(store.DatasetFilter{}, newest))
		require.Equal(t, []string{d1.Id, d2.Id, d3.Id}, list(store.DatasetFilter{}, store.DatasetSort{Field: "created"}))
		require.Equal(t, []string{d2.Id, d1.Id}, list(store.DatasetFilter{OrganizationID: org}, newest))
		require.Equal(t, []string{d2.Id, d1.Id}, list(store.DatasetFilter{Tags: []string{"transport"}}, newest))
		require.Equal(t, []string{d1.Id}, list(store.DatasetFilter{Tags: []string{"transport", "bus"}}, newest))
		require.Equal(t, []string{d3.Id}, list(store.DatasetFilter{Format: "json"}, newest))
		require.Equal(t, []string{d2.Id, d1.Id}, list(store.DatasetFilter{Format: "csv", Tags: []string{"transport"}}, newest))
		require.Equal(t, []string{d3.Id}, list(store.DatasetFilter{OwnerID: "u1"}, newest))
		require.Equal(t, []string{d2.Id}, list(store.DatasetFilter{Words: []string{"donnees", "2"}}, newest))
		require.Empty(t, list(store.DatasetFilter{License: "cc-by"}, newest))
		yes := true
		require.Empty(t, list(store.DatasetFilter{Featured: &yes}, newest))
		require.Equal(t, []string{d1.Id, d2.Id, d3.Id}, list(store.DatasetFilter{}, store.DatasetSort{Field: "title"}))

		// Privacy, deletion and tag changes go through UpdateDataset.
		n, err := s.CountDatasetsCached(ctx, store.DatasetFilter{})
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
		d2.Private = true
		d1.Deleted = timestamppb.New(base)
		d1.Tags = []string{"velo"}
		require.NoError(t, s.InTx(ctx, func(q store.Q) error {
			if err := q.UpdateDataset(ctx, store.DatasetRecord{Dataset: d1}); err != nil {
				return err
			}
			return q.UpdateDataset(ctx, store.DatasetRecord{Dataset: d2})
		}))
		n, err = s.CountDatasetsCached(ctx, store.DatasetFilter{})
		require.NoError(t, err)
		require.EqualValues(t, 1, n, "a write invalidates cached counts")
		require.Equal(t, []string{d3.Id}, list(store.DatasetFilter{}, newest))
		require.Empty(t, list(store.DatasetFilter{Tags: []string{"transport"}}, newest))
		require.Equal(t, []string{d2.Id}, list(store.DatasetFilter{Tags: []string{"transport"}, PrivateOrgIDs: []string{org}}, newest))
		require.Equal(t, []string{d3.Id, d2.Id}, list(store.DatasetFilter{PrivateOrgIDs: []string{org}}, newest))
		require.Empty(t, list(store.DatasetFilter{Tags: []string{"velo"}}, newest), "deleted datasets are never listed")
		got, err = s.GetDataset(ctx, d1.GetId())
		require.NoError(t, err)
		require.NotNil(t, got.Deleted)

		counts, err := s.CountDatasetsByOrganization(ctx, []string{org})
		require.NoError(t, err)
		require.Zero(t, counts[org])
	})
}

func TestSlugHistory(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		require.NoError(t, s.InTx(ctx, func(q store.Q) error {
			if err := q.RecordSlugChange(ctx, store.KindDataset, "ancien", "nouveau", "id1"); err != nil {
				return err
			}
			return q.RecordSlugChange(ctx, store.KindDataset, "nouveau", "ancien", "id1")
		}))
		id, err := s.ResolveOldSlug(ctx, store.KindDataset, "nouveau")
		require.NoError(t, err)
		require.Equal(t, "id1", id)
		id, err = s.ResolveOldSlug(ctx, store.KindDataset, "ancien")
		require.NoError(t, err)
		require.Empty(t, id, "a slug in use again is no redirect")
		taken, err := s.SlugTaken(ctx, store.KindDataset, "x", "")
		require.NoError(t, err)
		require.False(t, taken)
	})
}

func TestOrganizationsMembersUsersTokens(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		u := store.User{ID: domain.NewObjectID(base), Slug: "ana-dupont", Email: "Ana@Example.org", FirstName: "Ana", LastName: "Dupont", Active: true, CreatedAt: base}
		siret := "21750001600019"
		o := &catalogv1.Organization{Id: domain.NewObjectID(base), Slug: "ville-de-paris", Name: "Ville de Paris", Description: "La ville",
			BusinessNumberId: &siret, Badges: []*catalogv1.Badge{{Kind: "local-authority"}},
			CreatedAt: timestamppb.New(base), LastModified: timestamppb.New(base)}
		tok := store.Token{ID: domain.NewObjectID(base), UserID: u.ID, Hash: "h1", Prefix: "udata_abcd", Scopes: []string{"admin"}, Kind: "api_key", CreatedAt: base}
		require.NoError(t, s.InTx(ctx, func(q store.Q) error {
			if err := q.InsertUser(ctx, u); err != nil {
				return err
			}
			if err := q.InsertOrganization(ctx, o); err != nil {
				return err
			}
			if err := q.PutMember(ctx, store.Member{OrganizationID: o.Id, UserID: u.ID, Role: "admin", Since: base}); err != nil {
				return err
			}
			return q.InsertToken(ctx, tok)
		}))
		err := s.InTx(ctx, func(q store.Q) error {
			return q.InsertUser(ctx, store.User{ID: "x", Slug: "y", Email: "ana@example.org", CreatedAt: base})
		})
		require.ErrorIs(t, err, domain.ErrAlreadyExists)
		err = s.InTx(ctx, func(q store.Q) error {
			return q.PutMember(ctx, store.Member{OrganizationID: o.Id, UserID: u.ID, Role: "editor", Since: base})
		})
		require.ErrorIs(t, err, domain.ErrAlreadyExists)

		byEmail, err := s.GetUser(ctx, "ana@example.org")
		require.NoError(t, err)
		require.Equal(t, u.ID, byEmail.ID)
		require.True(t, byEmail.Active)
		require.Equal(t, base, byEmail.CreatedAt)
		n, err := s.CountUsers(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)

		got, err := s.GetOrganization(ctx, "ville-de-paris")
		require.NoError(t, err)
		require.Equal(t, o.Id, got.Id)
		orgs, total, err := s.ListOrganizations(ctx, store.OrganizationFilter{Words: []string{"paris"}}, "created_at", true, 20, 0)
		require.NoError(t, err)
		require.EqualValues(t, 1, total)
		require.Len(t, orgs, 1)
		_, total, err = s.ListOrganizations(ctx, store.OrganizationFilter{Badge: "local-authority", BusinessNumberID: siret, Name: "VILLE DE PARIS"}, "", false, 20, 0)
		require.NoError(t, err)
		require.EqualValues(t, 1, total)
		_, total, err = s.ListOrganizations(ctx, store.OrganizationFilter{Badge: "public-service"}, "", false, 20, 0)
		require.NoError(t, err)
		require.Zero(t, total)

		ms, err := s.Memberships(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, []store.Member{{OrganizationID: o.Id, UserID: u.ID, Role: "admin", Since: base}}, ms)
		require.NoError(t, s.InTx(ctx, func(q store.Q) error { return q.UpdateMemberRole(ctx, o.Id, u.ID, "editor") }))
		m, err := s.GetMember(ctx, o.Id, u.ID)
		require.NoError(t, err)
		require.Equal(t, "editor", m.Role)

		gotTok, err := s.TokenByHash(ctx, "h1")
		require.NoError(t, err)
		require.Equal(t, tok.ID, gotTok.ID)
		require.Equal(t, []string{"admin"}, gotTok.Scopes)
		require.True(t, gotTok.RevokedAt.IsZero())
		require.NoError(t, s.TouchToken(ctx, tok.ID, base.Add(time.Hour)))
		require.NoError(t, s.InTx(ctx, func(q store.Q) error { return q.RevokeToken(ctx, tok.ID, base.Add(2*time.Hour)) }))
		err = s.InTx(ctx, func(q store.Q) error { return q.RevokeToken(ctx, tok.ID, base.Add(3*time.Hour)) })
		require.ErrorIs(t, err, domain.ErrFailedPrecondition)
		ts, err := s.TokensOfUser(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, ts, 1)
		require.Equal(t, base.Add(time.Hour), ts[0].LastUsedAt)
		require.Equal(t, base.Add(2*time.Hour), ts[0].RevokedAt)

		require.NoError(t, s.InTx(ctx, func(q store.Q) error { return q.RemoveMember(ctx, o.Id, u.ID) }))
		ms, err = s.Memberships(ctx, u.ID)
		require.NoError(t, err)
		require.Empty(t, ms)
	})
}

func TestDatasetFilters(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		org := domain.NewObjectID(base)
		str := func(v string) *string { return &v }
		d1 := dataset(1, org)
		d1.Spatial = &catalogv1.Spatial{Zones: []string{"fr:commune:75056", "country:fr"}, Granularity: "fr:commune"}
		d1.Badges = []*catalogv1.Badge{{Kind: "hvd"}}
		d1.TemporalCoverage = &catalogv1.TemporalCoverage{Start: "2020-03-01", End: "2021-01-01"}
		d1.Resources[0].Schema = &catalogv1.Schema{Name: str("etalab/irve"), Version: str("2.3.0")}
		d2 := dataset(2, org)
		d2.Spatial = &catalogv1.Spatial{Zones: []string{"country:fr"}, Granularity: "country"}
		d2.TemporalCoverage = &catalogv1.TemporalCoverage{Start: "2019-01-01", End: "2019-12-31"}
		d2.Resources[0].Schema = &catalogv1.Schema{Name: str("etalab/irve"), Version: str("2.2.0")}
		d3 := dataset(3, "")
		d3.Owner = &catalogv1.UserRef{Id: "u1"}
		d3.Private = true
		d4 := dataset(4, "")
		d4.Owner = &catalogv1.UserRef{Id: "u2"}
		d4.Archived = timestamppb.New(base)
		d5 := dataset(5, org)
		d5.Deleted = timestamppb.New(base)
		insert(t, s, d1, d2, d3, d4, d5)

		list := func(f store.DatasetFilter) []string {
			ds, err := s.ListDatasets(ctx, f, store.DatasetSort{Field: "created"}, 20, 0)
			require.NoError(t, err)
			n, err := s.CountDatasetsCached(ctx, f)
			require.NoError(t, err)
			require.EqualValues(t, len(ds), n)
			ids := []string{}
			for _, d := range ds {
				ids = append(ids, d.GetId())
			}
			return ids
		}
		require.Equal(t, []string{d1.Id}, list(store.DatasetFilter{Granularity: "fr:commune"}))
		require.Equal(t, []string{d1.Id, d2.Id}, list(store.DatasetFilter{Zone: "country:fr"}))
		require.Equal(t, []string{d1.Id}, list(store.DatasetFilter{Zone: "fr:commune:75056"}))
		require.Empty(t, list(store.DatasetFilter{Zone: "fr:commune"}))
		require.Equal(t, []string{d1.Id}, list(store.DatasetFilter{Badge: "hvd"}))
		require.Empty(t, list(store.DatasetFilter{Badge: "spd"}))
		require.Equal(t, []string{d1.Id, d2.Id}, list(store.DatasetFilter{Schema: "etalab/irve"}))
		require.Equal(t, []string{d2.Id}, list(store.DatasetFilter{Schema: "etalab/irve", SchemaVersion: "2.2.0"}))
		require.Equal(t, []string{d1.Id}, list(store.DatasetFilter{SchemaVersion: "2.3.0"}))
		require.Equal(t, []string{d1.Id}, list(store.DatasetFilter{TemporalFrom: "2020-01-01", TemporalTo: "2020-12-31"}))
		require.Equal(t, []string{d1.Id, d2.Id}, list(store.DatasetFilter{TemporalFrom: "2019-01-01", TemporalTo: "2020-03-01"}))
		require.Empty(t, list(store.DatasetFilter{TemporalFrom: "2021-01-01", TemporalTo: "2022-01-01"}))
		require.Equal(t, []string{d1.Id}, list(store.DatasetFilter{Tags: nil, Format: "csv", Badge: "hvd"}))

		yes, no := true, false
		// Sysadmin (AllPrivate + AnyState): every dataset, narrowed.
		all := store.DatasetFilter{AllPrivate: true, AnyState: true}
		require.Equal(t, []string{d1.Id, d2.Id, d3.Id, d4.Id, d5.Id}, list(all))
		f := all
		f.Archived = &yes
		require.Equal(t, []string{d4.Id}, list(f))
		f = all
		f.Deleted = &yes
		require.Equal(t, []string{d5.Id}, list(f))
		f = all
		f.Private = &yes
		require.Equal(t, []string{d3.Id}, list(f))
		f = all
		f.Deleted, f.Archived, f.Private = &no, &no, &no
		require.Equal(t, []string{d1.Id, d2.Id}, list(f))
		// A member of org: public ones plus org's, whatever their state.
		member := store.DatasetFilter{PrivateOrgIDs: []string{org}, PrivateOwnerID: "u9", AnyState: true}
		f = member
		f.Deleted = &yes
		require.Equal(t, []string{d5.Id}, list(f))
		f = member
		f.Archived = &yes
		require.Empty(t, list(f), "another user's archived dataset")
		f = member
		f.Private = &yes
		require.Empty(t, list(f), "another user's private dataset")
		// Its owner sees it.
		owner := store.DatasetFilter{PrivateOwnerID: "u1", AnyState: true, Private: &yes}
		require.Equal(t, []string{d3.Id}, list(owner))

		// Updates rewrite the filter rows.
		d1.Badges = nil
		d1.Spatial = nil
		d1.TemporalCoverage = nil
		d1.Resources[0].Schema = nil
		require.NoError(t, s.InTx(ctx, func(q store.Q) error { return q.UpdateDataset(ctx, store.DatasetRecord{Dataset: d1}) }))
		require.Empty(t, list(store.DatasetFilter{Badge: "hvd"}))
		require.Empty(t, list(store.DatasetFilter{Granularity: "fr:commune"}))
		require.Equal(t, []string{d2.Id}, list(store.DatasetFilter{Zone: "country:fr"}))
		require.Equal(t, []string{d2.Id}, list(store.DatasetFilter{Schema: "etalab/irve"}))
		require.Empty(t, list(store.DatasetFilter{TemporalFrom: "2020-01-01", TemporalTo: "2020-12-31"}))
	})
}
