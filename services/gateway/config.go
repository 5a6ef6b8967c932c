package gateway

// Config is the gateway's configuration.
type Config struct {
	// Addr is where the HTTP server listens, e.g. ":8080".
	Addr string `yaml:"addr"`
	// PublicURL is the portal's address as its users reach it, e.g.
	// "http://localhost:8080": the base of every absolute link in the API
	// (uri, page, latest, next_page…).
	PublicURL string `yaml:"public_url"`
	// CatalogAddr is the catalog's gRPC address (host:port).
	CatalogAddr string `yaml:"catalog_addr"`
}
