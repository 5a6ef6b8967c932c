package ingest

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

// FuzzTranslate feeds forged payloads on every subject the consumer reads:
// an event is counted with valid ids and increments, or refused as
// malformed; never a panic.
func FuzzTranslate(f *testing.F) {
	view, _ := proto.Marshal(&eventsv1.ObjectViewed{EventId: "e1", ObjectId: "5f0c9e0ffd7d4a2b8c0b0b0b", Channel: eventsv1.ViewChannel_VIEW_CHANNEL_WEB})
	dl, _ := proto.Marshal(&eventsv1.ResourceDownloaded{EventId: "e2", ResourceId: "5f0c9e0ffd7d4a2b8c0b0b0b", DatasetId: "5f0c9e0ffd7d4a2b8c0b0b0c"})
	for _, s := range []string{"relais.gateway.dataset.viewed", "relais.gateway.reuse.viewed", "relais.storage.resource.downloaded", "relais.catalog.dataset.updated", "relais.gateway..viewed"} {
		f.Add(s, "id", view)
		f.Add(s, "", dl)
		f.Add(s, "x", []byte{0xff, 0x01, 0x02})
	}
	f.Fuzz(func(t *testing.T, subject, id string, data []byte) {
		it, err := Translate(events.Message{ID: id, Subject: subject, Data: data})
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not marked malformed: %v", err)
			}
			return
		}
		if it.Count == nil {
			if it.Dataset == "" {
				t.Fatalf("an accepted event means nothing: %+v", it)
			}
			return
		}
		if it.Count.ID == "" || len(it.Count.ID) > maxEventIDLength || len(it.Count.Increments) == 0 {
			t.Fatalf("bad count: %+v", it.Count)
		}
		for _, inc := range it.Count.Increments {
			if inc.ObjectType != ObjectSite && !validID(inc.ObjectID) {
				t.Fatalf("increment of an invalid id: %+v", inc)
			}
		}
	})
}
