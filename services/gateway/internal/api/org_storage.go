package api

import (
	"net/http"

	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// organizationStorage is GET /api/1/organizations/{org}/storage/ (Relais
// only; sysadmins and the organization's admins): what the organization's
// stored files take, {"files": count, "quota": bytes or null when there
// is none, "used": bytes}.
func (s *Server) organizationStorage(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	o, ok := s.fetchOrganization(w, r)
	if !ok {
		return
	}
	if !o.GetPermissions().GetEdit() {
		writeMessage(w, http.StatusForbidden, msgForbidden)
		return
	}
	if !s.files.available(w) {
		return
	}
	u, err := s.files.client.GetUsage(s.files.ctx(r.Context()), &storagev1.GetUsageRequest{OrganizationId: o.GetId()})
	if err != nil {
		s.failStorage(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginObject()
		jw.Key("files")
		jw.Int(u.GetFiles())
		jw.Key("quota")
		if q := u.GetQuotaBytes(); q > 0 {
			jw.Int(q)
		} else {
			jw.Null()
		}
		jw.Key("used")
		jw.Int(u.GetUsedBytes())
		jw.EndObject()
	})
}
