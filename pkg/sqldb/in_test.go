package sqldb

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlaceholders(t *testing.T) {
	assert.Equal(t, "", Placeholders(0))
	assert.Equal(t, "?", Placeholders(1))
	assert.Equal(t, "?, ?, ?", Placeholders(3))
	assert.Equal(t, []any{"a", "b"}, StringArgs([]string{"a", "b"}))
	assert.Equal(t, "", Rows(0, 2))
	assert.Equal(t, "(?, ?), (?, ?), (?, ?)", Rows(3, 2))
}
