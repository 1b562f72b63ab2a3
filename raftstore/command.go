package raftstore

import (
	"encoding/binary"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// The first byte of every normal raft entry's data says what it holds.
const (
	// commandFormat: write requests.
	commandFormat byte = 1
	// checksumFormat: a consistency checksum to compute (checksum.go).
	checksumFormat byte = 2
)

// A command is the payload of a normal raft entry: the write requests of one
// BatchRequest, evaluated atomically at apply on every replica. Its encoding
// is
//
//	format byte ‖ uvarint proposal id ‖ kvpb.EncodeRequests(requests)
//
// The proposal id lets the proposing replica match the applied entry to the
// waiting caller; other replicas ignore it. Ids are random-based (see
// Store.nextProposalID) so an entry from before a restart never matches a
// new proposal.
//
// A checksum command has no requests; its encoding is
//
//	checksumFormat ‖ uvarint proposal id ‖ uvarint checksum id
//
// and checksumID, never zero, names the checksum every replica computes.
type command struct {
	proposalID uint64
	requests   []kvpb.Request
	checksumID uint64
}

func encodeCommand(proposalID uint64, reqs []kvpb.Request) []byte {
	var w kvpb.Writer
	w.Byte(commandFormat)
	w.Uvarint(proposalID)
	return append(w.Bytes(), kvpb.EncodeRequests(reqs)...)
}

func encodeChecksumCommand(proposalID, checksumID uint64) []byte {
	var w kvpb.Writer
	w.Byte(checksumFormat)
	w.Uvarint(proposalID)
	w.Uvarint(checksumID)
	return w.Bytes()
}

func decodeCommand(b []byte) (command, error) {
	if len(b) == 0 || (b[0] != commandFormat && b[0] != checksumFormat) {
		return command{}, fmt.Errorf("raftstore: command format unknown (%d bytes)", len(b))
	}
	id, n := binary.Uvarint(b[1:])
	if n <= 0 {
		return command{}, fmt.Errorf("raftstore: decoding command: %w", kvpb.ErrTruncated)
	}
	if b[0] == checksumFormat {
		cid, m := binary.Uvarint(b[1+n:])
		if m <= 0 || cid == 0 || 1+n+m != len(b) {
			return command{}, fmt.Errorf("raftstore: decoding checksum command %d: malformed", id)
		}
		return command{proposalID: id, checksumID: cid}, nil
	}
	reqs, err := kvpb.DecodeRequests(b[1+n:])
	if err != nil {
		return command{}, fmt.Errorf("raftstore: decoding command %d: %w", id, err)
	}
	return command{proposalID: id, requests: reqs}, nil
}
