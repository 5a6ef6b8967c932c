package relais

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/relais-data/relais/services/catalog"
)

// setPassword runs `relais admin set-password --email E --password-stdin
// [config flags]`: the first line of standard input becomes the user's
// password (never an argument, which `ps` and shell histories would show).
// Like create-user it writes to the catalog's database directly.
func setPassword(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("set-password", flag.ContinueOnError)
	email := fs.String("email", "", "email of the user (required)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	var rest []string
	for i := 0; i < len(args); i++ { // own flags first, the rest is configuration
		name := strings.TrimLeft(strings.SplitN(args[i], "=", 2)[0], "-")
		if fs.Lookup(name) == nil {
			rest = append(rest, args[i])
			continue
		}
		if err := fs.Parse(args[i : i+1+valueArgs(fs, args, i)]); err != nil {
			return err
		}
		i += valueArgs(fs, args, i)
	}
	if *email == "" || !*fromStdin {
		return errors.New("usage: echo 'password' | relais admin set-password --email E --password-stdin [config flags]")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("set-password: read standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	cfg, db, err := openCatalogDB(ctx, rest)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := catalog.SetUserPassword(ctx, db, cfg.Catalog.TokenSecret, *email, password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s set\n", *email)
	return nil
}

// demoAdminPassword returns the demo administrator's password, kept in
// the data directory beside its token (demo-admin-password, mode 0600):
// made at the first start, set again at each start so that the file and
// the catalog agree.
func (r *Relais) demoAdminPassword(ctx context.Context) (string, error) {
	path := filepath.Join(r.cfg.DataDir, "demo-admin-password")
	b, err := os.ReadFile(path)
	password := strings.TrimSpace(string(b))
	if errors.Is(err, os.ErrNotExist) || password == "" {
		var raw [12]byte
		_, _ = rand.Read(raw[:])
		password = base64.RawURLEncoding.EncodeToString(raw[:])
		if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("keep demo password: %w", err)
		}
	} else if err != nil {
		return "", err
	}
	if err := catalog.SetUserPassword(ctx, r.db, r.cfg.Catalog.TokenSecret, r.cfg.Demo.AdminEmail, password); err != nil {
		return "", err
	}
	return password, nil
}

// demoSignIn is the welcome's line on signing in to the portal.
func (r *Relais) demoSignIn() string {
	return fmt.Sprintf("Portal sign-in: %s/connexion/ as %s, password %s (kept in %s)",
		strings.TrimSuffix(r.cfg.Gateway.PublicURL, "/"), r.cfg.Demo.AdminEmail, r.demo.AdminPassword,
		filepath.Join(r.cfg.DataDir, "demo-admin-password"))
}
