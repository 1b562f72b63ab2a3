// Package cluster tests rangedb clusters: several nodes in one process
// talking gRPC over loopback, started as a user would start them (init,
// join, restart with the same flags), checked through the wire protocol.
package cluster
