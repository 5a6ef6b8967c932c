package events

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedRestartKeepsMessages(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	e, err := StartEmbedded(EmbeddedConfig{Port: -1, StoreDir: dir})
	require.NoError(t, err)
	b, err := Connect(ctx, Config{URL: e.ClientURL()}, testLog(t))
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}
	b.Close()
	e.Shutdown()

	b = connect(t, startNATS(t, dir).ClientURL())
	assert.Equal(t, uint64(3), streamMsgs(t, b))
	require.NoError(t, b.Publish(ctx, testMsg(2)))
	assert.Equal(t, uint64(3), streamMsgs(t, b), "the duplicate window survives a restart")

	c := newCollector()
	cons, err := b.Consume(ctx, ConsumerConfig{Durable: "test-restart"}, c.handle)
	require.NoError(t, err)
	t.Cleanup(cons.Stop)
	for i := range 3 {
		assert.Equal(t, testMsg(i).ID, c.next(t).m.ID)
	}
}

func TestStartEmbeddedRequiresStoreDir(t *testing.T) {
	_, err := StartEmbedded(EmbeddedConfig{Port: -1})
	assert.Error(t, err)
}
