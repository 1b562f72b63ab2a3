package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc"
)

// nodeCmd is `rangedb node status|decommission|recommission --host=ADDR`: the
// cluster's nodes as their liveness records describe them, asked of the
// node listening on ADDR (its --listen-addr).
func nodeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "node",
		Short: "list or decommission the nodes of a cluster",
	}
	var host string
	var timeout time.Duration
	cmd.PersistentFlags().StringVar(&host, "host", "127.0.0.1:26357", "the node-to-node address (--listen-addr) of a node of the cluster")
	cmd.PersistentFlags().DurationVar(&timeout, "timeout", 10*time.Second, "how long one call to the node may take")

	statusCmd := &cobra.Command{
		Use:   "status",
		Short: "list every node: id, address, liveness, ranges, leaders, used bytes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withNode(host, func(c *rpc.Client) error {
				ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
				defer cancel()
				nodes, err := c.CallNodeStatus(ctx)
				if err != nil {
					return callError("node status", host, err)
				}
				return printNodes(cmd.OutOrStdout(), nodes)
			})
		},
	}

	var wait string
	var waitFor time.Duration
	decomCmd := &cobra.Command{
		Use:   "decommission NODE-ID",
		Short: "move every replica off a node, which then takes none",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("node decommission: %q is not a node id", args[0])
			}
			if wait != "all" && wait != "none" {
				return fmt.Errorf("node decommission: --wait is all or none, not %q", wait)
			}
			return withNode(host, func(c *rpc.Client) error {
				return decommission(cmd.Context(), cmd.OutOrStdout(), c, host, kvpb.NodeID(id), wait == "all", waitFor, timeout)
			})
		},
	}
	decomCmd.Flags().StringVar(&wait, "wait", "all", "all: wait until the node holds no replica; none: only mark it")
	decomCmd.Flags().DurationVar(&waitFor, "wait-timeout", 5*time.Minute, "how long --wait=all waits")
	recomCmd := &cobra.Command{
		Use:   "recommission NODE-ID",
		Short: "undo a decommission: the node takes replicas again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("node recommission: %q is not a node id", args[0])
			}
			return withNode(host, func(c *rpc.Client) error {
				ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
				defer cancel()
				st, err := c.CallRecommission(ctx, kvpb.NodeID(id))
				if err != nil {
					return callError(fmt.Sprintf("node recommission %d", id), host, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "node %d marked active\n", id)
				return printNodes(cmd.OutOrStdout(), []rpc.NodeStatus{st})
			})
		},
	}
	cmd.AddCommand(statusCmd, decomCmd, recomCmd)
	return cmd
}

func withNode(host string, f func(*rpc.Client) error) error {
	c, err := rpc.Dial(host)
	if err != nil {
		return err
	}
	defer c.Close()
	return f(c)
}

// decommission marks the node, then (wait) polls its status until it is
// decommissioned, printing a line whenever its replica count changes.
func decommission(ctx context.Context, out io.Writer, c *rpc.Client, host string, id kvpb.NodeID, wait bool, waitFor, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	st, err := c.CallDecommission(cctx, id)
	cancel()
	if err != nil {
		return callError(fmt.Sprintf("node decommission %d", id), host, err)
	}
	fmt.Fprintf(out, "node %d marked decommissioning\n", id)
	if wait {
		deadline := time.Now().Add(waitFor)
		last := -1
		for !drained(st) {
			if st.Ranges != last {
				fmt.Fprintf(out, "node %d: %s, %d replicas left\n", id, st.Liveness, st.Ranges)
				last = st.Ranges
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("node decommission %d: node still %s after %s (it keeps moving its replicas; run `rangedb node status` to follow)",
					id, st.Liveness, waitFor)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
			// A failed poll (the node busy, range 1 electing) is
			// retried until the wait's deadline.
			cctx, cancel := context.WithTimeout(ctx, timeout)
			nodes, err := c.CallNodeStatus(cctx)
			cancel()
			if err != nil {
				continue
			}
			for _, n := range nodes {
				if n.NodeID == id {
					st = n
				}
			}
		}
	}
	return printNodes(out, []rpc.NodeStatus{st})
}

// drained reports whether a decommissioning node is done: it holds no
// replica, and its own report (a heartbeat behind) agrees, unless it is
// down and reports no more.
func drained(st rpc.NodeStatus) bool {
	return st.Liveness == "decommissioned" && (st.Ranges == 0 || time.Now().After(st.Expiration))
}

func printNodes(out io.Writer, nodes []rpc.NodeStatus) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "id\taddress\tliveness\tranges\tleaders\tused bytes")
	for _, n := range nodes {
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%d\n", n.NodeID, n.Address, n.Liveness, n.Ranges, n.Leaders, n.UsedBytes)
	}
	return w.Flush()
}

// callError makes a failed call's error readable: the server's message
// rather than gRPC's wrapping, and a plain word for an unreachable node.
func callError(what, host string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer from %s within the timeout", what, host)
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch st.Code() {
	case codes.Unavailable:
		if st.Message() != "" && !isTransportMessage(st.Message()) {
			return fmt.Errorf("%s: %s", what, st.Message())
		}
		return fmt.Errorf("%s: cannot reach a node at %s (is it running, and is that its --listen-addr?)", what, host)
	case codes.DeadlineExceeded:
		return fmt.Errorf("%s: no answer from %s within the timeout", what, host)
	}
	return fmt.Errorf("%s: %s", what, st.Message())
}

// isTransportMessage tells gRPC's own connection errors from a server's
// Unavailable answer.
func isTransportMessage(msg string) bool {
	for _, p := range []string{"connection error", "dial tcp", "name resolver", "connection refused"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
