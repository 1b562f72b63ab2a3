package pgwire

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file retries an extended-protocol implicit transaction that fails
// to commit at Sync with a serialization failure, so that — as for a
// simple-protocol statement outside BEGIN (sql.Session.runImplicit) — a
// client never sees a conflict it could not have caused (DESIGN.md §4:
// "the server retries it on a conflict, so the client never sees one").
//
// The messages of a unit (everything since the last Sync) are recorded;
// their replies stay in the write buffer until ReadyForQuery. When Sync's
// commit fails with 40001, the unit's replies have not been flushed, and
// the unit is replayable, the replies are dropped and the messages run
// again on a fresh transaction, up to maxUnitReplays times. A unit is
// replayable when replaying it cannot differ from the first run in
// anything but the data read: it parses no named statement and closes
// nothing (named statements outlive the failed transaction; unnamed ones
// and portals do not), and its messages total at most maxUnitBytes.

const (
	maxUnitReplays = 30
	maxUnitBytes   = 1 << 20
)

// unit is the recorded messages of the current extended-protocol unit.
type unit struct {
	msgs       [][]byte // encoded messages, in order
	bytes      int
	notReplay  bool // a message makes replay unsafe, or the unit is too big
	start      int  // len(wbuf) when the unit began
	flushed    bool // replies of the unit reached the client
	replaying  bool
	inProgress bool
}

// record notes a message of the unit. Messages alias the receive buffer,
// so they are kept encoded.
func (c *conn) record(msg pgproto3.FrontendMessage) {
	u := &c.unit
	if u.replaying {
		return
	}
	if !u.inProgress {
		u.inProgress = true
		u.start = len(c.wbuf)
	}
	switch m := msg.(type) {
	case *pgproto3.Parse:
		if m.Name != "" {
			u.notReplay = true
		}
	case *pgproto3.Close:
		u.notReplay = true
	}
	if u.notReplay {
		return
	}
	b, err := msg.Encode(nil)
	if err != nil || u.bytes+len(b) > maxUnitBytes {
		u.notReplay = true
		u.msgs = nil
		return
	}
	u.msgs = append(u.msgs, b)
	u.bytes += len(b)
}

// resetUnit starts a new unit (after ReadyForQuery).
func (c *conn) resetUnit() { c.unit = unit{} }

// flushedUnit notes that the unit's replies reached the client.
func (c *conn) flushedUnit() {
	if c.unit.inProgress {
		c.unit.flushed = true
	}
}

// retryableSyncError reports whether Sync's error may be retried by replay.
func (c *conn) retryableSyncError(err error) bool {
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeSerializationFailure {
		return false
	}
	u := &c.unit
	return u.inProgress && !u.notReplay && !u.flushed && len(u.msgs) > 0
}

// replayUnit drops the unit's replies and runs its messages again; false
// ends the connection.
func (c *conn) replayUnit() bool {
	u := &c.unit
	c.wbuf = c.wbuf[:u.start]
	c.ignoreTillSync = false
	u.replaying = true
	defer func() { u.replaying = false }()
	for _, b := range u.msgs {
		msg, err := decodeFrontend(b)
		if err != nil {
			c.sendFatal(protocolViolation("replaying a message: %v", err))
			return false
		}
		if c.ignoreTillSync {
			continue
		}
		if !c.extended(msg) {
			return false
		}
	}
	return true
}

// decodeFrontend decodes one encoded extended-protocol message.
func decodeFrontend(b []byte) (pgproto3.FrontendMessage, error) {
	if len(b) < 5 {
		return nil, errors.New("short message")
	}
	var msg pgproto3.FrontendMessage
	switch b[0] {
	case 'P':
		msg = &pgproto3.Parse{}
	case 'B':
		msg = &pgproto3.Bind{}
	case 'D':
		msg = &pgproto3.Describe{}
	case 'E':
		msg = &pgproto3.Execute{}
	default:
		return nil, fmt.Errorf("message type %q is not replayed", b[0])
	}
	body := append([]byte(nil), b[5:]...)
	if err := msg.Decode(body); err != nil {
		return nil, err
	}
	return msg, nil
}
