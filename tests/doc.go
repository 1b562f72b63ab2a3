// Package tests holds rangedb's tests that cross layers: the import rule of
// DESIGN.md §8, end-to-end tests through the PostgreSQL wire protocol with
// real clients against an in-process node, and multi-process tests that
// run the real binary and kill -9 it.
package tests
