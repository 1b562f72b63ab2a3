// Package server assembles a rangedb node and owns its lifecycle and
// listeners.
//
// New opens the store's Pebble engine (kv/mvcc). A single node
// (Config.SingleNode) bootstraps range 1 over the whole keyspace in an
// empty store; a cluster node reads its identity (cluster.go:
// kvpb.StoreIdentKey) and, if it has none, builds nothing until Start has
// one. buildNode then builds the layers bottom-up: the raftstore.Store with
// its scheduler (and, in a cluster, server/rpc's Transport for raft
// messages); the TSO (placement) over range 1 through tsoStorage; the
// kv.DB client, whose Sender is the local Store on a single node and a
// kv.DistSender over server/rpc in a cluster (which also takes its
// timestamps from range 1's leader, tsoClient); the sql.Engine; the pgwire
// server, reaching sessions through sessionFactory.
//
// Start opens the node-to-node listener first (server/rpc: batches, raft
// messages, Init, Join, Timestamps, Nodes); a new cluster node waits there
// until `rangedb init` bootstraps range 1 on it or a node of Config.Join
// gives it an id from /System/node-idgen (awaitIdentity). It then starts
// the store, waits until range 1 answers, bootstraps SQL, and opens the
// SQL and HTTP listeners (health.go: /health?ready=1 is not ready while
// the disk is full or the store has failed; a store failure calls
// Config.OnFatal and drains every SQL connection). A cluster node also
// trades address books with the others (gossip), heartbeats its liveness
// record, and runs the placement driver, which decides beside range 1's
// leader (placement.go). Stop stops
// everything in reverse order. A Server holds no package-level state, so
// several nodes can live in one test process.
package server
