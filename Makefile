# rangedb — the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin/rangedb
STORE     ?= rangedb-data
SQL_ADDR  ?= 127.0.0.1:26257
HTTP_ADDR ?= 127.0.0.1:8080
# Packages whose concurrency the race detector checks in `make test`.
RACE_PKGS := ./kv/... ./raftstore/... ./placement/... ./server/... ./sql/...

.PHONY: build run test deps vet slt slt-cluster clean bench bench-placement proto

build:
	$(GO) build -o $(BIN) ./cmd/rangedb

## run: build and start a single-node server with its data in ./$(STORE).
run: build
	./$(BIN) start --single-node --store=$(STORE) --sql-addr=$(SQL_ADDR) --http-addr=$(HTTP_ADDR)

## deps: install what the tests need: psql (postgresql-client) and a
## PostgreSQL 15 server that tests start on loopback as the reference.
deps:
	@if ! command -v psql >/dev/null 2>&1 || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then \
		echo "installing postgresql and postgresql-client for the tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql postgresql-client; \
	fi

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

## test: everything CI runs.
test: deps vet
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -race -timeout 20m $(RACE_PKGS)
	# Fuzz budgets are execution counts, not durations: a duration-based
	# -fuzztime can fail with a bare "context deadline exceeded" and no
	# crasher on a loaded machine (a race in Go's fuzz coordinator,
	# https://go.dev/issue/75804, not fixed in go1.26). The counts are
	# about 10 s each on this 2-core machine.
	$(GO) test -count=1 -run '^$$' -fuzz FuzzDecodeRequests -fuzztime 300000x ./kv/kvpb/
	$(GO) test -count=1 -run '^$$' -fuzz FuzzDecodeRPC -fuzztime 100000x ./kv/kvpb/
	$(GO) test -count=1 -run '^$$' -fuzz FuzzStartup -fuzztime 50000x ./server/pgwire/
	$(GO) test -count=1 -run '^$$' -fuzz FuzzMessages -fuzztime 50000x ./server/pgwire/
	$(GO) test -count=1 -run '^$$' -fuzz FuzzSQL -fuzztime 30000x ./sql/
	$(GO) test -count=1 -run '^$$' -fuzz FuzzDecodeKeyDatum -fuzztime 150000x ./sql/rowenc/
	$(GO) test -count=1 -run '^$$' -fuzz FuzzDecodeValueDatum -fuzztime 150000x ./sql/rowenc/
	# The mvcc fuzzers link Pebble, whose coverage counters make each
	# execution slow: smaller counts for the same ~10 s.
	$(GO) test -count=1 -run '^$$' -fuzz FuzzDecodeEngineKey -fuzztime 15000x ./kv/mvcc/
	$(GO) test -count=1 -run '^$$' -fuzz FuzzDecodeRecords -fuzztime 15000x ./kv/mvcc/

## slt: the whole SQL logic test corpus (../shared/sqllogictest) on rangedb
## and on PostgreSQL 15, side by side, with a summary table. Long.
slt: deps
	RANGEDB_SLT_ALL=1 $(GO) test -count=1 -run TestSLTCorpus -v -timeout 240m ./tests/slt/ | grep -v '^=== RUN'

## slt-cluster: the whole corpus on one node and on a 3-node in-process
## cluster (RF 3) with every table split into several ranges after its
## CREATE TABLE; fails on any record whose outcome differs between the two.
slt-cluster: deps
	RANGEDB_SLT_ALL=1 RANGEDB_SLT_CLUSTER=3 $(GO) test -count=1 -run TestSLTCorpus -v -timeout 240m ./tests/slt/ | grep -v '^=== RUN'

## bench: point selects and single-row inserts from 8 concurrent clients,
## then filling and streaming a 1M-row table (with rangedb's heap growth),
## rangedb against PostgreSQL 15; the same point selects and inserts on a
## 3-node cluster of rangedb processes (RF 3) through the leader and a
## follower, and the kill -9 fail-over time (not part of `make test`).
bench: deps
	$(GO) run ./tests/bench

## bench-placement: on in-process clusters, the time for two joining nodes
## to get three voters on each of 200 ranges and balanced replicas and
## leaders, TSO timestamps per second from 8 clients on a 3-node cluster,
## and the idle CPU of one node with 10,000 ranges (not part of `make test`).
bench-placement:
	$(GO) run ./tests/bench/placement

## proto: regenerate server/rpc/rpcpb from rpc.proto (the generated code
## is committed; needs protoc from Debian's protobuf-compiler, and
## installs protoc-gen-go and protoc-gen-go-grpc at pinned versions).
PROTOC_BIN := $(CURDIR)/bin/protoc-plugins
proto:
	@command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler"; exit 1; }
	GOBIN=$(PROTOC_BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.11
	GOBIN=$(PROTOC_BIN) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1
	cd server/rpc/rpcpb && PATH=$(PROTOC_BIN):$$PATH protoc --go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative rpc.proto

clean:
	rm -rf bin
