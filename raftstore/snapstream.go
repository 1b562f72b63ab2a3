package raftstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
)

// Snapshots as streams of SST files.
//
// Sender: when raft asks its Storage for a snapshot, the store takes a
// Pebble snapshot while it holds the replica's lock (the applied index
// cannot move then), and registers it under an id (outgoingSnapshots).
// Snapshot.Data is a header: format, id, descriptor. The MsgSnap goes
// through the Transport like any message; the transport calls
// StreamSnapshot, which writes one SST per span of snapshotSpans straight
// into the stream in chunks (so memory stays at a chunk, whatever the
// range's size), and then ReportSnapshot. A registered snapshot is
// released once streamed, or when it expires: an expired snapshot that
// was never fetched (the message was lost) is reported failed, so raft
// sends another.
//
// Receiver: NewIncomingSnapshot collects the files in a directory of
// its own (a bounded number at a time, bounded in size); HandleSnapshot
// steps the MsgSnap into the replica and waits. When raft's Ready carries
// the snapshot, the scheduler writes one more SST holding the replica's
// new unreplicated raft state (a range deletion over the raft log, the
// Ready's HardState, the truncated state at the snapshot) and ingests all
// the files with one pebble.DB.Ingest. Ingest is atomic across its files
// (one version edit, made durable before Ingest returns): after a crash
// the replica has either its old state or the whole snapshot with the
// raft state that matches it, never the snapshot's data with the old log
// or term. The entries of the same Ready are appended after it in the
// ordinary synced batch; losing them to a crash loses nothing raft relied
// on, because no message promising them was sent yet. A snapshot raft
// does not take (stale, or the replica is busy with another) releases its
// files.

// snapshotFormat is the version of Snapshot.Data's header.
const snapshotFormat byte = 2

// Bounds of the snapshots a store holds for sending.
const (
	// maxOutgoingSnapshots bounds the Pebble snapshots held at once (each
	// pins the versions it sees); past it raft is told to retry later.
	maxOutgoingSnapshots = 8
	// snapshotFetchTimeout is how long a snapshot waits for its transport
	// to fetch it before it is released and reported failed.
	snapshotFetchTimeout = 15 * time.Second
	// SnapshotStreamTimeout bounds how long a transport may take to
	// stream one snapshot, and so how long a fetched one is held.
	SnapshotStreamTimeout = time.Minute
)

// Bounds of the snapshots a store receives.
const (
	// MaxIncomingSnapshots is how many snapshots a store receives at once.
	MaxIncomingSnapshots = 2
	// maxIncomingSnapshotBytes bounds the files of one incoming snapshot.
	maxIncomingSnapshotBytes = 1 << 30
)

// SnapshotChunkSize is the size of the pieces StreamSnapshot emits.
const SnapshotChunkSize = 256 << 10

// ErrSnapshotBusy refuses an incoming snapshot when the store receives as
// many as it may, or the replica already has one pending.
var ErrSnapshotBusy = errors.New("raftstore: too many snapshots in flight")

// errSnapshotRejected answers a snapshot raft did not take (stale).
var errSnapshotRejected = errors.New("raftstore: snapshot not applied by raft (stale)")

// snapshotData is a decoded snapshot header.
type snapshotData struct {
	id   uint64
	desc *kvpb.RangeDescriptor
}

func encodeSnapshotHeader(id uint64, desc *kvpb.RangeDescriptor) []byte {
	var w kvpb.Writer
	w.Byte(snapshotFormat)
	w.Uvarint(id)
	w.Bytes_(desc.Marshal())
	return w.Bytes()
}

func decodeSnapshotHeader(b []byte) (*snapshotData, error) {
	r := kvpb.NewReader(b)
	if f := r.Byte(); f != snapshotFormat {
		return nil, fmt.Errorf("raftstore: snapshot format %d unknown", f)
	}
	id := r.Uvarint()
	db := r.Bytes()
	if r.Err() != nil {
		return nil, r.Err()
	}
	desc, err := kvpb.UnmarshalRangeDescriptor(db)
	if err != nil {
		return nil, err
	}
	return &snapshotData{id: id, desc: desc}, nil
}

// outgoingSnapshot is a Pebble snapshot held for a transport to stream.
type outgoingSnapshot struct {
	snap    *pebble.Snapshot
	rangeID kvpb.RangeID
	desc    *kvpb.RangeDescriptor
	// to is the raft id of the recipient, known once the MsgSnap is sent.
	to       uint64
	deadline time.Time
	fetched  bool
}

