package events

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// heartbeat tells JetStream every cfg.Heartbeat, until stop, that the
// delivery of jm is still being handled (InProgress restarts its ack
// wait): a long handler keeps its event, while a consumer that died lets
// it go after AckWait, however short.
func (c *Consumer) heartbeat(jm jetstream.Msg) (stop func()) {
	if c.cfg.Heartbeat <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(c.cfg.Heartbeat)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if err := jm.InProgress(); err != nil {
					c.log.Warn("in-progress heartbeat failed", "subject", jm.Subject(), "err", err)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
