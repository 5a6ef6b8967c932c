package preview

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

func (h *harness) publishDataset(t *testing.T, id, subject string, d *catalogv1.Dataset) {
	t.Helper()
	data, err := proto.Marshal(&eventsv1.DatasetChanged{EventId: id, Dataset: d})
	require.NoError(t, err)
	require.NoError(t, h.bus.Publish(context.Background(), events.Message{
		ID: id, Subject: subject, Type: "relais.events.v1.DatasetChanged", Data: data,
	}))
}

// queryable says whether the tabular API serves resource rid (else it
// answers 404, as api-tabular for an unknown resource).
func (h *harness) queryable(t *testing.T, rid string) bool {
	t.Helper()
	_, err := h.svc.tabular.DataQuery(context.Background(), rid, "", "http://x")
	if err == nil {
		return true
	}
	var te *tabular.Error
	require.ErrorAs(t, err, &te)
	require.Equal(t, http.StatusNotFound, te.Status)
	return false
}

// TestDeletedDatasetIsDroppedAndRestored: a deleted dataset's tables and
// records go (the snapshot's resources and those analyzed for it); events
// still in flight for it analyze nothing; a restored dataset's resources
// are analyzed again.
func TestDeletedDatasetIsDroppedAndRestored(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprintf(w, "commune;population\nNice;348085\n")
	}))
	t.Cleanup(srv.Close)
	h := start(t)
	ctx := context.Background()
	r1 := &catalogv1.Resource{Id: "r1", Filetype: "remote", Url: srv.URL + "/a.csv"}
	r2 := &catalogv1.Resource{Id: "r2", Filetype: "remote", Url: srv.URL + "/b.csv"}
	h.publish(t, "e1", SubjectResourceCreated, r1)
	h.publish(t, "e2", SubjectResourceCreated, r2)
	done := func(r *records.Record) bool { return r.State == records.StateDone }
	h.waitRecord(t, "r1", done)
	h.waitRecord(t, "r2", done)
	require.True(t, h.queryable(t, "r1"))

	ds := &catalogv1.Dataset{Id: "d1", Resources: []*catalogv1.Resource{r1}} // r2 left out of the snapshot
	h.publishDataset(t, "e3", SubjectDatasetDeleted, ds)
	require.Eventually(t, func() bool {
		_, err1 := h.svc.records.Get(ctx, "r1")
		_, err2 := h.svc.records.Get(ctx, "r2")
		return err1 != nil && err2 != nil
	}, 20*time.Second, 10*time.Millisecond)
	require.False(t, h.queryable(t, "r1"))
	require.False(t, h.queryable(t, "r2"))

	// An event of the deleted dataset, then an edit of the deleted
	// dataset: nothing analyzed.
	h.publish(t, "e4", SubjectResourceUpdated, &catalogv1.Resource{Id: "r3", Filetype: "remote", Url: srv.URL + "/c.csv"})
	deleted := proto.Clone(ds).(*catalogv1.Dataset)
	deleted.Deleted = timestamppb.Now()
	h.publishDataset(t, "e5", SubjectDatasetUpdated, deleted)
	// An update of another dataset, never deleted, is no restore; the
	// events are handled in order, so once it is handled the others are.
	data, err := proto.Marshal(&eventsv1.ResourceChanged{EventId: "e6b", DatasetId: "d2",
		Resource: &catalogv1.Resource{Id: "r4", Filetype: "remote", Url: srv.URL + "/d.csv"}})
	require.NoError(t, err)
	require.NoError(t, h.bus.Publish(ctx, events.Message{ID: "e6b", Subject: SubjectResourceCreated, Type: "relais.events.v1.ResourceChanged", Data: data}))
	h.waitRecord(t, "r4", done)
	_, err = h.svc.records.Get(ctx, "r3")
	require.ErrorIs(t, err, records.ErrNotFound, "no analysis for a deleted dataset")

	// Restored (udata's PUT with deleted: null): analyzed again.
	h.publishDataset(t, "e7", SubjectDatasetUpdated, &catalogv1.Dataset{Id: "d1", Resources: []*catalogv1.Resource{r1, r2}})
	h.waitRecord(t, "r1", done)
	h.waitRecord(t, "r2", done)
	require.True(t, h.queryable(t, "r1"))
	require.True(t, h.queryable(t, "r2"))
	del, err := h.svc.records.DatasetDeleted(ctx, "d1")
	require.NoError(t, err)
	require.False(t, del)
}

// TestTransientFailureRetriedThroughTheBus: an analysis failing for a
// transient reason is retried by the redelivered event, with the delay;
// a permanent failure (404) is tried once.
func TestTransientFailureRetriedThroughTheBus(t *testing.T) {
	var flaky, gone atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone.csv":
			gone.Add(1)
			http.NotFound(w, r)
		default:
			if flaky.Add(1) <= 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintf(w, "commune;population\nNice;348085\n")
		}
	}))
	t.Cleanup(srv.Close)
	h := startConfig(t, Config{RetryDelay: 50 * time.Millisecond, MaxRetryDelay: 100 * time.Millisecond})
	h.publish(t, "e1", SubjectResourceCreated, &catalogv1.Resource{Id: "flaky", Filetype: "remote", Url: srv.URL + "/flaky.csv"})
	h.publish(t, "e2", SubjectResourceCreated, &catalogv1.Resource{Id: "gone", Filetype: "remote", Url: srv.URL + "/gone.csv"})
	rec := h.waitRecord(t, "flaky", func(r *records.Record) bool { return r.State == records.StateDone })
	require.Zero(t, rec.Attempts)
	require.EqualValues(t, 3, flaky.Load(), "two failures, then the analysis")
	rec = h.waitRecord(t, "gone", func(r *records.Record) bool { return r.State == records.StateFailed })
	require.Zero(t, rec.Attempts)
	time.Sleep(300 * time.Millisecond) // longer than the retry delays
	require.EqualValues(t, 1, gone.Load(), "a 404 is not retried")
}

// An analysis longer than ack_wait is not handed out again, to the other
// replica, while it runs (the consumer's in-progress heartbeats): the file
// is fetched once.
func TestAnalysisLongerThanAckWait(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(1500 * time.Millisecond)
		fmt.Fprintf(w, "commune;population\nNice;348085\n")
	}))
	t.Cleanup(srv.Close)
	cfg := Config{AckWait: 500 * time.Millisecond}
	h := startConfig(t, cfg)
	runService(t, cfg, Deps{DB: h.db, Bus: h.bus, Log: h.svc.log})
	h.publish(t, "e1", SubjectResourceCreated, &catalogv1.Resource{Id: "slow", Filetype: "remote", Url: srv.URL + "/slow.csv"})
	h.waitRecord(t, "slow", func(r *records.Record) bool { return r.State == records.StateDone })
	time.Sleep(time.Second) // room for a redelivery
	require.EqualValues(t, 1, hits.Load())
}
