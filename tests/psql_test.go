package tests

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/rangedb/rangedb/server"
)

// TestPsqlConnects runs the real psql binary against a node: it connects
// with the README's URL, runs DDL, DML and a query, and prints what
// PostgreSQL would print for them.
func TestPsqlConnects(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed: run `make deps` (apt-get install -y postgresql-client)")
	}
	s := startNode(t, server.Config{})
	script := `CREATE TABLE fruit (id INT PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO fruit VALUES (1, 'apple'), (2, 'pear');
SELECT id, name FROM fruit WHERE id >= 1;
SELECT * FROM nosuch;
SELECT name FROM fruit WHERE id = 2;
`
	cmd := exec.Command(psql, "-X", "-v", "ON_ERROR_STOP=0", s.URL())
	cmd.Stdin = strings.NewReader(script)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("psql: %v\n%s%s", err, out, stderr.String())
	}
	// What psql prints for this script against PostgreSQL 15.18 (captured
	// with the same command against a PostgreSQL started on loopback).
	want := `CREATE TABLE
INSERT 0 2
 id | name  
----+-------
  1 | apple
  2 | pear
(2 rows)

 name 
------
 pear
(1 row)

`
	if string(out) != want {
		t.Fatalf("psql output:\n%s\nwant:\n%s", out, want)
	}
	wantErr := `ERROR:  relation "nosuch" does not exist
LINE 1: SELECT * FROM nosuch;
                      ^
`
	if stderr.String() != wantErr {
		t.Fatalf("psql stderr:\n%s\nwant:\n%s", stderr.String(), wantErr)
	}
}
