package domain

import "time"

// ResourceLastModified is udata's Resource.last_modified: harvest.modified_at
// when set and not in the future; for a remote resource the
// "analysis:last-modified-at" extra when set; else last_modified_internal.
func ResourceLastModified(harvestModifiedAt time.Time, remote bool, analysisLastModifiedAt, lastModifiedInternal, now time.Time) time.Time {
	if !harvestModifiedAt.IsZero() && !harvestModifiedAt.After(now) {
		return harvestModifiedAt
	}
	if remote && !analysisLastModifiedAt.IsZero() {
		return analysisLastModifiedAt
	}
	return lastModifiedInternal
}

// DatasetLastUpdate is udata's last_update: harvest.modified_at when set,
// else the latest resource last_modified, else the dataset's last_modified.
func DatasetLastUpdate(harvestModifiedAt time.Time, resourcesLastModified []time.Time, lastModified time.Time) time.Time {
	if !harvestModifiedAt.IsZero() {
		return harvestModifiedAt
	}
	var latest time.Time
	for _, t := range resourcesLastModified {
		if t.After(latest) {
			latest = t
		}
	}
	if !latest.IsZero() {
		return latest
	}
	return lastModified
}
