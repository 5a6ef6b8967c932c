package searchindex

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/stretchr/testify/require"
)

// panicOnce is a bleve index whose first Batch panics, standing in (a fake)
// for bleve's panic on a segment it closed under its own root.
type panicOnce struct {
	bleveIndex
	panicked bool
}

func (p *panicOnce) Batch(b *bleve.Batch) error {
	if !p.panicked {
		p.panicked = true
		panic("assignment to entry in nil map")
	}
	return p.bleveIndex.Batch(b)
}

// A batch on which bleve panics reopens the index from disk and applies
// the batch again: the documents are there, the index keeps working.
func TestEmbeddedReopensAfterBlevePanic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() + "/index"
	schema := Schema{Searchable: []Field{{Name: "title"}}}
	idx, err := OpenEmbedded(dir, schema)
	require.NoError(t, err)
	t.Cleanup(func() { _ = idx.Close() })
	live := idx.(*embedded).index.(*liveIndex)
	live.bleveIndex = &panicOnce{bleveIndex: live.bleveIndex}

	require.NoError(t, idx.Upsert(ctx, Document{ID: "a", Fields: map[string]any{"title": "Budget primitif"}}))
	require.NoError(t, idx.Upsert(ctx, Document{ID: "b", Fields: map[string]any{"title": "Budget annexe"}}))
	res, err := idx.Search(ctx, Query{Text: "budget"})
	require.NoError(t, err)
	require.Equal(t, 2, res.Total)
}

// An index found closed though Close was not called (bleve left it so
// after a panic) is reopened by the next batch and the next search; after
// Close, it stays closed.
func TestEmbeddedReopensIndexLeftClosed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() + "/index"
	idx, err := OpenEmbedded(dir, Schema{Searchable: []Field{{Name: "title"}}})
	require.NoError(t, err)
	require.NoError(t, idx.Upsert(ctx, Document{ID: "a", Fields: map[string]any{"title": "Budget primitif"}}))
	live := idx.(*embedded).index.(*liveIndex)

	require.NoError(t, live.bleveIndex.Close())
	res, err := idx.Search(ctx, Query{Text: "budget"})
	require.NoError(t, err)
	require.Equal(t, 1, res.Total)

	require.NoError(t, live.bleveIndex.Close())
	require.NoError(t, idx.Upsert(ctx, Document{ID: "b", Fields: map[string]any{"title": "Budget annexe"}}))
	res, err = idx.Search(ctx, Query{Text: "budget"})
	require.NoError(t, err)
	require.Equal(t, 2, res.Total)

	require.NoError(t, idx.Close())
	require.ErrorIs(t, idx.Upsert(ctx, Document{ID: "c", Fields: map[string]any{"title": "Budget"}}), bleve.ErrorIndexClosed)
}
