package events

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// What an operator watches of the event flow, on the admin port's
// /metrics: how far each durable consumer is behind the stream, and how
// old the oldest event still waiting in a database's outbox is.
var (
	consumerPending = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "relais_events_consumer_pending",
		Help: "Events of the stream not yet delivered to the durable consumer (its lag), as of its last delivery.",
	}, []string{"durable"})
	consumerProcessed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "relais_events_consumer_processed_total",
		Help: "Events handled by the durable consumer, by outcome (ok, error).",
	}, []string{"durable", "outcome"})
	outboxOldest = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "relais_events_outbox_oldest_age_seconds",
		Help: "Age of the oldest event waiting in the outbox at the relay's last round (0: empty); a growing value is a backlog the relay cannot publish.",
	})
	outboxRelayed = promauto.NewCounter(prometheus.CounterOpts{
		Name: "relais_events_outbox_relayed_total",
		Help: "Outbox events published to the stream and deleted from the outbox.",
	})
)

// outcome names a handler's result for consumerProcessed.
func outcome(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
