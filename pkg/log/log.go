// Package log builds the structured slog logger every Relais target uses.
//
// Records logged with a context that carries an OpenTelemetry span get the
// span's trace_id and span_id as top-level attributes, so logs and traces
// can be joined.
package log

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Config selects the level and the format of the logs.
type Config struct {
	Level  string `yaml:"level"`  // debug, info, warn or error; "" means info
	Format string `yaml:"format"` // text or json; "" means text
}

// New returns a logger writing to w.
func New(cfg Config, w io.Writer) (*slog.Logger, error) {
	level, err := ParseLevel(cfg.Level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(cfg.Format) {
	case "", "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("log: unknown format %q (want text or json)", cfg.Format)
	}
	return slog.New(NewTraceHandler(h)), nil
}

// ParseLevel parses debug, info, warn (or warning) and error, in any case;
// "" means info.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log: unknown level %q (want debug, info, warn or error)", s)
}
