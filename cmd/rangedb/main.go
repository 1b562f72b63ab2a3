// Command rangedb is rangedb's one binary: every node runs it.
//
//	rangedb start --single-node --store=DIR --sql-addr=HOST:PORT --http-addr=HOST:PORT
//
// It parses flags into server.Config and nothing else.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/rangedb/rangedb/server"
)

func main() {
	if err := rootCmd().ExecuteContext(context.Background()); err != nil {
		os.Exit(1)
	}
}

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "rangedb",
		Short:         "rangedb, a distributed SQL database that speaks PostgreSQL",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.AddCommand(startCmd())
	return root
}

func startCmd() *cobra.Command {
	var cfg server.Config
	var logLevel string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "start a node",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			return run(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&cfg.SingleNode, "single-node", false, "start a one-node cluster (replication factor 1), bootstrapping it if the store is empty")
	f.StringVar(&cfg.StoreDir, "store", "rangedb-data", "directory of the node's data")
	f.StringVar(&cfg.SQLAddr, "sql-addr", "127.0.0.1:26257", "PostgreSQL wire-protocol listen address")
	f.StringVar(&cfg.HTTPAddr, "http-addr", "127.0.0.1:8080", "HTTP listen address (/health, /metrics)")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	return cmd
}

func run(ctx context.Context, cfg server.Config) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	s, err := server.New(cfg)
	if err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		s.Stop()
		return err
	}
	fmt.Printf("rangedb is ready\nsql:  %s\nhttp: http://%s\nconnect with: psql \"%s\"\n", s.SQLAddr(), s.HTTPAddr(), s.URL())
	<-ctx.Done()
	cfg.Logger.Info("signal received: draining connections")
	s.Stop()
	return nil
}
