// Package ingest turns the events the analytics service consumes into
// counts: views published by the gateway, downloads published by storage,
// and the catalog's dataset events, which say which organization publishes
// which dataset.
package ingest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/ids"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/analytics/internal/store"
)

// Subjects are the subjects the analytics consumer reads.
var Subjects = []string{
	"relais.gateway.*.viewed",
	"relais.storage.resource.downloaded",
	"relais.catalog.dataset.created",
	"relais.catalog.dataset.updated",
}

// Metric names.
const (
	MetricViews              = "views"
	MetricAPIViews           = "api_views"
	MetricBotViews           = "bot_views"
	MetricDownloads          = "downloads"
	MetricResourcesDownloads = "resources_downloads"
	MetricBotDownloads       = "bot_downloads"
	MetricDatasetsViews      = "datasets_views"
	MetricOrganizationsViews = "organizations_views"
	MetricReusesViews        = "reuses_views"
	MetricResourcesViews     = "resources_views"
	ObjectSite               = "site"
	subjectPrefixGateway     = "relais.gateway."
	subjectDownloaded        = "relais.storage.resource.downloaded"
	subjectPrefixCatalogDS   = "relais.catalog.dataset."
	viewedSuffix             = ".viewed"
	maxObjectIDLength        = 64
	maxEventIDLength         = 128
	objectTypeDataset        = "dataset"
	objectTypeResource       = "resource"
	objectTypeOrganization   = "organization"
	objectTypeReuse          = "reuse"
)

// siteViewMetric is the site counter of each viewable object type.
var siteViewMetric = map[string]string{
	objectTypeDataset:      MetricDatasetsViews,
	objectTypeOrganization: MetricOrganizationsViews,
	objectTypeReuse:        MetricReusesViews,
	objectTypeResource:     MetricResourcesViews,
}

// ErrMalformed marks an event that cannot be counted (forged, truncated,
// unknown kind): it is dropped, never retried.
var ErrMalformed = errors.New("malformed event")

// Item is what one event means: counts, or the organization of a dataset.
type Item struct {
	Count *store.Event
	// OfDataset is the dataset whose organization also gets the metrics of
	// OrganizationMetrics (its datasets' views and downloads).
	OfDataset           string
	OrganizationMetrics []string
	// Dataset and Organization are set by catalog dataset events.
	Dataset, Organization string
}

// Translate reads one event.
func Translate(m events.Message) (Item, error) {
	switch {
	case strings.HasPrefix(m.Subject, subjectPrefixGateway) && strings.HasSuffix(m.Subject, viewedSuffix):
		return view(m)
	case m.Subject == subjectDownloaded:
		return download(m)
	case strings.HasPrefix(m.Subject, subjectPrefixCatalogDS):
		var e eventsv1.DatasetChanged
		if err := proto.Unmarshal(m.Data, &e); err != nil || e.GetDataset().GetId() == "" {
			return Item{}, fmt.Errorf("%w: %s %s: not a DatasetChanged", ErrMalformed, m.Subject, m.ID)
		}
		return Item{Dataset: e.GetDataset().GetId(), Organization: e.GetDataset().GetOrganization().GetId()}, nil
	default:
		return Item{}, fmt.Errorf("%w: unexpected subject %s", ErrMalformed, m.Subject)
	}
}

