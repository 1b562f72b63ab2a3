package pgwire

import (
	"errors"
	"net"
	"time"
)

// Read-ahead bounds: the reader goroutine holds at most readAheadChunks
// chunks of at most readChunkSize bytes that the connection goroutine has
// not consumed yet, so a client pipelining faster than we execute is
// throttled by TCP flow control, not by our memory.
const (
	readChunkSize   = 16 << 10
	readAheadChunks = 4
)

// errInterrupted is returned by netReader.Read when the server starts
// draining while the connection waits for input.
var errInterrupted = errors.New("pgwire: read interrupted by server drain")

// readError wraps the error that ended the network connection's read side
// (EOF, reset, deadline), so that it can be told apart from a protocol
// error reported by pgproto3.
type readError struct{ err error }

func (e *readError) Error() string { return "pgwire: reading from client: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// netReader is the io.Reader pgproto3.Backend reads from. A goroutine of
// its own keeps reading the socket even while a statement runs, so that a
// client vanishing mid-query is noticed at once (onFail cancels the running
// statement) rather than when results are next flushed.
//
// Ownership: the connection goroutine starts run, and stops it by closing
// stop and the net.Conn, then waits on done.
type netReader struct {
	nc        net.Conn
	chunks    chan []byte
	stop      chan struct{}
	done      chan struct{}   // closed when the socket read has failed
	exited    chan struct{}   // closed when run has returned
	err       error           // the read error; written before done is closed
	interrupt <-chan struct{} // closed when the server drains; nil for never
	onFail    func()          // called by run when the socket read fails

	cur []byte // unread part of the current chunk; connection goroutine only
	// The timeouts of the message being received (beginMessage);
	// connection goroutine only.
	idleTimeout, msgTimeout time.Duration
	gotBytes                bool
	msgTimer                *time.Timer
}

// errIdleTimeout fails a Read that waited longer than the idle timeout for
// a message to begin; errMessageTimeout one whose message did not arrive
// whole in time. Both are net.Error timeouts, as a socket deadline's are.
var (
	errIdleTimeout    = &timeoutError{"pgwire: idle timeout"}
	errMessageTimeout = &timeoutError{"pgwire: timeout waiting for the rest of a message"}
)

type timeoutError struct{ msg string }

func (e *timeoutError) Error() string { return e.msg }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }

// beginMessage arms the timeouts of the next message: the first Read may
// wait idle (0: forever) for its first bytes, then the message must
// arrive whole within msg (0: no bound). endMessage disarms them.
// Connection goroutine only.
func (r *netReader) beginMessage(idle, msg time.Duration) {
	r.idleTimeout, r.msgTimeout, r.gotBytes = idle, msg, false
}

func (r *netReader) endMessage() {
	if r.msgTimer != nil {
		r.msgTimer.Stop()
		r.msgTimer = nil
	}
	r.idleTimeout, r.msgTimeout, r.gotBytes = 0, 0, false
}

// wait returns the channel that ends this Read's wait, and the error to
// fail it with.
func (r *netReader) wait() (<-chan time.Time, *timeoutError, func()) {
	if !r.gotBytes {
		if r.idleTimeout <= 0 {
			return nil, nil, func() {}
		}
		t := time.NewTimer(r.idleTimeout)
		return t.C, errIdleTimeout, func() { t.Stop() }
	}
	if r.msgTimer == nil {
		if r.msgTimeout <= 0 {
			return nil, nil, func() {}
		}
		r.msgTimer = time.NewTimer(r.msgTimeout)
	}
	return r.msgTimer.C, errMessageTimeout, func() {}
}

func newNetReader(nc net.Conn, interrupt <-chan struct{}, onFail func()) *netReader {
	return &netReader{
		nc:        nc,
		chunks:    make(chan []byte, readAheadChunks),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		exited:    make(chan struct{}),
		interrupt: interrupt,
		onFail:    onFail,
	}
}

// run reads the socket until it fails or stop is closed. On failure it
// closes done before calling onFail, so that a statement begun after
// onFail looked for one sees done closed (see conn.beginStatement).
func (r *netReader) run() {
	defer close(r.exited)
	buf := make([]byte, readChunkSize)
	for {
		n, err := r.nc.Read(buf)
		if n > 0 {
			chunk := append([]byte(nil), buf[:n]...)
			select {
			case r.chunks <- chunk:
			case <-r.stop:
				r.err = net.ErrClosed
				close(r.done)
				return
			}
		}
		if err != nil {
			r.err = err
			close(r.done)
			r.onFail()
			return
		}
	}
}

// Read implements io.Reader for the connection goroutine. Buffered data is
// returned before the read error; errors are *readError or errInterrupted.
// The first Read of a message may wait up to the idle timeout, the rest
// until the message timeout (beginMessage).
func (r *netReader) Read(p []byte) (int, error) {
	if len(r.cur) == 0 {
		timer, terr, stop := r.wait()
		defer stop()
		for len(r.cur) == 0 {
			select {
			case <-timer:
				return 0, &readError{terr}
			case c := <-r.chunks:
				r.cur = c
			case <-r.done:
				select {
				case c := <-r.chunks:
					r.cur = c
				default:
					return 0, &readError{r.err}
				}
			case <-r.interrupt:
				return 0, errInterrupted
			}
		}
	}
	r.gotBytes = true
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// close stops run and waits for it. The caller must have closed the
// net.Conn first, so that a blocked socket read returns.
func (r *netReader) close() {
	close(r.stop)
	<-r.exited
}
