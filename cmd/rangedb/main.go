// Command rangedb is rangedb's one binary: every node runs it.
//
//	rangedb start --single-node --store=DIR --sql-addr=HOST:PORT --http-addr=HOST:PORT
//	rangedb node status --host=HOST:PORT
//	rangedb node decommission N --host=HOST:PORT
//
// It parses flags into server.Config and nothing else.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

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
	root.AddCommand(startCmd(), initCmd(), nodeCmd())
	return root
}

func startCmd() *cobra.Command {
	var cfg server.Config
	var logLevel, maxSQLMemory, diskReserve string
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
			n, err := parseMemory(maxSQLMemory)
			if err != nil {
				return fmt.Errorf("--max-sql-memory: %w", err)
			}
			cfg.MaxSQLMemory = n
			if diskReserve != "" {
				r, err := parseMemory(diskReserve)
				if err != nil || strings.HasSuffix(strings.TrimSpace(diskReserve), "%") {
					return fmt.Errorf("--disk-reserve: want a size such as 1GiB, got %q", diskReserve)
				}
				cfg.DiskReserve = uint64(r)
			}
			// Fail-stop: after a storage failure nothing may be served
			// from the store, so the process exits.
			cfg.OnFatal = func(err error) {
				cfg.Logger.Error("fatal: the node's store failed; exiting", "err", err)
				os.Exit(1)
			}
			return run(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&cfg.SingleNode, "single-node", false, "start a one-node cluster (replication factor 1), bootstrapping it if the store is empty")
	f.StringVar(&cfg.StoreDir, "store", "rangedb-data", "directory of the node's data")
	f.StringVar(&cfg.SQLAddr, "sql-addr", "127.0.0.1:26257", "PostgreSQL wire-protocol listen address")
	f.StringVar(&cfg.ListenAddr, "listen-addr", "127.0.0.1:26357", "node-to-node gRPC listen address (empty: none)")
	f.StringVar(&cfg.AdvertiseAddr, "advertise-addr", "", "the address other nodes reach this one at, when it differs from --listen-addr")
	f.StringSliceVar(&cfg.Join, "join", nil, "node-to-node addresses of nodes of the cluster to join (comma-separated); without --single-node the node waits for `rangedb init` or for one of them")
	f.StringVar(&cfg.HTTPAddr, "http-addr", "127.0.0.1:8080", "HTTP listen address (/health, /metrics)")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&maxSQLMemory, "max-sql-memory", "25%", "memory all SQL statements of the node may hold together: a size (512MiB, 4GiB) or a percentage of RAM")
	f.IntVar(&cfg.MaxConnections, "max-connections", 100, "SQL connections accepted at once (max_connections)")
	f.StringVar(&diskReserve, "disk-reserve", "", "free space the store keeps on its disk: with less, writes fail with 53100 until space is freed (a size such as 1GiB; default max(64MiB, 1% of the filesystem))")
	f.DurationVar(&cfg.AuthenticationTimeout, "authentication-timeout", 60*time.Second, "bound on a client's startup and on the arrival of any message once begun")
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

// parseMemory reads a size in bytes with an optional binary unit (KiB,
// MiB, GiB, TiB; KB, MB, GB also mean powers of 1024), or a percentage of
// the machine's RAM ("25%").
func parseMemory(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if p, ok := strings.CutSuffix(v, "%"); ok {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f <= 0 || f > 100 {
			return 0, fmt.Errorf("invalid percentage %q", v)
		}
		var si syscall.Sysinfo_t
		if err := syscall.Sysinfo(&si); err != nil {
			return 0, fmt.Errorf("reading the machine's RAM: %w", err)
		}
		return int64(float64(si.Totalram) * float64(si.Unit) * f / 100), nil
	}
	i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := v, ""
	if i >= 0 {
		num, unit = v[:i], strings.ToLower(strings.TrimSpace(v[i:]))
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid size %q", v)
	}
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
		"mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("invalid size unit in %q", v)
	}
	return int64(f * mult), nil
}
