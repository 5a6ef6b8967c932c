package domain

import (
	"time"
	"unicode/utf8"
)

// QualityDescriptionLength is udata's QUALITY_DESCRIPTION_LENGTH: a
// description longer than this counts as a good one.
const QualityDescriptionLength = 100

// qualityMaxScore is the number of criteria the score counts.
const qualityMaxScore = 9

// closedFormats are udata's CLOSED_FORMATS.
var closedFormats = map[string]bool{"pdf": true, "doc": true, "docx": true, "word": true, "xls": true, "excel": true, "xlsx": true}

// QualityResource is what quality needs to know of a resource.
type QualityResource struct {
	Format      string
	Type        string
	Filetype    string
	Description string
	// Available is extras["check:available"]: nil when unknown.
	Available *bool
}

// QualityInput is what quality needs to know of a dataset.
type QualityInput struct {
	LicenseSet       bool // a licence other than notspecified
	TemporalCoverage bool
	Spatial          bool
	Frequency        string
	Description      string
	LastUpdate       time.Time
	Resources        []QualityResource
}

// Quality is udata's dataset quality. Pointer fields are nil when udata
// leaves the key out.
type Quality struct {
	License                   bool
	TemporalCoverage          bool
	Spatial                   bool
	UpdateFrequency           bool
	DatasetDescriptionQuality bool
	HasResources              *bool
	HasOpenFormat             *bool
	AllResourcesAvailable     *bool
	ResourcesDocumentation    *bool
	UpdateFulfilledInTime     *bool
	Score                     float64
}

// ComputeQuality computes quality as udata's Dataset.quality does, at now.
func ComputeQuality(in QualityInput, now time.Time) Quality {
	q := Quality{
		License:                   in.LicenseSet,
		TemporalCoverage:          in.TemporalCoverage,
		Spatial:                   in.Spatial,
		UpdateFrequency:           in.Frequency != "" && in.Frequency != DefaultFrequency,
		DatasetDescriptionQuality: utf8.RuneCountInString(in.Description) > QualityDescriptionLength,
	}
	if f, ok := FrequencyByID(in.Frequency); ok && f.Delta > 0 && !in.LastUpdate.IsZero() {
		next := in.LastUpdate.Add(f.Delta)
		// Python's timedelta.days floors: one day late is still in time.
		q.UpdateFulfilledInTime = ptr(floorDays(next.Sub(now)) >= -1)
	} else if in.Frequency == "continuous" || in.Frequency == "irregular" || in.Frequency == "punctual" {
		q.UpdateFulfilledInTime = ptr(true)
	}
	if len(in.Resources) > 0 {
		open, available, doc := false, true, false
		for _, r := range in.Resources {
			if r.Format != "" && !closedFormats[r.Format] {
				open = true
			}
			if r.Filetype == FiletypeRemote && r.Available != nil && !*r.Available {
				available = false
			}
			if r.Type == "documentation" || r.Description != "" {
				doc = true
			}
		}
		q.HasResources = ptr(true)
		q.HasOpenFormat = ptr(open)
		q.AllResourcesAvailable = ptr(available)
		q.ResourcesDocumentation = ptr(doc)
	}
	score := 0
	for _, ok := range []bool{q.License, q.TemporalCoverage, q.Spatial, q.UpdateFrequency, q.DatasetDescriptionQuality} {
		if ok {
			score++
		}
	}
	for _, p := range []*bool{q.UpdateFulfilledInTime, q.HasOpenFormat, q.AllResourcesAvailable, q.ResourcesDocumentation} {
		if p != nil && *p {
			score++
		}
	}
	q.Score = float64(score) / qualityMaxScore
	return q
}

func floorDays(d time.Duration) int64 {
	days := int64(d / day)
	if d < 0 && d%day != 0 {
		days--
	}
	return days
}

func ptr[T any](v T) *T { return &v }
