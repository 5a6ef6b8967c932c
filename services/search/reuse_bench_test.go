package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/search/internal/corpus"
)

// BenchmarkReuseSearch measures reuse search as it runs (JetStream, the
// batched indexer, the embedded index, gRPC) on one reuse per real
// dataset (24 189, each linking its dataset, with its title, description,
// tags and organization): how fast the burst of reuse events is indexed,
// then the latency of 200 queries with the gateway's facets. Run it once:
//
//	go test ./services/search -run '^$' -bench ReuseSearch -benchtime 1x
func BenchmarkReuseSearch(b *testing.B) {
	datasets, err := corpus.Load(corpus.SamplePath())
	if err != nil {
		b.Skipf("the real catalogue sample is missing (%v)", err)
	}
	r := newReuseRig(b)
	types := []string{"application", "visualization", "api", "news_article", "paper", "idea"}
	msgs := make([]events.Message, 0, len(datasets))
	var queries []string
	for i, d := range datasets {
		u := testReuse(fmt.Sprintf("%024x", i+1), "Carte : "+d.GetTitle(), i%60, d.GetId())
		u.Description = strings.ToValidUTF8(d.GetDescription()[:min(len(d.GetDescription()), 2000)], "")
		u.Tags, u.Type = d.GetTags(), types[i%len(types)]
		if org := d.GetOrganization(); org != nil {
			u.Organization = &catalogv1.OrganizationRef{Id: org.GetId(), Name: org.GetName(), Badges: org.GetBadges()}
		}
		data, err := proto.Marshal(&eventsv1.ReuseChanged{Reuse: u})
		must(b, err)
		msgs = append(msgs, events.Message{ID: events.NewID(), Subject: "relais.catalog.reuse.created", Type: "relais.events.v1.ReuseChanged", Data: data})
		if i%120 == 0 && len(queries) < 200 {
			if words := strings.Fields(d.GetTitle()); len(words) > 0 {
				queries = append(queries, strings.Join(words[:min(2, len(words))], " "))
			}
		}
	}
	_, err = r.bus.PublishBatch(context.Background(), msgs)
	must(b, err)
	b.ResetTimer()
	start := time.Now()
	r.start(b)
	defer r.stop()
	for n := int64(0); n < int64(len(msgs)); n = r.search(b, &searchv1.Query{PageSize: 1}).GetTotal() {
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("%d of %d reuses indexed after 5 minutes", n, len(msgs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	burst := time.Since(start)

	facets := []string{"badge", "featured", "last_update_range", "organization", "organization_badge", "owner", "producer_type", "tag", "topic", "type"}
	var delays []time.Duration
	for _, q := range queries {
		t0 := time.Now()
		r.search(b, &searchv1.Query{Q: q, Facets: facets, PageSize: 20})
		delays = append(delays, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(delays)
	p50, p99 := delays[len(delays)/2], delays[len(delays)*99/100]
	b.ReportMetric(float64(len(msgs))/burst.Seconds(), "events/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	fmt.Printf("reuse burst: %d reuse events indexed in %v: %.0f events/s\n", len(msgs), burst.Round(time.Millisecond), float64(len(msgs))/burst.Seconds())
	fmt.Printf("reuse search with 10 facets over gRPC (%d queries): p50 %v, p99 %v\n", len(delays), p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond))
}
