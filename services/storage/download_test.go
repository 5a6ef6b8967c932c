package storage_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

func i64(v int64) *int64 { return &v }

func TestRangeDownloads(t *testing.T) {
	data := blobtest.Bytes(5, 3<<20+17)
	size := int64(len(data))
	forEachEnv(t, func(t *testing.T, e *env) {
		f := e.upload(t, "series.csv", data)
		cases := []struct {
			name           string
			offset, length *int64
			from, to       int64
		}{
			{"whole", nil, nil, 0, size},
			{"first byte", i64(0), i64(1), 0, 1},
			{"middle", i64(1 << 20), i64(1000), 1 << 20, 1<<20 + 1000},
			{"to the end", i64(size - 10), nil, size - 10, size},
			{"length past the end is cut", i64(size - 10), i64(1 << 30), size - 10, size},
			{"last byte", i64(size - 1), i64(1), size - 1, size},
			{"from zero, no length", i64(0), nil, 0, size},
		}
		for _, c := range cases {
			h, got := e.download(t, &storagev1.DownloadRequest{Key: f.GetKey(), Offset: c.offset, Length: c.length})
			assert.Equal(t, c.from, h.GetOffset(), c.name)
			assert.Equal(t, c.to-c.from, h.GetLength(), c.name)
			assert.Equal(t, data[c.from:c.to], got, c.name)
			assert.Equal(t, f.GetSha256(), h.GetFile().GetSha256(), c.name)
		}

		for _, off := range []int64{size, size + 1} {
			_, err := storage.OpenDownload(testCtx(t), e.client, &storagev1.DownloadRequest{Key: f.GetKey(), Offset: &off})
			requireCode(t, err, codes.OutOfRange)
		}
		for _, req := range []*storagev1.DownloadRequest{
			{Key: f.GetKey(), Offset: i64(-1)},
			{Key: f.GetKey(), Offset: i64(0), Length: i64(0)},
			{Key: f.GetKey(), Length: i64(5)},
		} {
			_, err := storage.OpenDownload(testCtx(t), e.client, req)
			requireCode(t, err, codes.InvalidArgument)
		}
		_, err := storage.OpenDownload(testCtx(t), e.client, &storagev1.DownloadRequest{Key: "resources/nope/x.csv"})
		requireCode(t, err, codes.NotFound)

		empty := e.upload(t, "vide.csv", nil)
		assert.Equal(t, "da39a3ee5e6b4b0d3255bfef95601890afd80709", empty.GetSha1())
		h, got := e.download(t, &storagev1.DownloadRequest{Key: empty.GetKey()})
		assert.Empty(t, got)
		assert.Zero(t, h.GetLength())
	})
}

func TestPresignDownload(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		f := e.upload(t, "Élus municipaux.csv", []byte("nom;prenom\nDupont;Marie\n"))
		resp, err := e.client.PresignDownload(testCtx(t), &storagev1.PresignDownloadRequest{Key: f.GetKey(), Ttl: durationpb.New(time.Minute)})
		if e.backend == blob.BackendFS {
			requireCode(t, err, codes.FailedPrecondition)
			return
		}
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now().Add(time.Minute), resp.GetExpiresAt().AsTime(), 5*time.Second)
		req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, resp.GetUrl(), nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		assert.Equal(t, "nom;prenom\nDupont;Marie\n", string(body))
		assert.Equal(t, "text/csv", res.Header.Get("Content-Type"))
		assert.Equal(t, `attachment; filename*=utf-8''%C3%89lus%20municipaux.csv`, res.Header.Get("Content-Disposition"))

		_, err = e.client.PresignDownload(testCtx(t), &storagev1.PresignDownloadRequest{Key: f.GetKey(), Ttl: durationpb.New(30 * 24 * time.Hour)})
		requireCode(t, err, codes.InvalidArgument)
	})
}

func TestVerifyAndDelete(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := testCtx(t)
		f := e.upload(t, "a.csv", []byte("a;b\n1;2\n"))
		v, err := e.client.VerifyFile(ctx, &storagev1.VerifyFileRequest{Key: f.GetKey()})
		require.NoError(t, err)
		assert.True(t, v.GetOk())

		// Bit rot, or someone writing behind the service's back.
		_, err = e.blob.Put(context.Background(), f.GetKey(), strings.NewReader("a;b\n1;3\n"), 8, blob.PutOptions{})
		require.NoError(t, err)
		v, err = e.client.VerifyFile(ctx, &storagev1.VerifyFileRequest{Key: f.GetKey()})
		require.NoError(t, err)
		assert.False(t, v.GetOk())
		assert.NotEqual(t, f.GetSha256(), v.GetActualSha256())

		del, err := e.client.DeleteFile(ctx, &storagev1.DeleteFileRequest{Key: f.GetKey()})
		require.NoError(t, err)
		assert.True(t, del.GetDeleted())
		assert.Empty(t, e.objects(t, ""))
		_, err = e.client.Stat(ctx, &storagev1.StatRequest{Key: f.GetKey()})
		requireCode(t, err, codes.NotFound)
		del, err = e.client.DeleteFile(ctx, &storagev1.DeleteFileRequest{Key: f.GetKey()})
		require.NoError(t, err)
		assert.False(t, del.GetDeleted())
	})
}