func view(m events.Message) (Item, error) {
	objectType := strings.TrimSuffix(strings.TrimPrefix(m.Subject, subjectPrefixGateway), viewedSuffix)
	site, ok := siteViewMetric[objectType]
	if !ok {
		return Item{}, fmt.Errorf("%w: %s: no such viewable object", ErrMalformed, m.Subject)
	}
	var e eventsv1.ObjectViewed
	if err := proto.Unmarshal(m.Data, &e); err != nil {
		return Item{}, fmt.Errorf("%w: %s %s: %v", ErrMalformed, m.Subject, m.ID, err)
	}
	if !validID(e.GetObjectId()) || (e.GetDatasetId() != "" && !validID(e.GetDatasetId())) {
		return Item{}, fmt.Errorf("%w: %s %s: object id %.80q is not an identifier", ErrMalformed, m.Subject, m.ID, e.GetObjectId())
	}
	metric, orgMetric := MetricViews, MetricDatasetsViews
	switch {
	case e.GetUserAgentIsBot():
		metric, site, orgMetric = MetricBotViews, "bot_"+site, ""
	case e.GetChannel() == eventsv1.ViewChannel_VIEW_CHANNEL_API:
		metric, site, orgMetric = MetricAPIViews, "api_"+site, "api_"+MetricDatasetsViews
	case e.GetChannel() != eventsv1.ViewChannel_VIEW_CHANNEL_WEB:
		return Item{}, fmt.Errorf("%w: %s %s: no channel", ErrMalformed, m.Subject, m.ID)
	}
	ev, err := event(m, e.GetEventId(), e.GetOccurredAt())
	if err != nil {
		return Item{}, err
	}
	ev.Increments = []store.Increment{
		{ObjectType: objectType, ObjectID: e.GetObjectId(), Metric: metric},
		{ObjectType: ObjectSite, Metric: site},
	}
	it := Item{Count: &ev}
	if objectType == objectTypeDataset && orgMetric != "" {
		it.OfDataset, it.OrganizationMetrics = e.GetObjectId(), []string{orgMetric}
	}
	return it, nil
}

func download(m events.Message) (Item, error) {
	var e eventsv1.ResourceDownloaded
	if err := proto.Unmarshal(m.Data, &e); err != nil {
		return Item{}, fmt.Errorf("%w: %s %s: %v", ErrMalformed, m.Subject, m.ID, err)
	}
	if !validID(e.GetResourceId()) || !validID(e.GetDatasetId()) {
		return Item{}, fmt.Errorf("%w: %s %s: resource %.80q of dataset %.80q", ErrMalformed, m.Subject, m.ID, e.GetResourceId(), e.GetDatasetId())
	}
	ev, err := event(m, e.GetEventId(), e.GetOccurredAt())
	if err != nil {
		return Item{}, err
	}
	if e.GetUserAgentIsBot() {
		ev.Increments = []store.Increment{
			{ObjectType: objectTypeResource, ObjectID: e.GetResourceId(), Metric: MetricBotDownloads},
			{ObjectType: objectTypeDataset, ObjectID: e.GetDatasetId(), Metric: MetricBotDownloads},
			{ObjectType: ObjectSite, Metric: MetricBotDownloads},
		}
	} else {
		ev.Increments = []store.Increment{
			{ObjectType: objectTypeResource, ObjectID: e.GetResourceId(), Metric: MetricDownloads},
			{ObjectType: objectTypeDataset, ObjectID: e.GetDatasetId(), Metric: MetricResourcesDownloads},
			{ObjectType: ObjectSite, Metric: MetricResourcesDownloads},
		}
		return Item{Count: &ev, OfDataset: e.GetDatasetId(), OrganizationMetrics: []string{MetricResourcesDownloads}}, nil
	}
	return Item{Count: &ev}, nil
}

// event takes the event id of the payload (the message's when absent: both
// are the same for Relais' producers) and when it happened (the payload's
// instant, else the message's, else now).
func event(m events.Message, id string, at *timestamppb.Timestamp) (store.Event, error) {
	if id == "" {
		id = m.ID
	}
	if id == "" || len(id) > maxEventIDLength {
		return store.Event{}, fmt.Errorf("%w: %s: event id %.80q", ErrMalformed, m.Subject, id)
	}
	ev := store.Event{ID: id, At: m.Time}
	if at.IsValid() && at.GetSeconds() > 0 {
		ev.At = at.AsTime()
	}
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	return ev, nil
}

func validID(s string) bool {
	return len(s) <= maxObjectIDLength && (ids.IsObjectID(s) || ids.IsCanonicalUUID(s))
}
