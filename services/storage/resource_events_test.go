package storage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// TestResourceDeletions: relais.catalog.resource.deleted of a file
// resource deletes its object and row (storage-resource-deletions), once;
// remote resources, other datasets' and other resources' files are kept.
func TestResourceDeletions(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := testCtx(t)
		deleted := collect(t, e.bus, "relais.storage.object.deleted")
		const rid = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
		upload := func(name, resourceID string) *storagev1.StoredFile {
			h := header(name)
			h.ResourceId = resourceID
			f, err := storage.Upload(ctx, e.client, h, strings.NewReader("a;b\n1;2\n"))
			require.NoError(t, err)
			return f
		}
		gone := upload("gone.csv", rid)
		other := upload("other.csv", "4fa85f64-5717-4562-b3fc-2c963f66afa6")
		kept := upload("kept.csv", "")
		sentinel := upload("sentinel.csv", "")

		publish := func(datasetID, resourceID, filetype, url string) {
			id := events.NewID()
			data, err := proto.Marshal(&eventsv1.ResourceChanged{EventId: id, OccurredAt: timestamppb.Now(), DatasetId: datasetID,
				Resource: &catalogv1.Resource{Id: resourceID, Filetype: filetype, Url: url}})
			require.NoError(t, err)
			require.NoError(t, e.bus.Publish(ctx, events.Message{ID: id, Subject: "relais.catalog.resource.deleted",
				Type: "relais.events.v1.ResourceChanged", Data: data, Time: time.Now()}))
		}
		const base = "https://portal.example.org"
		ds := gone.GetDatasetId()
		publish(ds, rid, "file", base+gone.GetUrlPath())
		publish(ds, rid, "file", base+gone.GetUrlPath())  // a replay
		publish(ds, rid, "file", base+other.GetUrlPath()) // another resource's file
		publish("000000000000000000000000", rid, "file", base+kept.GetUrlPath())
		publish(ds, rid, "remote", base+kept.GetUrlPath())
		publish(ds, rid, "file", "https://example.org/elsewhere.csv")
		// Events are handled in order: once the sentinel's object is
		// deleted, every event before it was handled.
		publish(ds, "5fa85f64-5717-4562-b3fc-2c963f66afa6", "file", base+sentinel.GetUrlPath())

		msgs := deleted.waitFor(t, 2)
		require.Len(t, msgs, 2, "one object deleted, and the sentinel")
		var keys []string
		for _, m := range msgs {
			var ev eventsv1.FileDeleted
			require.NoError(t, proto.Unmarshal(m.Data, &ev))
			keys = append(keys, ev.GetKey())
		}
		require.Equal(t, []string{gone.GetKey(), sentinel.GetKey()}, keys)
		_, err := e.client.Stat(ctx, &storagev1.StatRequest{Key: gone.GetKey()})
		requireCode(t, err, codes.NotFound)
		require.Empty(t, e.objects(t, gone.GetKey()))
		for _, f := range []*storagev1.StoredFile{other, kept} {
			_, err := e.client.Stat(ctx, &storagev1.StatRequest{Key: f.GetKey()})
			require.NoError(t, err, f.GetKey())
			require.Equal(t, []string{f.GetKey()}, e.objects(t, f.GetKey()))
		}
	})
}
