package inorder

import (
	"testing"

	"github.com/stretchr/testify/assert"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

func TestByID(t *testing.T) {
	items := []*catalogv1.Dataset{{Id: "b"}, {Id: "a"}, {Id: "c"}}
	got := ByID([]string{"c", "x", "a", "b"}, items)
	ids := make([]string, len(got))
	for i, d := range got {
		ids[i] = d.GetId()
	}
	assert.Equal(t, []string{"c", "a", "b"}, ids, "the ids' order; x, unknown, left out")
	assert.Empty(t, ByID(nil, items))
}
