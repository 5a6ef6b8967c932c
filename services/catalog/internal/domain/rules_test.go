package domain

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIDs(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	id := NewObjectID(now)
	require.True(t, IsObjectID(id))
	require.Equal(t, "6553f100", id[:8])
	require.NotEqual(t, id, NewObjectID(now))
	require.False(t, IsObjectID("not-an-id"))
	u := NewUUID4()
	require.True(t, IsCanonicalUUID(u))
	require.Equal(t, byte('4'), u[14])
	require.True(t, IsUUID(u))
	require.True(t, IsUUID("{"+u+"}"))
	require.False(t, IsUUID("budget-2024"))
}

func TestFrequencies(t *testing.T) {
	require.Len(t, Frequencies(), 40)
	for legacy, want := range map[string]string{
		"realtime": "continuous", "fourTimesADay": "severalTimesADay", "fourTimesAWeek": "other",
		"fortnighly": "biweekly", "biannual": "semiannual", "": "unknown", "daily": "daily",
	} {
		got, ok := NormalizeFrequency(legacy)
		require.True(t, ok, legacy)
		require.Equal(t, want, got, legacy)
	}
	_, ok := NormalizeFrequency("sometimes")
	require.False(t, ok)
	f, _ := FrequencyByID("continuous")
	require.Equal(t, "Real time", f.Label)
}

func TestLicenses(t *testing.T) {
	l, ok := LicenseByID("notspecified")
	require.True(t, ok)
	require.Equal(t, "License Not Specified", l.Title)
	require.Equal(t, []string{"generic"}, l.Flags)
	for text, want := range map[string]string{
		"Licence Ouverte / Open Licence version 2.0": "lov2",
		"lov2":                             "lov2",
		"ODC-ODbL":                         "odc-odbl",
		"Open Database License (ODbL) 1.0": "odc-odbl",
		"Licence Ouverte v2.0":             "lov2",
		"https://www.etalab.gouv.fr/licence-ouverte-open-licence": "lov2",
		"Creative Commons Attribution":                            "cc-by",
	} {
		got, ok := GuessLicense(text)
		require.True(t, ok, text)
		require.Equal(t, want, got.ID, text)
	}
	var v Violations
	require.Equal(t, "notspecified", NormalizeLicense(&v, "license", ""))
	NormalizeLicense(&v, "license", "proprietary-whatever")
	requireViolation(t, v.Err(), "license", MsgUnknownLicense)
}

func TestValidation(t *testing.T) {
	var v Violations
	CheckText(&v, "title", "", true, MaxTitleLength)
	CheckText(&v, "description", strings.Repeat("é", MaxDescriptionLength), true, MaxDescriptionLength)
	CheckText(&v, "acronym", strings.Repeat("a", 129), false, MaxAcronymLength)
	err := v.Err()
	requireViolation(t, err, "title", MsgRequired)
	requireViolation(t, err, "acronym", "Field cannot be longer than 128 characters.")
	var ve *ValidationError
	require.True(t, errors.As(err, &ve))
	require.Len(t, ve.Violations, 2)

	var v2 Violations
	CheckText(&v2, "title", strings.Repeat("a", 351), true, MaxTitleLength)
	requireViolation(t, v2.Err(), "title", "Field cannot be longer than 350 characters.")

	var tags Violations
	got := NormalizeTags(&tags, "tags", []string{"Élections", "élections", "ab", "Transport Public"})
	require.Equal(t, []string{"elections", "transport-public"}, got)
	requireViolation(t, tags.Err(), "tags", `Tag "ab" must be between 3 and 96 characters long.`)

	for _, u := range []string{"https://example.org/a.csv", "ftp://ftp.example.org/x", "HTTP://EXAMPLE.ORG"} {
		require.True(t, IsWebURL(u), u)
	}
	for _, u := range []string{"", "/relative", "javascript:alert(1)", "file:///etc/passwd", "https://"} {
		require.False(t, IsWebURL(u), u)
	}
}

