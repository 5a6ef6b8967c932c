package app

import (
	"context"
	"fmt"
)

type failKey struct{}

type failer struct {
	app    *App
	module string
}

// Fail reports that a started module can no longer work (e.g. its server's
// Serve returned): Run shuts everything down and returns err. ctx is the
// context given to the module's Start, or one derived from it. Only the
// first failure is kept. Fail returns false, and does nothing, when ctx does
// not come from an App.
func Fail(ctx context.Context, err error) bool {
	f, ok := ctx.Value(failKey{}).(failer)
	if !ok {
		return false
	}
	select {
	case f.app.failCh <- fmt.Errorf("app: module %s failed: %w", f.module, err):
	default:
	}
	return true
}
