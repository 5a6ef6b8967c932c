package events

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedConfig configures an in-process NATS server with JetStream on disk.
type EmbeddedConfig struct {
	// Host to listen on; empty means 127.0.0.1.
	Host string `yaml:"host"`
	// Port to listen on; -1 picks a random free port, 0 means NATS' 4222.
	Port int `yaml:"port"`
	// StoreDir holds the JetStream files. Required: a stream that lives in a
	// temporary directory would lose events on restart.
	StoreDir string `yaml:"store_dir"`
	// ServerName names the server in logs and JetStream metadata; empty means
	// "relais".
	ServerName string `yaml:"server_name"`
	// Log receives the server's own log lines; nil silences them.
	Log *slog.Logger `yaml:"-"`
}

// Embedded is a NATS server running in this process.
type Embedded struct {
	srv *server.Server
}

// readyTimeout bounds how long StartEmbedded waits for the server to accept
// clients.
const readyTimeout = 10 * time.Second

// StartEmbedded starts a NATS server with JetStream enabled and waits until it
// accepts connections.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("start embedded nats: store dir is required")
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.ServerName == "" {
		cfg.ServerName = "relais"
	}
	opts := &server.Options{
		ServerName: cfg.ServerName,
		Host:       cfg.Host,
		Port:       cfg.Port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		NoSigs:     true,
		NoLog:      cfg.Log == nil,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("start embedded nats: %w", err)
	}
	if cfg.Log != nil {
		srv.SetLoggerV2(serverLogger{cfg.Log.With("component", "nats_server")}, false, false, false)
	}
	srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("start embedded nats on %s:%d: not ready after %s", cfg.Host, cfg.Port, readyTimeout)
	}
	return &Embedded{srv: srv}, nil
}

// ClientURL is the URL clients connect to, e.g. nats://127.0.0.1:34567.
func (e *Embedded) ClientURL() string { return e.srv.ClientURL() }

// Shutdown stops the server and waits until it has flushed JetStream to disk.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// serverLogger routes nats-server's printf-style logs to slog under one fixed
// message, the formatted line as an attribute.
type serverLogger struct{ log *slog.Logger }

const serverLogMsg = "nats server log"

func (l serverLogger) Noticef(format string, v ...any) {
	l.log.Info(serverLogMsg, "detail", fmt.Sprintf(format, v...))
}

func (l serverLogger) Warnf(format string, v ...any) {
	l.log.Warn(serverLogMsg, "detail", fmt.Sprintf(format, v...))
}

func (l serverLogger) Fatalf(format string, v ...any) {
	l.log.Error(serverLogMsg, "detail", fmt.Sprintf(format, v...), "fatal", true)
}

func (l serverLogger) Errorf(format string, v ...any) {
	l.log.Error(serverLogMsg, "detail", fmt.Sprintf(format, v...))
}

func (l serverLogger) Debugf(format string, v ...any) {
	l.log.Debug(serverLogMsg, "detail", fmt.Sprintf(format, v...))
}

func (l serverLogger) Tracef(format string, v ...any) {
	l.log.Debug(serverLogMsg, "detail", fmt.Sprintf(format, v...))
}
