package raftstore

import (
	"encoding/binary"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// commandFormat is the first byte of every normal raft entry's data.
const commandFormat byte = 1

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
type command struct {
	proposalID uint64
	requests   []kvpb.Request
}

func encodeCommand(proposalID uint64, reqs []kvpb.Request) []byte {
	var w kvpb.Writer
	w.Byte(commandFormat)
	w.Uvarint(proposalID)
	return append(w.Bytes(), kvpb.EncodeRequests(reqs)...)
}

func decodeCommand(b []byte) (command, error) {
	if len(b) == 0 || b[0] != commandFormat {
		return command{}, fmt.Errorf("raftstore: command format unknown (%d bytes)", len(b))
	}
	id, n := binary.Uvarint(b[1:])
	if n <= 0 {
		return command{}, fmt.Errorf("raftstore: decoding command: %w", kvpb.ErrTruncated)
	}
	reqs, err := kvpb.DecodeRequests(b[1+n:])
	if err != nil {
		return command{}, fmt.Errorf("raftstore: decoding command %d: %w", id, err)
	}
	return command{proposalID: id, requests: reqs}, nil
}