// outgoingSnapshots is the store's registry of snapshots to send.
type outgoingSnapshots struct {
	mu     sync.Mutex
	nextID uint64
	m      map[uint64]*outgoingSnapshot
}

// capture takes the snapshot raft asks replica rangeID's storage for. The
// caller holds the replica's lock, so the applied state read here is the
// one of the whole Pebble snapshot.
func (o *outgoingSnapshots) capture(eng *pebble.DB, rangeID kvpb.RangeID) (*raftpb.Snapshot, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.m) >= maxOutgoingSnapshots {
		return nil, raft.ErrSnapshotTemporarilyUnavailable
	}
	snap := eng.NewSnapshot()
	applied, err := loadAppliedState(snap, rangeID)
	if err != nil {
		_ = snap.Close()
		return nil, err
	}
	desc, ok, err := loadDescriptor(snap, rangeID)
	if err != nil || !ok {
		_ = snap.Close()
		if err == nil {
			err = raft.ErrSnapshotTemporarilyUnavailable
		}
		return nil, err
	}
	if o.m == nil {
		o.m = map[uint64]*outgoingSnapshot{}
	}
	o.nextID++
	id := o.nextID
	o.m[id] = &outgoingSnapshot{snap: snap, rangeID: rangeID, desc: desc, deadline: time.Now().Add(snapshotFetchTimeout)}
	index, term := applied.Index, applied.Term
	return &raftpb.Snapshot{
		Data: encodeSnapshotHeader(id, desc),
		Metadata: &raftpb.SnapshotMetadata{
			Index:     &index,
			Term:      &term,
			ConfState: confStateFromDescriptor(desc),
		},
	}, nil
}

// noteSent records the recipient of a MsgSnap about to be sent.
func (o *outgoingSnapshots) noteSent(m *raftpb.Message) {
	sd, err := decodeSnapshotHeader(m.GetSnapshot().GetData())
	if err != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if out, ok := o.m[sd.id]; ok {
		out.to = m.GetTo()
	}
}

// fetch hands snapshot id to its streamer, which must release it.
func (o *outgoingSnapshots) fetch(id uint64) (*outgoingSnapshot, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out, ok := o.m[id]
	if !ok || out.fetched {
		return nil, false
	}
	out.fetched = true
	return out, true
}

// release forgets snapshot id and closes its Pebble snapshot.
func (o *outgoingSnapshots) release(id uint64) {
	o.mu.Lock()
	out, ok := o.m[id]
	delete(o.m, id)
	o.mu.Unlock()
	if ok {
		_ = out.snap.Close()
	}
}

// expire releases the snapshots never fetched whose deadline passed (all
// of them when all is set) and returns them: raft still waits on them. A
// fetched snapshot is its streamer's to release (its stream has a
// deadline of its own).
func (o *outgoingSnapshots) expire(now time.Time, all bool) (lost []*outgoingSnapshot) {
	o.mu.Lock()
	for id, out := range o.m {
		if !out.fetched && (all || now.After(out.deadline)) {
			delete(o.m, id)
			lost = append(lost, out)
		}
	}
	o.mu.Unlock()
	for _, out := range lost {
		_ = out.snap.Close()
	}
	return lost
}

// expireSnapshots runs from the scheduler's tick.
func (s *Store) expireSnapshots() {
	for _, out := range s.snapOut.expire(time.Now(), false) {
		if out.to != 0 {
			s.reportSnapshot(out.rangeID, out.to, false)
		}
	}
}

// reportSnapshot tells range id's raft how sending a snapshot to peer to
// ended.
func (s *Store) reportSnapshot(id kvpb.RangeID, to uint64, ok bool) {
	r, err := s.GetReplica(id)
	if err != nil {
		return
	}
	st := raft.SnapshotFailure
	if ok {
		st = raft.SnapshotFinish
	}
	r.mu.Lock()
	if !r.mu.stopped {
		r.unquiesceLocked()
		r.mu.rawNode.ReportSnapshot(to, st)
	}
	r.mu.Unlock()
	s.enqueue(r)
}

// ReportSnapshot is the transport's word on a MsgSnap of m: streamed and
// applied (ok), or not. Raft holds back the recipient until it hears.
func (s *Store) ReportSnapshot(m *RaftMessage, ok bool) {
	s.reportSnapshot(m.RangeID, m.Message.GetTo(), ok)
}

