package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Defaults for Config.
const (
	DefaultMaxMessageSize = 16 << 20 // 16 MiB
	DefaultServerVersion  = "15.0"
	DefaultStartupTimeout = 60 * time.Second
	DefaultMaxConnections = 100
)

// errTooManyConnections refuses a connection past MaxConnections.
var errTooManyConnections = errors.New("pgwire: too many connections")

// fatalWriteTimeout bounds the write of a final FATAL ErrorResponse, so a
// client that does not read cannot hold a connection goroutine.
const fatalWriteTimeout = time.Second

// ErrServerClosed is returned by Serve (and Start) once Drain or Close has
// been called. It wraps net.ErrClosed, so callers that treat a closed
// listener as a clean stop need no special case.
var ErrServerClosed = fmt.Errorf("pgwire: server closed: %w", net.ErrClosed)

// Config configures a Server. Sessions is required; zero values of the
// other fields select the defaults.
type Config struct {
	// Addr is the TCP address Start listens on ("127.0.0.1:26257",
	// ":0"). Unused by Serve.
	Addr string
	// Sessions opens a SQL session for each authenticated connection.
	Sessions SessionFactory
	// Logger receives connection-level events; nil discards them.
	Logger *slog.Logger
	// MaxMessageSize bounds the body of one frontend message (a Query's
	// text, say). A larger message ends the connection with FATAL 08P01.
	// Default DefaultMaxMessageSize. PostgreSQL allows up to 1 GiB; we stay
	// bounded because the whole message is buffered.
	MaxMessageSize int
	// ServerVersion is reported as server_version; it must be 15.x because
	// clients pick features by it. Default DefaultServerVersion.
	ServerVersion string
	// StartupTimeout bounds the startup phase (SSL negotiation, startup
	// message, opening the session), and the arrival of a message's rest
	// once its first byte came: PostgreSQL's authentication_timeout.
	// Default DefaultStartupTimeout.
	StartupTimeout time.Duration
	// MaxConnections bounds the connections past startup; the next is
	// refused with FATAL 53300 (CancelRequests still pass). Default
	// DefaultMaxConnections.
	MaxConnections int
}

// Server serves the PostgreSQL v3 wire protocol. It owns the goroutine of
// every connection it accepts and waits for them in Drain/Close.
type Server struct {
	cfg Config
	log *slog.Logger

	// drainCh is closed when draining starts; connection readers select on
	// it so that idle connections wake up and close.
	drainCh chan struct{}
	// wg counts connection goroutines and Start's accept loop. Add is only
	// called under mu while !mu.draining, so it never races with Wait.
	wg sync.WaitGroup

	mu struct {
		sync.Mutex
		draining  bool
		listeners map[net.Listener]struct{}
		// conns holds every live connection; byPID those past startup,
		// for CancelRequest.
		conns map[*conn]struct{}
		byPID map[uint32]*conn
	}
	// addr is the address Start listens on; set once by Start.
	addr net.Addr
}

// New validates cfg, fills in defaults and returns a Server that is not
// yet serving.
func New(cfg Config) (*Server, error) {
	if cfg.Sessions == nil {
		return nil, errors.New("pgwire: Config.Sessions is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxMessageSize < 0 {
		return nil, fmt.Errorf("pgwire: negative MaxMessageSize %d", cfg.MaxMessageSize)
	}
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = DefaultServerVersion
	}
	if len(cfg.ServerVersion) < 3 || cfg.ServerVersion[:3] != "15." {
		return nil, fmt.Errorf("pgwire: ServerVersion %q is not 15.x", cfg.ServerVersion)
	}
	if cfg.StartupTimeout < 0 {
		return nil, fmt.Errorf("pgwire: negative StartupTimeout %s", cfg.StartupTimeout)
	}
	if cfg.StartupTimeout == 0 {
		cfg.StartupTimeout = DefaultStartupTimeout
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	s := &Server{cfg: cfg, log: cfg.Logger, drainCh: make(chan struct{})}
	s.mu.listeners = make(map[net.Listener]struct{})
	s.mu.conns = make(map[*conn]struct{})
	s.mu.byPID = make(map[uint32]*conn)
	return s, nil
}

// Start listens on Config.Addr and serves it in a goroutine that Drain
// and Close stop and wait for.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("pgwire: listen %s: %w", s.cfg.Addr, err)
	}
	s.mu.Lock()
	if s.mu.draining {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.addr = ln.Addr()
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		if err := s.Serve(ln); err != nil && !errors.Is(err, ErrServerClosed) {
			s.log.Error("pgwire: serve failed", "addr", ln.Addr(), "err", err)
		}
	}()
	return nil
}

