package app

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Stored uploads, on the admin port's /metrics: bytes and files that
// reached the blob store and were committed (refused and failed uploads
// are not counted).
var (
	uploadedBytes = promauto.NewCounter(prometheus.CounterOpts{
		Name: "relais_storage_upload_bytes_total",
		Help: "Bytes of the files stored (uploads, chunked uploads, fetched files), once committed.",
	})
	uploadedFiles = promauto.NewCounter(prometheus.CounterOpts{
		Name: "relais_storage_uploads_total",
		Help: "Files stored, once committed.",
	})
)
