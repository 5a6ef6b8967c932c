package storage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// TestEvents: one relais.storage.object.stored per stored file (single and
// chunked), none for refused uploads, one object.deleted per deletion, one
// resource.downloaded per RecordDownload (once per event id).
func TestEvents(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := testCtx(t)
		stored := collect(t, e.bus, "relais.storage.object.stored")
		deleted := collect(t, e.bus, "relais.storage.object.deleted")
		downloads := collect(t, e.bus, "relais.storage.resource.downloaded")

		h := header("budget.csv")
		h.ResourceId = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
		f, err := storage.Upload(ctx, e.client, h, strings.NewReader("a;b\n1;2\n"))
		require.NoError(t, err)
		_, err = storage.Upload(ctx, e.client, header("refus.csv"), strings.NewReader("<html>"))
		require.Error(t, err)
		const uuid = "cccccccc-2222-4333-8444-555555555555"
		require.NoError(t, e.putChunk(ctx, uuid, "parts.csv", 0, 2, 0, []byte("x;y\n")))
		require.NoError(t, e.putChunk(ctx, uuid, "parts.csv", 1, 2, 4, []byte("3;4\n")))
		chunked, err := e.complete(ctx, uuid, "parts.csv", 2)
		require.NoError(t, err)

		msgs := stored.waitFor(t, 2)
		require.Len(t, msgs, 2, "exactly one event per stored file")
		byKey := map[string]*eventsv1.FileStored{}
		for _, m := range msgs {
			assert.Equal(t, "relais.events.v1.FileStored", m.Type)
			var ev eventsv1.FileStored
			require.NoError(t, proto.Unmarshal(m.Data, &ev))
			assert.Equal(t, m.ID, ev.GetEventId())
			byKey[ev.GetKey()] = &ev
		}
		ev := byKey[f.GetKey()]
		require.NotNil(t, ev)
		assert.Equal(t, f.GetSha1(), ev.GetSha1())
		assert.Equal(t, f.GetSha256(), ev.GetSha256())
		assert.Equal(t, f.GetSize(), ev.GetSize())
		assert.Equal(t, "text/csv", ev.GetMime())
		assert.Equal(t, "csv", ev.GetFormat())
		assert.Equal(t, f.GetDatasetId(), ev.GetDatasetId())
		assert.Equal(t, h.GetResourceId(), ev.GetResourceId())
		assert.Equal(t, f.GetUrlPath(), ev.GetUrlPath())
		require.NotNil(t, byKey[chunked.GetKey()])
		assert.Equal(t, chunked.GetSha1(), byKey[chunked.GetKey()].GetSha1())

		_, err = e.client.DeleteFile(ctx, &storagev1.DeleteFileRequest{Key: f.GetKey()})
		require.NoError(t, err)
		_, err = e.client.DeleteFile(ctx, &storagev1.DeleteFileRequest{Key: f.GetKey()})
		require.NoError(t, err)
		msgs = deleted.waitFor(t, 1)
		require.Len(t, msgs, 1)
		var del eventsv1.FileDeleted
		require.NoError(t, proto.Unmarshal(msgs[0].Data, &del))
		assert.Equal(t, f.GetKey(), del.GetKey())
		assert.Equal(t, h.GetResourceId(), del.GetResourceId())

		dl := &storagev1.RecordDownloadRequest{ResourceId: h.GetResourceId(), DatasetId: f.GetDatasetId(), Key: chunked.GetKey(), Bytes: 8}
		r1, err := e.client.RecordDownload(ctx, dl)
		require.NoError(t, err)
		r2, err := e.client.RecordDownload(ctx, dl)
		require.NoError(t, err)
		assert.NotEqual(t, r1.GetEventId(), r2.GetEventId(), "each download has its own id")
		dl.EventId = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
		dl.UserAgentIsBot = true
		for range 3 { // a gateway retrying after timeouts
			r, err := e.client.RecordDownload(ctx, dl)
			require.NoError(t, err)
			assert.Equal(t, dl.EventId, r.GetEventId())
		}
		msgs = downloads.waitFor(t, 3)
		require.Len(t, msgs, 3)
		var last eventsv1.ResourceDownloaded
		require.NoError(t, proto.Unmarshal(msgs[2].Data, &last))
		assert.Equal(t, dl.EventId, msgs[2].ID)
		assert.True(t, last.GetUserAgentIsBot())
		assert.Equal(t, int64(8), last.GetBytes())
		assert.Equal(t, chunked.GetKey(), last.GetKey())

		_, err = e.client.RecordDownload(ctx, &storagev1.RecordDownloadRequest{ResourceId: "r", DatasetId: "d", Bytes: -1})
		requireReason(t, err, codes.InvalidArgument, "INVALID_REQUEST", "")
	})
}
