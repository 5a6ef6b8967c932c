// Package tabular is the preview service's tabular store: each analysed
// resource becomes one SQL table (SQLite or PostgreSQL, through pkg/sqldb),
// queried through data.gouv.fr's api-tabular API (/api/resources/{rid}/,
// /profile/, /data/ and the /data/csv/ and /data/json/ exports) with
// api-tabular's argument spelling and response shapes.
//
// # Storage
//
// The registry table tabular_tables maps a resource id to its current data
// table and holds the column names and types, the profile and the row count.
// A data table has a generated name (tabular_<hex>) and generated column names
// (__id, c0, c1, …): no text from a file ever reaches SQL as an identifier,
// and every value is bound. [Store.Load] fills a new table aside (COPY on
// PostgreSQL, prepared multi-row INSERTs in one transaction on SQLite, the
// rows converted in a goroutine beside them), swaps the registry row in one
// transaction, so that a reader sees either the old table or the new
// complete one, never a half-loaded one, and returns: the table is
// queryable. (On SQLite the load's WAL is checkpointed after that, not by
// its commit: see Store.bulkLoad.) Its indexes (the first columns; and
// ANALYZE on PostgreSQL) follow in the background, more than half of the
// work on SQLite, one column after the other: until a column has its
// index, a filter on it scans the table: on 1 000 000 rows, during a 28 s
// build here, a page filtered on the ninth column took 0.35–1.4 s until
// that column's index existed, p99 3 ms after (see
// BenchmarkQueryWhileIndexing). The replaced table is dropped a minute
// later, by the next swap or Drop, so that queries that looked it up just
// before the swap still find it.
//
// # Engines
//
// [Options.Engine] chooses where the data tables live: in the sqldb
// database (EngineSQL, the default) or in a DuckDB file (EngineDuckDB, in
// binaries built with cgo), the registry staying in sqldb either way. DuckDB
// loads through its appender, without indexes, at about twice SQLite's
// speed in a bounded memory (see DefaultDuckDBMemoryLimit), but answers a filtered and sorted page of a million rows by a scan
// (p50 18–57 ms, p99 34–204 ms here, over issue 5's 20 ms), where the SQL
// engine walks an index: hence not the default. See BenchmarkLoad and
// BenchmarkQuery.
//
// # Reading
//
// Data, Export, Resource, Profile and Swagger answer api-tabular's endpoints
// with its bodies (Python's json.dumps style) and errors ([Error]). Totals
// of filtered queries are memoized per table (tables never change once
// loaded), so paging through one filter counts it once; the count then
// decides how a sorted page is read (see Store.plan).
//
// Column types and their storage, identical in both dialects so that filters
// and sorts behave the same way:
//
//	int       BIGINT                 compared and sorted numerically
//	float     DOUBLE PRECISION/REAL  compared and sorted numerically
//	bool      BOOLEAN (0/1 in SQLite)
//	date      TEXT "2006-01-02"      lexical order is chronological
//	datetime  TEXT "2006-01-02T15:04:05.000000Z", UTC, fixed width, so
//	          lexical order is chronological and __contains=2024-05 works as
//	          api-tabular allows it on datetimes
//	json      TEXT (the JSON document)
//	string    TEXT (COLLATE "C" in PostgreSQL: byte order, as in SQLite)
//
// NULL sorts before every value in both dialects (ascending), the SQLite
// order; PostgreSQL indexes are built NULLS FIRST to match and stay usable.
package tabular