// Addr returns the address Start listens on, or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Serve accepts connections on ln until Drain or Close, serving each in a
// goroutine owned by s. It closes ln on return and returns ErrServerClosed
// once draining, or the listener's error.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.mu.draining {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.mu.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.mu.listeners, ln)
		s.mu.Unlock()
		_ = ln.Close()
	}()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isDraining() {
				return ErrServerClosed
			}
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("pgwire: accept failed; retrying", "err", err, "backoff", backoff)
				t := time.NewTimer(backoff)
				select {
				case <-t.C:
				case <-s.drainCh:
					t.Stop()
				}
				continue
			}
			return err
		}
		backoff = 0
		c, ok := s.track(nc)
		if !ok {
			_ = nc.Close()
			continue
		}
		go func() {
			defer s.wg.Done()
			c.serve()
		}()
	}
}

// ServeConn serves one already-accepted connection on the calling
// goroutine and returns when it ends. It closes nc. It lets the server
// package hand over connections from a listener it shares.
func (s *Server) ServeConn(nc net.Conn) {
	c, ok := s.track(nc)
	if !ok {
		_ = nc.Close()
		return
	}
	defer s.wg.Done()
	c.serve()
}

// track registers a new connection and counts it in wg; false once
// draining.
func (s *Server) track(nc net.Conn) (*conn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.draining {
		return nil, false
	}
	c := newConn(s, nc)
	s.mu.conns[c] = struct{}{}
	s.wg.Add(1)
	return c, true
}

// untrack forgets a finished connection.
func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mu.conns, c)
	if c.pid != 0 && s.mu.byPID[c.pid] == c {
		delete(s.mu.byPID, c.pid)
	}
}

// registerCancelKey gives c a process id unique among live connections and
// a random secret key, for BackendKeyData.
func (s *Server) registerCancelKey(c *conn) error {
	var b [8]byte
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.mu.byPID) >= s.cfg.MaxConnections {
		return errTooManyConnections
	}
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		// PostgreSQL process ids are positive int32s; some drivers store
		// them signed.
		pid := binary.BigEndian.Uint32(b[:4]) & 0x7fffffff
		if pid == 0 || s.mu.byPID[pid] != nil {
			continue
		}
		c.pid = pid
		copy(c.secret[:], b[4:])
		s.mu.byPID[pid] = c
		return nil
	}
}

// cancelRequest cancels the running statement of the connection whose
// BackendKeyData is (pid, secret), if any. As in PostgreSQL, a wrong key is
// ignored silently.
func (s *Server) cancelRequest(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.mu.byPID[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret[:], secret) != 1 {
		s.log.Info("pgwire: CancelRequest for unknown process or wrong key", "pid", pid)
		return
	}
	s.log.Debug("pgwire: CancelRequest", "pid", pid)
	c.cancelStatement(errCancelRequested)
}

func (s *Server) isDraining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.draining
}

// Drain shuts the server down: it stops accepting, closes idle
// connections with FATAL 57P01 and lets running statements finish (their
// connections close at their next idle point) until ctx is done; then it
// cancels the statements still running and terminates their connections
// with FATAL 57P01 `terminating connection due to administrator command`.
// It returns once every connection goroutine and Start's accept loop have
// exited: nil if all finished before ctx was done, else ctx.Err(). Sessions
// must honor context cancellation for Drain to return promptly. Calling
// Drain again (or after Close) just waits again.
func (s *Server) Drain(ctx context.Context) error {
	s.mu.Lock()
	if !s.mu.draining {
		s.mu.draining = true
		close(s.drainCh)
		for ln := range s.mu.listeners {
			_ = ln.Close()
		}
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.mu.conns {
		c.kill()
	}
	s.mu.Unlock()
	<-done
	return ctx.Err()
}

// Close terminates every connection at once (Drain with an expired
// context) and waits for their goroutines.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.Drain(ctx)
	return nil
}
