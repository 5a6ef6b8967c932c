package catalog

import "github.com/relais-data/relais/pkg/sqldb"

// Config configures the catalog service.
type Config struct {
	DB sqldb.Config `yaml:"db"`
	// TokenSecret is the HMAC key of API token hashes. Changing it
	// invalidates every token.
	TokenSecret string `yaml:"token_secret" secret:"true"`
}
