package portal

import (
	"encoding/json"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// validation is a resource's TableSchema verdict, as the preview service
// writes it in the resource's extras (data.gouv.fr's validata keys).
type validation struct {
	// Known is false until the file has been validated.
	Known  bool
	Valid  bool
	Errors int64
}

// resourceValidation reads the verdict from the resource's extras.
func resourceValidation(r *catalogv1.Resource) validation {
	if len(r.GetExtrasJson()) == 0 {
		return validation{}
	}
	var ex struct {
		Valid  *bool  `json:"validation-report:valid_resource"`
		Errors *int64 `json:"validation-report:nb_errors"`
	}
	if json.Unmarshal(r.GetExtrasJson(), &ex) != nil || ex.Valid == nil {
		return validation{}
	}
	v := validation{Known: true, Valid: *ex.Valid}
	if ex.Errors != nil {
		v.Errors = *ex.Errors
	}
	return v
}
