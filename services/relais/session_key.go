package relais

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/relais-data/relais/services/gateway"
)

// ensureSessionKey gives the laptop mode (-target=all) the key that seals
// the portal's session cookies without any configuration: made once and
// kept in the data directory (session-key, mode 0600), so that a restart
// signs no agent out. A gateway run alone takes gateway.session_key, the
// same for every replica (the Helm chart gives it from a Secret).
func (c *Config) ensureSessionKey() error {
	if c.Gateway.SessionKey != "" || c.Target != "all" {
		return nil
	}
	path := filepath.Join(c.DataDir, "session-key")
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		c.Gateway.SessionKey = string(bytes.TrimSpace(b))
		if _, err := c.Gateway.SessionKeys(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read session key: %w", err)
	}
	key := make([]byte, gateway.SessionKeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return err
	}
	c.Gateway.SessionKey = base64.StdEncoding.EncodeToString(key)
	if err := os.WriteFile(path, []byte(c.Gateway.SessionKey+"\n"), 0o600); err != nil {
		return fmt.Errorf("keep session key: %w", err)
	}
	return nil
}
