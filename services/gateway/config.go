package gateway

import (
	"fmt"

	"github.com/relais-data/relais/services/gateway/internal/portal"
)

// Config is the gateway's configuration.
type Config struct {
	// Addr is where the HTTP server listens, e.g. ":8080".
	Addr string `yaml:"addr"`
	// PublicURL is the portal's address as its users reach it, e.g.
	// "http://localhost:8080": the base of every absolute link in the API
	// (uri, page, latest, next_page…).
	PublicURL string `yaml:"public_url"`
	// SiteTitle is the portal's name, as /api/1/site/ gives it (the
	// operator's brand, e.g. "Open Data Sud"; default "Relais").
	SiteTitle string `yaml:"site_title" usage:"the portal's name in /api/1/site/"`
	// CatalogAddr is the catalog's gRPC address (host:port).
	CatalogAddr string `yaml:"catalog_addr"`
	// GRPCAddr is where a gateway running alone (-target=gateway) serves
	// the standard gRPC health service and server reflection; with the
	// catalog in the same process, the catalog's gRPC server does.
	GRPCAddr string `yaml:"grpc_addr"`
	// StorageAddr is the storage service's gRPC address (host:port).
	StorageAddr string `yaml:"storage_addr" usage:"gRPC address of the storage service"`
	// PreviewAddr is the preview service's gRPC address (host:port): the
	// tabular API and the previews.
	PreviewAddr string `yaml:"preview_addr" usage:"gRPC address of the preview service"`
	// AnalyticsAddr is the analytics service's gRPC address: the metrics
	// API.
	AnalyticsAddr string `yaml:"analytics_addr" usage:"gRPC address of the analytics service"`
	// S3Downloads says how files stored on s3 are served: "redirect" (a
	// short-lived presigned URL, the default) or "proxy" (streamed by the
	// gateway, for an object store its users cannot reach). Files on the
	// fs backend are always streamed.
	S3Downloads string `yaml:"s3_downloads" usage:"s3 files: redirect (presigned URL, default) or proxy"`
	// StorageToken is the storage service's token (the assembly sets it
	// from storage.service_token).
	StorageToken string `yaml:"-"`
	// MaxChunkSize is the storage service's largest chunk (the assembly
	// sets it from storage.max_chunk_size; 0 means its default).
	MaxChunkSize int64 `yaml:"-"`
	// MaxViewsPerClientPerMinute bounds the views one client (an address
	// and a user agent, hashed in memory, never stored) adds to the
	// audience figures in a minute; beyond, pages are served, not counted.
	MaxViewsPerClientPerMinute int `yaml:"max_views_per_client_per_minute" usage:"views one client adds to the audience figures per minute (default 30)"`
	// LogoURL is the web portal's logo, shown beside SiteTitle.
	LogoURL string `yaml:"logo_url" usage:"URL of the portal's logo (none by default)"`
	// PrimaryColor is the web portal's main colour (#rrggbb): header,
	// buttons; the text on it is white or black, whichever contrasts more.
	PrimaryColor string `yaml:"primary_color" usage:"the portal's main colour as #rrggbb (default #1f4e79)"`
	// MapTileURL is the raster tile template of the previews' maps; empty
	// draws the data on a plain background.
	MapTileURL string `yaml:"map_tile_url" usage:"tile URL template of the portal's maps ({z}/{x}/{y}); empty: plain background"`
	// MapAttribution credits the tiles.
	MapAttribution string `yaml:"map_attribution" usage:"credit line of the map tiles"`
	// Locale is the portal's language: fr (complete) or en (the public
	// pages; the agents' pages stay French).
	Locale string `yaml:"locale" usage:"the portal's language: fr (default) or en"`
	// SessionKey seals the portal's session cookies: base64 of 32 random
	// bytes (`openssl rand -base64 32`), the same for every gateway
	// replica, so that any replica, or a restarted one, opens any session.
	// A comma-separated list rotates keys: the first seals, all open.
	// Empty: -target=all makes one in the data directory; a gateway alone
	// uses a random key of its process (its sessions end with it).
	// TrustedProxies are the networks (comma-separated CIDRs or
	// addresses) whose X-Forwarded-For is believed: the ingress
	// controller's, a load balancer's. The client of a request is its
	// connection's address unless that is a trusted proxy; then the last
	// hop of X-Forwarded-For not added by a trusted proxy. It keys the
	// audience figures' flood limit and the sign-in attempts' limit per
	// client. Empty: X-Forwarded-For is ignored (a gateway reached
	// directly).
	TrustedProxies string `yaml:"trusted_proxies" usage:"comma-separated CIDRs whose X-Forwarded-For is believed (the ingress controller's); empty: the connection's address is the client"`
	SessionKey     string `yaml:"session_key" secret:"true" usage:"base64 key(s) of 32 bytes sealing the portal's session cookies, shared by every gateway replica; comma-separated to rotate (the first seals)"`
}

// SessionKeySize is the length of a session key (AES-256).
const SessionKeySize = portal.SessionKeySize

// SessionKeys reads SessionKey (nil when empty).
func (c Config) SessionKeys() ([][]byte, error) {
	keys, err := portal.ParseSessionKeys(c.SessionKey)
	if err != nil {
		return nil, fmt.Errorf("gateway.session_key: %w", err)
	}
	return keys, nil
}
