package kv

import "github.com/rangedb/rangedb/kv/kvpb"

// A transaction's commit requests are cut into pieces of bounded size,
// so that a large transaction (a COPY, a table rewrite) never asks a
// range for one raft command larger than raftstore accepts (16 MiB by
// default): a prewrite carries at most maxChunkBytes of mutations (keys
// and values) or maxChunkKeys of them, a commit or rollback at most
// maxChunkKeys keys.
const (
	maxChunkBytes = 2 << 20
	maxChunkKeys  = 16 << 10
	// maxOnePCBytes bounds the transactions tried in one phase: one
	// larger commits in two, chunked.
	maxOnePCBytes = 4 << 20
)

// mutationBytes is the size of ms' keys and values.
func mutationBytes(ms []kvpb.Mutation) int {
	n := 0
	for i := range ms {
		n += len(ms[i].Key) + len(ms[i].Value)
	}
	return n
}

// chunkMutations cuts ms into consecutive pieces within the bounds.
func chunkMutations(ms []kvpb.Mutation) [][]kvpb.Mutation {
	var out [][]kvpb.Mutation
	start, size := 0, 0
	for i := range ms {
		n := len(ms[i].Key) + len(ms[i].Value)
		if i > start && (size+n > maxChunkBytes || i-start >= maxChunkKeys) {
			out = append(out, ms[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(ms) {
		out = append(out, ms[start:])
	}
	return out
}

// chunkKeys cuts keys into consecutive pieces of at most maxChunkKeys.
func chunkKeys(keys []kvpb.Key) [][]kvpb.Key {
	var out [][]kvpb.Key
	for len(keys) > maxChunkKeys {
		out = append(out, keys[:maxChunkKeys])
		keys = keys[maxChunkKeys:]
	}
	if len(keys) > 0 {
		out = append(out, keys)
	}
	return out
}
