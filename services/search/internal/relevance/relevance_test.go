package relevance_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/services/search/internal/corpus"
	"github.com/relais-data/relais/services/search/internal/docs"
	"github.com/relais-data/relais/services/search/internal/relevance"
)

// targetMRR is issue 4's relevance target for the embedded backend.
const targetMRR = 0.8

// TestEmbeddedRelevance indexes the 24 189 real datasets in the embedded
// backend and fails when the test set's MRR falls below the target.
func TestEmbeddedRelevance(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the real catalogue")
	}
	set, err := relevance.Load(relevance.TestSetPath())
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(set), 60)
	datasets, err := corpus.Load(corpus.SamplePath())
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("catalogue sample %s absent", corpus.SamplePath())
	}
	require.NoError(t, err)
	idx, err := searchindex.OpenEmbedded(filepath.Join(t.TempDir(), "index"), docs.DatasetSchema())
	require.NoError(t, err)
	defer idx.Close()
	n, err := corpus.Index(t.Context(), idx, datasets, 1000)
	require.NoError(t, err)
	t.Logf("indexed %d searchable datasets of %d", n, len(datasets))

	rep, err := relevance.Run(t.Context(), idx, set)
	require.NoError(t, err)
	t.Logf("MRR %.3f, nDCG@10 %.3f over %d queries; by kind %v", rep.MRR, rep.NDCG, len(rep.Outcomes), rep.ByKind())
	for _, o := range rep.Misses() {
		t.Logf("miss: %q (%s): first relevant at %d, top %v", o.Query.Text, o.Query.Kind, o.Rank, o.Top)
	}
	assert.GreaterOrEqual(t, rep.MRR, targetMRR)
}

func TestLoadRejects(t *testing.T) {
	for name, body := range map[string]string{
		"no relevant":  "- query: x\n  kind: word\n",
		"bad grade":    "- query: x\n  relevant:\n    - {id: a, grade: 4}\n",
		"only related": "- query: x\n  relevant:\n    - {id: a, grade: 1}\n",
		"not yaml":     "{{",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := relevance.Load(writeSet(t, body))
			assert.Error(t, err)
		})
	}
}

func writeSet(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "set.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}
