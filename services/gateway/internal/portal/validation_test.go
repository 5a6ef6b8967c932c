package portal

import (
	"testing"

	"github.com/stretchr/testify/require"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

func TestResourceValidation(t *testing.T) {
	for _, tc := range []struct {
		extras string
		want   validation
	}{
		{"", validation{}},
		{`{}`, validation{}},
		{`not json`, validation{}},
		{`{"validation-report:valid_resource": true, "validation-report:nb_errors": 0}`, validation{Known: true, Valid: true}},
		{`{"validation-report:valid_resource": false, "validation-report:nb_errors": 12}`, validation{Known: true, Errors: 12}},
		{`{"validation-report:error": "schema unknown"}`, validation{}},
	} {
		got := resourceValidation(&catalogv1.Resource{ExtrasJson: []byte(tc.extras)})
		require.Equal(t, tc.want, got, tc.extras)
	}
}