// StreamSnapshot writes the SST files of the snapshot m carries (one per
// span of snapshotSpans, each replacing its whole span) to send, in
// pieces of at most SnapshotChunkSize, file by file, and releases the
// snapshot. It fails if the snapshot is not held (expired, or streamed
// already).
func (s *Store) StreamSnapshot(ctx context.Context, m *RaftMessage, send func(file int, data []byte) error) error {
	sd, err := decodeSnapshotHeader(m.Message.GetSnapshot().GetData())
	if err != nil {
		return err
	}
	out, ok := s.snapOut.fetch(sd.id)
	if !ok {
		return fmt.Errorf("raftstore: %s: snapshot %d is not held", m.RangeID, sd.id)
	}
	defer s.snapOut.release(sd.id)
	ctx, cancel := context.WithTimeout(ctx, SnapshotStreamTimeout)
	defer cancel()
	for i, sp := range snapshotSpans(out.desc) {
		if err := ctx.Err(); err != nil {
			return err
		}
		w := &chunkWritable{send: func(b []byte) error { return send(i, b) }}
		if err := writeSpanSST(s.cfg.Engine, out.snap, sp, w); err != nil {
			return fmt.Errorf("raftstore: %s: snapshot span %d: %w", m.RangeID, i, err)
		}
	}
	return nil
}

// sstWriterOptions are the options of the SSTs a store ingests: the
// engine's comparer and table format.
func sstWriterOptions(eng *pebble.DB) sstable.WriterOptions {
	return sstable.WriterOptions{Comparer: mvcc.EngineComparer, TableFormat: eng.TableFormat()}
}

// writeSpanSST writes an SST holding a range deletion over sp and every
// key of sp in snap. Ingested, its keys get one sequence number, above
// everything the engine holds, and the range deletion deletes only keys
// below it: the file replaces the span.
func writeSpanSST(eng *pebble.DB, snap *pebble.Snapshot, sp engineSpan, out *chunkWritable) error {
	w := sstable.NewWriter(out, sstWriterOptions(eng))
	it, err := snap.NewIter(&pebble.IterOptions{LowerBound: sp.start, UpperBound: sp.end})
	if err != nil {
		_ = w.Close()
		return err
	}
	err = w.DeleteRange(sp.start, sp.end)
	for valid := it.First(); valid && err == nil; valid = it.Next() {
		var v []byte
		if v, err = it.ValueAndErr(); err == nil {
			err = w.Set(it.Key(), v)
		}
	}
	err = errors.Join(err, it.Close())
	if err != nil {
		out.failed = true
	}
	return errors.Join(err, w.Close())
}

// chunkWritable is an objstorage.Writable that hands the file on in
// chunks as the SST writer produces it.
type chunkWritable struct {
	send   func([]byte) error
	buf    []byte
	failed bool
}

