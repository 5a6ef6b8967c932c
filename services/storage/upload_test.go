package storage_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/relais-data/relais/pkg/blob/blobtest"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

const samples = "/work/shared/data/samples"

// sha1sum runs the sha1sum command on path (crypto/sha1 when the command is
// missing), the reference the stored checksum must match.
func sha1sum(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("sha1sum"); err != nil {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		s := sha1.Sum(b)
		return hex.EncodeToString(s[:])
	}
	out, err := exec.Command("sha1sum", path).Output()
	require.NoError(t, err)
	return strings.Fields(string(out))[0]
}

var keyPattern = regexp.MustCompile(`^resources/budget-primitif-2024/\d{8}-\d{6}/[a-z0-9.-]+$`)

// TestUploadSamples uploads real files and reads them back.
func TestUploadSamples(t *testing.T) {
	files := []struct{ path, stored, mime, format string }{
		{"lave-linge/lave-linge.xlsx", "lave-linge.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
		{"lave-linge/lave-linge.ods", "lave-linge.ods", "application/vnd.oasis.opendocument.spreadsheet", "ods"},
		{"latin1-semicolon/code_postaux_v201410.head2000.csv", "code-postaux-v201410.head2000.csv", "text/csv", "csv"},
		{"geojson/communes-2A-corse-du-sud.geojson", "communes-2a-corse-du-sud.geojson", "application/geo+json", "geojson"},
	}
	forEachEnv(t, func(t *testing.T, e *env) {
		for _, f := range files {
			path := filepath.Join(samples, f.path)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			got := e.upload(t, filepath.Base(path), data)

			assert.Equal(t, sha1sum(t, path), got.GetSha1(), f.path)
			sum := sha256.Sum256(data)
			assert.Equal(t, hex.EncodeToString(sum[:]), got.GetSha256())
			assert.Equal(t, int64(len(data)), got.GetSize())
			assert.Equal(t, f.mime, got.GetMime())
			assert.Equal(t, f.format, got.GetFormat())
			assert.Equal(t, f.stored, got.GetFilename())
			assert.Equal(t, f.stored, got.GetTitle())
			assert.Equal(t, filepath.Base(path), got.GetOriginalFilename())
			assert.Regexp(t, keyPattern, got.GetKey())
			assert.True(t, strings.HasSuffix(got.GetKey(), "/"+f.stored))
			assert.Equal(t, "/"+got.GetKey(), got.GetUrlPath())

			stat, err := e.client.Stat(testCtx(t), &storagev1.StatRequest{Key: got.GetKey()})
			require.NoError(t, err)
			assert.Equal(t, got.GetSha1(), stat.GetFile().GetSha1())
			h, back := e.download(t, &storagev1.DownloadRequest{Key: got.GetKey()})
			assert.Equal(t, data, back)
			assert.Equal(t, int64(len(data)), h.GetLength())

			v, err := e.client.VerifyFile(testCtx(t), &storagev1.VerifyFileRequest{Key: got.GetKey()})
			require.NoError(t, err)
			assert.True(t, v.GetOk())
		}
	})
}

// TestUploadLargeBoundedHeap streams 200 MiB through gRPC into the store:
// the process's heap must not grow by anything near the file's size.
func TestUploadLargeBoundedHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MiB upload")
	}
	const size = 200 << 20
	for _, backend := range blobtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			e := startEnv(t, sqldbtest.Open(t, sqldb.SQLite), backend, nil)
			var f *storagev1.StoredFile
			var err error
			h := header("gros-fichier.csv")
			n := int64(size)
			h.Size = &n
			growth := blobtest.PeakHeapGrowth(func() {
				f, err = storage.Upload(testCtx(t), e.client, h, blobtest.Data(7, size))
			})
			require.NoError(t, err)
			want := blobtest.SHA256(7, size)
			assert.Equal(t, hex.EncodeToString(want[:]), f.GetSha256())
			assert.Equal(t, int64(size), f.GetSize())
			t.Logf("%s: peak heap growth %.1f MiB for a %d MiB upload", backend, float64(growth)/(1<<20), size>>20)
			// Client and server share this heap, with their gRPC windows and
			// the garbage between two collections: growth well under the
			// file's size is what shows that nothing holds it whole.
			assert.Less(t, growth, uint64(size/2), "heap grew by %d bytes", growth)
		})
	}
}

