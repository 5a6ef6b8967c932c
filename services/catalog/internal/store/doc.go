// Package store keeps the catalog in SQL through pkg/sqldb, on SQLite and
// PostgreSQL alike. Datasets and organizations are stored as indexed columns
// (what filters and sorts need) plus a protobuf document of the whole
// object; users, tokens and members are plain rows. Every method runs on a
// Q, which is either the database (reads) or a transaction (Store.InTx).
package store