func (c *chunkWritable) Write(p []byte) error {
	for len(p) > 0 {
		n := min(len(p), SnapshotChunkSize-len(c.buf))
		c.buf = append(c.buf, p[:n]...)
		p = p[n:]
		if len(c.buf) == SnapshotChunkSize {
			if err := c.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *chunkWritable) flush() error {
	if c.failed {
		return errors.New("raftstore: snapshot stream failed")
	}
	// send may keep the slice (gRPC marshals it before Send returns,
	// but take no chances): start a new one.
	b := c.buf
	c.buf = make([]byte, 0, SnapshotChunkSize)
	if err := c.send(b); err != nil {
		c.failed = true
		return err
	}
	return nil
}

// Finish sends the last chunk (an empty file still sends one, so the
// receiver knows the file).
func (c *chunkWritable) Finish() error { return c.flush() }

func (c *chunkWritable) Abort() { c.failed = true }

// IncomingSnapshot is the SST files of a snapshot being received, in a
// directory of their own under the store's snapshot directory. Close
// removes them.
type IncomingSnapshot struct {
	s     *Store
	dir   string
	paths []string
	cur   vfs.File
	size  int64
	once  sync.Once
}

// NewIncomingSnapshot starts receiving a snapshot; it fails with
// ErrSnapshotBusy when the store receives MaxIncomingSnapshots already.
func (s *Store) NewIncomingSnapshot() (*IncomingSnapshot, error) {
	if s.cfg.SnapshotFS == nil {
		return nil, errors.New("raftstore: the store has no snapshot directory")
	}
	select {
	case s.snapIn <- struct{}{}:
	default:
		return nil, ErrSnapshotBusy
	}
	dir := s.cfg.SnapshotFS.PathJoin(s.cfg.SnapshotDir, strconv.FormatUint(s.idSeq.Add(1), 10))
	if err := s.cfg.SnapshotFS.MkdirAll(dir, 0o755); err != nil {
		<-s.snapIn
		return nil, err
	}
	return &IncomingSnapshot{s: s, dir: dir}, nil
}

// Write appends data to file number file; files come in order from 0.
func (in *IncomingSnapshot) Write(file int, data []byte) error {
	fs := in.s.cfg.SnapshotFS
	if file != len(in.paths)-1 {
		if file != len(in.paths) {
			return fmt.Errorf("raftstore: snapshot file %d out of order", file)
		}
		if err := in.closeFile(); err != nil {
			return err
		}
		p := fs.PathJoin(in.dir, strconv.Itoa(file)+".sst")
		f, err := fs.Create(p, vfs.WriteCategoryUnspecified)
		if err != nil {
			return err
		}
		in.cur, in.paths = f, append(in.paths, p)
	}
	in.size += int64(len(data))
	if in.size > maxIncomingSnapshotBytes {
		return fmt.Errorf("raftstore: snapshot exceeds %d bytes", maxIncomingSnapshotBytes)
	}
	_, err := in.cur.Write(data)
	return err
}

// closeFile syncs and closes the file being written: ingestion links it
// into the engine, which must find it whole after a crash.
func (in *IncomingSnapshot) closeFile() error {
	if in.cur == nil {
		return nil
	}
	f := in.cur
	in.cur = nil
	return errors.Join(f.Sync(), f.Close())
}

// Close removes the snapshot's files. It may be called more than once.
func (in *IncomingSnapshot) Close() {
	in.once.Do(func() {
		if in.cur != nil {
			_ = in.cur.Close()
		}
		_ = in.s.cfg.SnapshotFS.RemoveAll(in.dir)
		<-in.s.snapIn
	})
}

// pendingSnapshot is an incoming snapshot stepped into raft, waiting for
// the Ready that applies it.
type pendingSnapshot struct {
	index, term uint64
	in          *IncomingSnapshot
	done        chan error // buffered: the scheduler never waits
}

// HandleSnapshot steps the MsgSnap m, whose files in holds, into its
// replica (creating it, uninitialized, as HandleRaftMessage does), and
// waits until raft applied it, refused it, or ctx ends. It takes in: the
// store closes it once done with it.
func (s *Store) HandleSnapshot(ctx context.Context, m *RaftMessage, in *IncomingSnapshot) error {
	if err := in.closeFile(); err != nil {
		in.Close()
		return err
	}
	p, err := s.stepSnapshot(m, in)
	if err != nil {
		in.Close()
		return err
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		// The scheduler still owns in, and closes it.
		return ctx.Err()
	}
}

func (s *Store) stepSnapshot(m *RaftMessage, in *IncomingSnapshot) (*pendingSnapshot, error) {
	if err := s.Failed(); err != nil {
		return nil, err
	}
	if m.Message.GetType() != raftpb.MessageType_MsgSnap {
		return nil, fmt.Errorf("raftstore: %s is not a snapshot", m.Message.GetType())
	}
	sd, err := decodeSnapshotHeader(m.Message.GetSnapshot().GetData())
	if err != nil {
		return nil, err
	}
	if sd.desc.RangeID != m.RangeID {
		return nil, fmt.Errorf("raftstore: snapshot of %s sent to %s", sd.desc.RangeID, m.RangeID)
	}
	if n := len(snapshotSpans(sd.desc)); len(in.paths) != n {
		return nil, fmt.Errorf("raftstore: snapshot has %d files, want %d", len(in.paths), n)
	}
	r, err := s.GetReplica(m.RangeID)
	if err != nil {
		if r, err = s.uninitializedReplica(m); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.stopped {
		return nil, ErrStopped
	}
	// The files replace the new descriptor's spans only. A narrower
	// snapshot (the range split since this replica's state, and the log
	// it missed is gone) is taken: the keys it gives up belong to the
	// right-hand ranges, whose own snapshots clear and replace them. A
	// wider one (a merge) would keep the keys of the replicas it
	// subsumes: refused.
	if old := r.mu.desc; len(old.EndKey) > 0 && (bytes.Compare(sd.desc.StartKey, old.StartKey) < 0 || bytes.Compare(sd.desc.EndKey, old.EndKey) > 0) {
		return nil, fmt.Errorf("raftstore: %s: snapshot bounds %s reach beyond the replica's %s", m.RangeID,
			kvpb.Span{Key: sd.desc.StartKey, EndKey: sd.desc.EndKey}, kvpb.Span{Key: old.StartKey, EndKey: old.EndKey})
	}
	if r.mu.pendingSnap != nil {
		return nil, ErrSnapshotBusy
	}
	if len(r.mu.desc.EndKey) == 0 {
		// An uninitialized replica (often the right-hand side of a split
		// this store has not applied yet) never takes a snapshot over
		// keys an initialized replica holds: the split initializes it.
		if o := s.overlapping(sd.desc); o != nil {
			return nil, fmt.Errorf("raftstore: snapshot of %s overlaps %s on store %s", sd.desc, o, s.cfg.StoreID)
		}
	}
	if m.From.ReplicaID != 0 && len(r.mu.peers) < 64 {
		r.mu.peers[uint64(m.From.ReplicaID)] = m.From
	}
	md := m.Message.GetSnapshot().GetMetadata()
	p := &pendingSnapshot{index: md.GetIndex(), term: md.GetTerm(), in: in, done: make(chan error, 1)}
	r.unquiesceLocked()
	if err := r.mu.rawNode.Step(m.Message); err != nil {
		return nil, err
	}
	r.mu.pendingSnap = p
	s.enqueue(r)
	return p, nil
}

// takePendingSnapshotLocked matches the pending snapshot with the Ready
// just taken (rd nil: there was none): raft applies a snapshot it takes in
// the first Ready after the Step, so a pending snapshot that Ready does
// not carry was refused. r.mu is held.
func (r *Replica) takePendingSnapshotLocked(rd *raft.Ready) *pendingSnapshot {
	p := r.mu.pendingSnap
	if p == nil {
		return nil
	}
	r.mu.pendingSnap = nil
	if rd != nil && !raft.IsEmptySnap(rd.Snapshot) &&
		rd.Snapshot.GetMetadata().GetIndex() == p.index && rd.Snapshot.GetMetadata().GetTerm() == p.term {
		return p
	}
	p.finish(errSnapshotRejected)
	return nil
}

// finish answers the waiter and releases the files.
func (p *pendingSnapshot) finish(err error) {
	p.in.Close()
	p.done <- err
}

// ingestSnapshot replaces the replica's state with the snapshot of rd
// (received as p's files) and returns its header; the caller installs it
// in memory (installSnapshotLocked).
func (r *Replica) ingestSnapshot(p *pendingSnapshot, rd *raft.Ready) (*snapshotData, error) {
	sd, err := decodeSnapshotHeader(rd.Snapshot.GetData())
	if err != nil {
		return nil, err
	}
	hs := rd.HardState
	if raft.IsEmptyHardState(hs) {
		r.mu.Lock()
		hs = r.mu.storage.hardState
		r.mu.Unlock()
	}
	pos := logPosition{Index: p.index, Term: p.term}
	fs := r.store.cfg.SnapshotFS
	path := fs.PathJoin(p.in.dir, "raft.sst")
	if err := writeRaftStateSST(r.store.cfg.Engine, fs, path, r.rangeID, hs, pos); err != nil {
		return nil, err
	}
	paths := append(slices.Clone(p.in.paths), path)
	if err := r.store.cfg.Engine.Ingest(context.Background(), paths); err != nil {
		return nil, fmt.Errorf("raftstore: %s: ingesting a snapshot: %w", r.rangeID, err)
	}
	return sd, nil
}

// writeRaftStateSST writes the unreplicated raft state a snapshot at pos
// leaves: an empty log (a range deletion over it), hs, and the log
// truncated at pos. Other unreplicated keys of the range are kept.
func writeRaftStateSST(eng *pebble.DB, fs vfs.FS, path string, id kvpb.RangeID, hs *raftpb.HardState, pos logPosition) error {
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	w := sstable.NewWriter(objstorageprovider.NewFileWritable(f), sstWriterOptions(eng))
	kvs := [][2][]byte{
		{engineKey(kvpb.RaftTruncatedStateKey(id)), encodeLogPosition(truncStateFormat, pos)},
	}
	if !raft.IsEmptyHardState(hs) {
		kvs = append(kvs, [2][]byte{engineKey(kvpb.RaftHardStateKey(id)), encodeHardState(hs)})
	}
	slices.SortFunc(kvs, func(a, b [2][]byte) int { return mvcc.EngineComparer.Compare(a[0], b[0]) })
	err = w.DeleteRange(engineKey(kvpb.RaftLogPrefix(id)), engineKey(kvpb.PrefixEnd(kvpb.RaftLogPrefix(id))))
	for _, kv := range kvs {
		if err == nil {
			err = w.Set(kv[0], kv[1])
		}
	}
	// Close syncs the file (the Writable does).
	return errors.Join(err, w.Close())
}