func TestHTMLRefused(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		for _, page := range []string{"<!DOCTYPE html>\n<html><body>404</body></html>", "\xef\xbb\xbf  <html>", "<p>not a csv</p>"} {
			_, err := storage.Upload(testCtx(t), e.client, header("export.csv"), strings.NewReader(page))
			requireReason(t, err, codes.InvalidArgument, "HTML_CONTENT", "Incorrect file content type: HTML")
		}
		assert.Empty(t, e.objects(t, "resources/"))
	})
}

func TestExtensionRefused(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		for _, name := range []string{"data.parquet", "page.html", "sans-extension", "script.sh", "data.tsv", ""} {
			_, err := storage.Upload(testCtx(t), e.client, header(name), strings.NewReader("a,b\n"))
			info := requireReason(t, err, codes.InvalidArgument, "EXTENSION_NOT_ALLOWED",
				"This file type is not allowed.The allowed file type list is available at /api/1/datasets/extensions/")
			assert.Contains(t, info.GetMetadata(), "extension")
			err = e.putChunk(testCtx(t), "0b8a3c1e-7f7e-4c77-9d2a-5b0f0e1f2a3b", name, 0, 2, 0, []byte("a,b\n"))
			requireReason(t, err, codes.InvalidArgument, "EXTENSION_NOT_ALLOWED", "")
		}
		assert.Empty(t, e.objects(t, ""))

		exts, err := e.client.ListAllowedExtensions(context.Background(), &storagev1.ListAllowedExtensionsRequest{})
		require.NoError(t, err, "needs no token")
		assert.Contains(t, exts.GetExtensions(), "csv")
		assert.Contains(t, exts.GetExtensions(), "geojson")
		assert.NotContains(t, exts.GetExtensions(), "parquet")
		assert.Len(t, exts.GetExtensions(), 63)
	})
}

// TestHostileFilenames: whatever the name, the file lands under a safe key
// in its dataset's folder, and the original name is kept printable.
func TestHostileFilenames(t *testing.T) {
	cases := []struct{ in, stored, original string }{
		{"../../etc/passwd.csv", "passwd.csv", "passwd.csv"},
		{"..\\..\\windows\\system.ini.txt", "system.ini.txt", "system.ini.txt"},
		{"nul\x00byte.csv", "nulbyte.csv", "nulbyte.csv"},
		{"Données été 2024 – version finale.csv", "donnees-ete-2024-version-finale.csv", "Données été 2024 – version finale.csv"},
		{"北京.json", "bei-jing.json", "北京.json"},
		{"evil\u202egpj.csv", "evilgpj.csv", "evilgpj.csv"},
		{"line\r\nbreak.csv", "linebreak.csv", "linebreak.csv"},
		{strings.ToValidUTF8("bad\xff\xfeutf8.csv", "\uFFFD"), "badutf8.csv", "bad\uFFFDutf8.csv"},
		{"  .hidden.csv", "hidden.csv", ".hidden.csv"},
	}
	forEachEnv(t, func(t *testing.T, e *env) {
		for _, c := range cases {
			f := e.upload(t, c.in, []byte("a;b\n1;2\n"))
			assert.Equal(t, c.stored, f.GetFilename(), "%q", c.in)
			assert.Equal(t, c.original, f.GetOriginalFilename(), "%q", c.in)
			assert.Regexp(t, keyPattern, f.GetKey(), "%q", c.in)
		}
		long := strings.Repeat("très-long-nom-", 100) + ".csv"
		f := e.upload(t, long, []byte("a;b\n"))
		assert.LessOrEqual(t, len(f.GetFilename()), 240+len("-99"))
		assert.True(t, strings.HasSuffix(f.GetFilename(), ".csv"))
		assert.LessOrEqual(t, len(f.GetOriginalFilename()), 255)
		assert.Regexp(t, keyPattern, f.GetKey())
		for _, k := range e.objects(t, "") {
			assert.True(t, strings.HasPrefix(k, "resources/budget-primitif-2024/"), k)
		}
	})
}

