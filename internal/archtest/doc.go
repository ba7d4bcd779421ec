// Package archtest holds tests of the code base's architecture: which
// package may name which table in its SQL (owners_test.go, against the
// table owners listed in docs/architecture.md). It has no code of its own.
package archtest