func TestSIRET(t *testing.T) {
	require.True(t, ValidSIRET("21750001600019")) // Ville de Paris
	require.True(t, ValidSIRET("35600000000001")) // La Poste: digit sum rule
	require.False(t, ValidSIRET("21750001600018"))
	var v Violations
	CheckSIRET(&v, "business_number_id", "2175000160001")
	CheckSIRET(&v, "business_number_id", "2175000160001X")
	CheckSIRET(&v, "business_number_id", "21750001600018")
	err := v.Err()
	requireViolation(t, err, "business_number_id", "A siret number is made of 14 digits")
	requireViolation(t, err, "business_number_id", "A siret number is only made of digits")
	requireViolation(t, err, "business_number_id", "Invalid Siret number")
}

func TestQuality(t *testing.T) {
	now := time.Date(2026, 1, 16, 12, 0, 0, 0, time.UTC)
	f := false
	q := ComputeQuality(QualityInput{
		LicenseSet: true, Frequency: "weekly", Description: strings.Repeat("x", 101),
		LastUpdate: now.Add(-24 * time.Hour),
		Resources: []QualityResource{
			{Format: "csv", Type: "main", Filetype: "file"},
			{Format: "pdf", Type: "main", Filetype: "remote", Available: &f},
		},
	}, now)
	require.True(t, q.License)
	require.True(t, q.UpdateFrequency)
	require.True(t, q.DatasetDescriptionQuality)
	require.True(t, *q.UpdateFulfilledInTime)
	require.True(t, *q.HasOpenFormat)
	require.False(t, *q.AllResourcesAvailable)
	require.False(t, *q.ResourcesDocumentation)
	require.InDelta(t, 5.0/9, q.Score, 1e-9) // license, frequency, description, in time, open format

	empty := ComputeQuality(QualityInput{Frequency: "unknown"}, now)
	require.Nil(t, empty.HasResources)
	require.Nil(t, empty.UpdateFulfilledInTime)
	require.Zero(t, empty.Score)

	late := ComputeQuality(QualityInput{Frequency: "daily", LastUpdate: now.Add(-72 * time.Hour)}, now)
	require.False(t, *late.UpdateFulfilledInTime)
	irregular := ComputeQuality(QualityInput{Frequency: "irregular"}, now)
	require.True(t, *irregular.UpdateFulfilledInTime)
}

func TestLastUpdate(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t1, t2 := t0.Add(time.Hour), t0.Add(2*time.Hour)
	require.Equal(t, t2, DatasetLastUpdate(time.Time{}, []time.Time{t1, t2}, t0))
	require.Equal(t, t0, DatasetLastUpdate(time.Time{}, nil, t0))
	require.Equal(t, t1, DatasetLastUpdate(t1, []time.Time{t2}, t0))
	require.Equal(t, t1, ResourceLastModified(time.Time{}, true, t1, t0, t2))
	require.Equal(t, t0, ResourceLastModified(time.Time{}, false, t1, t0, t2))
	require.Equal(t, t0, ResourceLastModified(t2.Add(time.Hour), false, time.Time{}, t0, t2)) // future harvest date ignored
}

func TestPermissions(t *testing.T) {
	anon := Caller{}
	admin := Caller{UserID: "u1", Roles: map[string]string{"o1": RoleAdmin}}
	editor := Caller{UserID: "u2", Roles: map[string]string{"o1": RoleEditor}}
	other := Caller{UserID: "u3", Roles: map[string]string{"o2": RoleEditor}}
	sys := Caller{UserID: "u4", Sysadmin: true}
	require.False(t, anon.CanEditDataset("o1", ""))
	require.True(t, admin.CanEditDataset("o1", ""))
	require.True(t, editor.CanEditDataset("o1", ""))
	require.False(t, other.CanEditDataset("o1", ""))
	require.True(t, sys.CanEditDataset("o1", ""))
	require.True(t, other.CanEditDataset("", "u3"))
	require.False(t, other.CanEditDataset("", "u1"))
	require.True(t, admin.CanManageMembers("o1"))
	require.False(t, editor.CanManageMembers("o1"))
	require.False(t, anon.CanSeeDataset(true, "o1", ""))
	require.True(t, anon.CanSeeDataset(false, "o1", ""))
}

func requireViolation(t *testing.T, err error, field, msg string) {
	t.Helper()
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
	for _, v := range ve.Violations {
		if v.Field == field && v.Message == msg {
			return
		}
	}
	t.Fatalf("no violation %s: %q in %v", field, msg, ve.Violations)
}
