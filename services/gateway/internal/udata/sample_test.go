package udata

import (
	"time"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func ts(s string) *timestamppb.Timestamp {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return timestamppb.New(t)
}

func sampleOrgRef() *catalogv1.OrganizationRef {
	return &catalogv1.OrganizationRef{
		Id:            "646b7187b50b2a93b1ae3d45",
		Slug:          "commune-de-saint-etienne",
		Name:          "Commune de Saint-Étienne",
		Logo:          proto.String("https://static.example.org/avatars/logo-original.png"),
		LogoThumbnail: proto.String("https://static.example.org/avatars/logo-100.png"),
		Badges:        []*catalogv1.Badge{{Kind: "local-authority"}, {Kind: "certified"}},
	}
}

func sampleResource(i int) *catalogv1.Resource {
	return &catalogv1.Resource{
		Id:                   []string{"f868cca6-8da1-4369-a78d-47463f19a9a3", "aaaaaaaa-1111-bbbb-2222-cccccccccccc"}[i%2],
		Title:                "Délibérations 2024 — export.csv",
		Description:          proto.String("Fichier au format <b>SCDL</b> & co"),
		Filetype:             "remote",
		Type:                 "main",
		Format:               "csv",
		Url:                  "https://data.example.org/deliberations.csv",
		Checksum:             &catalogv1.Checksum{Type: "sha1", Value: "ac6f302f0f3fe34604fc65c6e24259f6a1874cb7"},
		Filesize:             proto.Int64(176653507),
		Mime:                 "text/csv",
		Schema:               &catalogv1.Schema{Name: proto.String("scdl/deliberations"), Version: proto.String("2.1.3")},
		CreatedAtInternal:    ts("2019-06-26T19:30:07.916Z"),
		LastModifiedInternal: ts("2025-04-07T07:49:37.212Z"),
		ExtrasJson:           []byte(`{"check:status": 200, "check:available": true, "analysis:content-length": 176617140, "analysis:mime-type": "text/plain"}`),
	}
}

func sampleDataset() *catalogv1.Dataset {
	return &catalogv1.Dataset{
		Id:                   "5d13a8b6634f41070a43dff3",
		Slug:                 "deliberations-du-conseil-municipal",
		Title:                "Délibérations du conseil municipal 🏛",
		Acronym:              proto.String("DCM"),
		Description:          "Les délibérations <script>alert(1)</script> publiées au format SCDL.\n\nMise à jour hebdomadaire.",
		Tags:                 []string{"deliberations", "scdl"},
		License:              "lov2",
		Frequency:            "weekly",
		FrequencyDate:        ts("2019-07-03T23:17:38Z"),
		TemporalCoverage:     &catalogv1.TemporalCoverage{Start: "2020-01-01", End: "2024-12-31"},
		Spatial:              &catalogv1.Spatial{Zones: []string{"fr:commune:42218"}, Granularity: "fr:commune"},
		CreatedAtInternal:    ts("2019-06-26T19:17:42.238Z"),
		LastModifiedInternal: ts("2025-04-07T06:15:30.658Z"),
		LastUpdate:           ts("2025-04-07T08:15:30.581Z"),
		Organization:         sampleOrgRef(),
		Resources:            []*catalogv1.Resource{sampleResource(0), sampleResource(1)},
		Badges:               []*catalogv1.Badge{},
		ExtrasJson:           []byte(`{"recommendations:sources": ["edito"], "apigouvfr:apis": [{"title": "API", "score": 50}]}`),
		Quality: &catalogv1.Quality{
			License: true, UpdateFrequency: true, DatasetDescriptionQuality: false,
			HasResources: proto.Bool(true), HasOpenFormat: proto.Bool(true),
			AllResourcesAvailable: proto.Bool(true), ResourcesDocumentation: proto.Bool(false),
			UpdateFulfilledInTime: proto.Bool(true), Score: 2.0 / 3.0,
		},
		Permissions: &catalogv1.DatasetPermissions{},
		AccessType:  "open",
	}
}

func sampleOrganization() *catalogv1.Organization {
	return &catalogv1.Organization{
		Id:               "646b7187b50b2a93b1ae3d45",
		Slug:             "commune-de-saint-etienne",
		Name:             "Commune de Saint-Étienne",
		Acronym:          proto.String("CSE"),
		Description:      "La commune publie ses données.",
		Url:              proto.String("https://www.saint-etienne.fr/"),
		BusinessNumberId: proto.String("21420218600018"),
		Logo:             proto.String("https://static.example.org/avatars/logo-original.png"),
		LogoThumbnail:    proto.String("https://static.example.org/avatars/logo-100.png"),
		Badges:           []*catalogv1.Badge{{Kind: "local-authority"}},
		Members: []*catalogv1.Member{{
			User: &catalogv1.UserRef{Id: "5e6f426e634f417810ab794b", Slug: "jean-dupont", FirstName: "Jean", LastName: "Dupont",
				Avatar: proto.String("https://static.example.org/a.png"), AvatarThumbnail: proto.String("https://static.example.org/a-500.png")},
			Email:       proto.String("***@saint-etienne.fr"),
			LastLoginAt: ts("2025-08-06T13:46:55.423Z"),
			Role:        "editor",
			Since:       ts("2023-05-22T13:43:35.979Z"),
		}},
		ExtrasJson:   []byte(`{"siretisation:found_siret": "21420218600018"}`),
		CreatedAt:    ts("2023-05-22T13:43:35.978Z"),
		LastModified: ts("2025-08-18T23:13:51.421Z"),
		Metrics:      &catalogv1.OrganizationMetrics{Datasets: 37, Members: 1},
		Permissions:  &catalogv1.OrganizationPermissions{},
	}
}
