package app

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

func TestTruncateSnapshot(t *testing.T) {
	// Real harvested datasets carry descriptions of 1.7 MB: the event must
	// still fit in a NATS message.
	desc := strings.Repeat("é", 1<<20)
	d := &catalogv1.Dataset{Id: "5d13a8b6634f41070a43dff3", Description: desc}
	for i := 0; i < 3; i++ {
		d.Resources = append(d.Resources, &catalogv1.Resource{Id: "r", Description: &desc})
	}
	c := truncateSnapshot(d)
	require.LessOrEqual(t, proto.Size(c), maxSnapshot)
	require.True(t, utf8.ValidString(c.Description))
	require.Len(t, d.Description, len(desc), "the original is left alone")
	require.Len(t, c.Resources, 3)

	many := proto.Clone(d).(*catalogv1.Dataset)
	for i := 0; i < 5000; i++ {
		many.Resources = append(many.Resources, &catalogv1.Resource{Id: strings.Repeat("x", 36), Url: strings.Repeat("u", 200)})
	}
	c = truncateSnapshot(many)
	require.LessOrEqual(t, proto.Size(c), maxSnapshot)
	require.Empty(t, c.Resources, "resources go when cutting descriptions is not enough")
}