// TestSameNameSameSecond: uploads of one name to one dataset at once get
// distinct keys ("-1", "-2"…), never overwrite each other.
func TestSameNameSameSecond(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		const n = 6
		var wg sync.WaitGroup
		files := make([]*storagev1.StoredFile, n)
		for i := range n {
			wg.Go(func() {
				f, err := storage.Upload(testCtx(t), e.client, header("budget.csv"), bytes.NewReader([]byte{'a', byte('0' + i), '\n'}))
				assert.NoError(t, err)
				files[i] = f
			})
		}
		wg.Wait()
		keys := map[string]bool{}
		for i, f := range files {
			require.NotNil(t, f)
			keys[f.GetKey()] = true
			_, back := e.download(t, &storagev1.DownloadRequest{Key: f.GetKey()})
			assert.Equal(t, []byte{'a', byte('0' + i), '\n'}, back)
		}
		assert.Len(t, keys, n)
	})
}

// TestUploadSizeAndCancel: a stream shorter or longer than its declared
// size, over the maximum size, or cancelled midway stores nothing.
func TestUploadSizeAndCancel(t *testing.T) {
	forEach(t, func(t *testing.T, db *sqldb.DB, backend string) {
		e := startEnv(t, db, backend, func(c *storage.Config) { c.MaxFileSize = 1 << 20 })
		for _, n := range []int64{50, 150} {
			h := header("tronque.csv")
			declared := int64(100)
			h.Size = &declared
			_, err := storage.Upload(testCtx(t), e.client, h, blobtest.Data(1, n))
			requireReason(t, err, codes.InvalidArgument, "SIZE_MISMATCH", "")
		}

		_, err := storage.Upload(testCtx(t), e.client, header("gros.csv"), blobtest.Data(1, 2<<20))
		requireReason(t, err, codes.InvalidArgument, "FILE_TOO_LARGE", "")
		h := header("gros.csv")
		declared := int64(2 << 20)
		h.Size = &declared
		_, err = storage.Upload(testCtx(t), e.client, h, blobtest.Data(1, 2<<20))
		requireReason(t, err, codes.InvalidArgument, "FILE_TOO_LARGE", "")

		ctx, cancel := context.WithCancel(testCtx(t))
		_, err = storage.Upload(ctx, e.client, header("coupe.csv"), &cancelAfter{r: blobtest.Data(1, 800<<10), n: 300 << 10, cancel: cancel})
		require.Error(t, err)

		_, err = storage.Upload(testCtx(t), e.client, header("lecture.csv"), io.MultiReader(strings.NewReader("a,b\n"), failingReader{}))
		require.ErrorIs(t, err, errBroken)

		// The server notices a cancelled call a little after the client.
		require.Eventually(t, func() bool {
			var rows int
			require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM storage_files`).Scan(&rows))
			return rows == 0 && len(e.objects(t, "")) == 0
		}, 5*time.Second, 10*time.Millisecond, "no row or object left behind")
	})
}

func TestServiceToken(t *testing.T) {
	e := startEnv(t, sqldbtest.Open(t, sqldb.SQLite), "fs", nil)
	ctx := context.Background()
	_, err := storage.Upload(ctx, e.client, header("a.csv"), strings.NewReader("a\n"))
	requireCode(t, err, codes.Unauthenticated)
	_, err = storage.Upload(storage.WithServiceToken(ctx, "wrong"), e.client, header("a.csv"), strings.NewReader("a\n"))
	requireCode(t, err, codes.Unauthenticated)
	_, err = e.client.Stat(ctx, &storagev1.StatRequest{Key: "resources/x"})
	requireCode(t, err, codes.Unauthenticated)
	_, err = e.client.CompleteChunkedUpload(ctx, &storagev1.CompleteChunkedUploadRequest{})
	requireCode(t, err, codes.Unauthenticated)
	_, err = e.client.RecordDownload(ctx, &storagev1.RecordDownloadRequest{})
	requireCode(t, err, codes.Unauthenticated)
	_, err = e.client.DeleteFile(ctx, &storagev1.DeleteFileRequest{})
	requireCode(t, err, codes.Unauthenticated)
	_, err = e.client.Stat(testCtx(t), &storagev1.StatRequest{Key: "resources/x"})
	requireCode(t, err, codes.NotFound)
}

type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= int64(n); c.n <= 0 {
		c.cancel()
	}
	return n, err
}

var errBroken = io.ErrClosedPipe

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errBroken }
