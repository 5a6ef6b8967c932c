package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
)

// openFS opens an fs store in a fresh directory and returns it with that
// directory.
func openFS(t *testing.T) (blob.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := blob.Open(t.Context(), blob.Config{Dir: dir}) // fs is the default backend
	require.NoError(t, err)
	return s, dir
}

// files lists the files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	}))
	return out
}

// TestFSFailedPutsLeaveNothing: no temporary file survives a failed Put.
func TestFSFailedPutsLeaveNothing(t *testing.T) {
	s, dir := openFS(t)
	ctx := t.Context()
	_, err := s.Put(ctx, "a/b/short", strings.NewReader("abc"), 10, blob.PutOptions{})
	require.ErrorIs(t, err, blob.ErrSizeMismatch)
	_, err = s.Put(ctx, "a/b/long", strings.NewReader("abcdef"), 3, blob.PutOptions{})
	require.ErrorIs(t, err, blob.ErrSizeMismatch)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Put(cctx, "a/b/cancelled", strings.NewReader("abc"), -1, blob.PutOptions{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Put(ctx, "a/b/bad-meta", strings.NewReader("abc"), 3, blob.PutOptions{Metadata: map[string]string{"X": "y"}})
	require.ErrorIs(t, err, blob.ErrInvalidOptions)
	assert.Empty(t, files(t, dir))
}

// TestFSLayout: an object is one file at Dir/<key> that starts with its
// bytes; deleting it removes the directories it leaves empty.
func TestFSLayout(t *testing.T) {
	s, dir := openFS(t)
	data := []byte("id;name\n1;Brest\n")
	_, err := s.Put(t.Context(), "datasets/d1/r1.csv", bytes.NewReader(data), -1, blob.PutOptions{ContentType: "text/csv"})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join("datasets", "d1", "r1.csv")}, files(t, dir))
	raw, err := os.ReadFile(filepath.Join(dir, "datasets", "d1", "r1.csv"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(raw, data))

	require.NoError(t, s.Delete(t.Context(), "datasets/d1/r1.csv"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "empty directories are removed")
}

// TestFSPrefixConflict: fs cannot hold both "a" and "a/b".
func TestFSPrefixConflict(t *testing.T) {
	s, _ := openFS(t)
	ctx := t.Context()
	_, err := s.Put(ctx, "a", strings.NewReader("a"), 1, blob.PutOptions{})
	require.NoError(t, err)
	_, err = s.Put(ctx, "a/b", strings.NewReader("b"), 1, blob.PutOptions{})
	assert.ErrorIs(t, err, blob.ErrInvalidKey)

	_, err = s.Put(ctx, "x/y", strings.NewReader("y"), 1, blob.PutOptions{})
	require.NoError(t, err)
	_, err = s.Put(ctx, "x", strings.NewReader("x"), 1, blob.PutOptions{})
	assert.ErrorIs(t, err, blob.ErrInvalidKey)

	var keys []string
	require.NoError(t, s.List(ctx, "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }))
	assert.Equal(t, []string{"a", "x/y"}, keys)
}

// TestFSSymlinkEscape: a symbolic link planted under the root does not let
// the store read or write outside it.
func TestFSSymlinkEscape(t *testing.T) {
	s, dir := openFS(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o600))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "file")))

	ctx := t.Context()
	_, err := s.Put(ctx, "link/evil", strings.NewReader("evil"), 4, blob.PutOptions{})
	assert.Error(t, err)
	_, err = s.Put(ctx, "link/secret", strings.NewReader("evil"), 4, blob.PutOptions{})
	assert.Error(t, err)
	_, _, err = s.Get(ctx, "link/secret", nil)
	assert.Error(t, err)
	_, _, err = s.Get(ctx, "file", nil)
	assert.Error(t, err)
	_ = s.Delete(ctx, "link/secret") // an error or a no-op; the file is checked below
	assert.NoError(t, s.List(ctx, "", func(i blob.Info) error { return errors.New("listed " + i.Key) }))

	got, err := os.ReadFile(secret)
	require.NoError(t, err)
	assert.Equal(t, "secret", string(got))
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing was written outside the root")
}

// TestFSForeignFile: a file under the root that the store did not write is
// reported, not served.
func TestFSForeignFile(t *testing.T) {
	s, dir := openFS(t)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "foreign"), []byte("not an object, but long enough"), 0o644))
	_, err := s.Stat(t.Context(), "foreign")
	assert.Error(t, err)
	assert.NotErrorIs(t, err, blob.ErrNotFound)
	assert.Error(t, s.List(t.Context(), "", func(blob.Info) error { return nil }))
}

// TestFSReaderIsWriterTo: Get's reader hands its file to ReadFrom (sendfile).
func TestFSReaderIsWriterTo(t *testing.T) {
	s := blobtest.Open(t, blob.BackendFS)
	_, err := s.Put(t.Context(), "k", strings.NewReader("0123456789"), 10, blob.PutOptions{})
	require.NoError(t, err)
	rc, _, err := s.Get(t.Context(), "k", &blob.Range{Offset: 2, Length: 5})
	require.NoError(t, err)
	defer rc.Close()
	wt, ok := rc.(io.WriterTo)
	require.True(t, ok)
	var buf bytes.Buffer
	n, err := wt.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(5), n)
	assert.Equal(t, "23456", buf.String())
}

func TestFSPresignNotSupported(t *testing.T) {
	s := blobtest.Open(t, blob.BackendFS)
	_, err := s.PresignGet(t.Context(), "k", 0, blob.PresignOptions{})
	assert.ErrorIs(t, err, blob.ErrNotSupported)
}
