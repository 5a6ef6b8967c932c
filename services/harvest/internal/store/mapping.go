package store

import "context"

// Mapping ties a remote dataset to its local one.
type Mapping struct {
	RemoteID     string
	DatasetID    string
	Fingerprint  string // of what was last applied
	SnapshotJSON string // what was last applied, for the next diff
	Archived     bool   // archived because the source dropped it
}

// Mappings reads the mapping of a source, by remote id.
func (s *Store) Mappings(ctx context.Context, sourceID string) (map[string]Mapping, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT remote_id, dataset_id, fingerprint, snapshot_json, archived
		FROM harvest_mappings WHERE source_id = ?`, sourceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Mapping{}
	for rows.Next() {
		var m Mapping
		var archived int64
		if err := rows.Scan(&m.RemoteID, &m.DatasetID, &m.Fingerprint, &m.SnapshotJSON, &archived); err != nil {
			return nil, err
		}
		m.Archived = archived != 0
		out[m.RemoteID] = m
	}
	return out, rows.Err()
}
