// Package server assembles a rangedb node and owns its lifecycle and
// listeners.
//
// New opens the store's Pebble engine (kv/mvcc), bootstraps a fresh store
// with range 1 spanning the whole keyspace (raftstore.WriteInitialState),
// and builds the layers bottom-up: the raftstore.Store with its scheduler;
// the TSO (placement) over range 1 through tsoStorage, an adapter from the
// Store's leadership and ReadIndex; the kv.DB client, whose Sender is the
// local Store (the in-process path; gRPC between nodes comes with
// multi-node); the sql.Engine; the pgwire server, reaching sessions through
// sessionFactory; and an HTTP server with /health and /metrics
// (health.go: /health?ready=1 is not ready while the disk is full or the
// store has failed; a store failure calls Config.OnFatal and drains every
// SQL connection).
//
// Start brings them up in that order and waits until range 1 has a leader
// that has committed an entry of its term; Stop drains SQL connections and
// stops them in reverse order. A Server holds no package-level state, so
// several nodes can live in one test process.
package server
