package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc/status"

	"github.com/rangedb/rangedb/server/rpc"
)

// initCmd is `rangedb init --host=ADDR`: it asks the node listening on
// ADDR (its --listen-addr) to bootstrap a new cluster. The node must have
// been started without --single-node and never initialized.
func initCmd() *cobra.Command {
	var host string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "init",
		Short: "bootstrap a new cluster on the node at --host",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := rpc.Dial(host)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			id, err := c.CallInit(ctx)
			if err != nil {
				if st, ok := status.FromError(err); ok {
					return fmt.Errorf("init %s: %s", host, st.Message())
				}
				return fmt.Errorf("init %s: %w", host, err)
			}
			fmt.Printf("cluster %s initialized\n", id)
			return nil
		},
	}
	cmd.Flags().StringVar(&host, "host", "127.0.0.1:26357", "the node-to-node address (--listen-addr) of a node to bootstrap on")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to wait for the node")
	return cmd
}
