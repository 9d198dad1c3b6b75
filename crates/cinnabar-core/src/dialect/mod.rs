//! Dialects: how each database spells SQL. A [`Dialect`] renders identifiers, placeholders,
//! type names, LIMIT/OFFSET, upserts and DDL; the shared [`compile`] walks statements and asks
//! the dialect only where databases differ.
//!
//! A dialect does no I/O: drivers (in `cinnabar-engine`) execute what it renders.

pub mod catalog;
mod compiler;
mod ddl;
mod galera;
mod identifiers;
mod kinds;
mod migration;
mod mysql;
mod postgres;
mod rebuild;
mod replica;
mod spelling;
mod sqlite;
mod sqlite_rebuild;
mod text;
mod writers;

pub use compiler::{compile, compile_into, compile_key_into, Compiled};
pub(crate) use ddl::{column_type_name, compile_ddl_into, write_alter_column_ansi, write_default};
pub use ddl::{compile_ddl, ConstraintKind};
pub use galera::GaleraDialect;
pub use identifiers::{check_identifier, check_table, IdentifierLimit};
pub use kinds::{BeginMode, DmlKind, GeneratedKeys};
pub use migration::{MigrationLock, NamedLock, TransactionLock};
pub use mysql::MySqlDialect;
pub use postgres::PostgresDialect;
pub use rebuild::{ServerVersion, TableRebuild};
pub use replica::ReplicaPositions;
pub use spelling::CastSpelling;
pub use sqlite::SqliteDialect;
pub(crate) use sqlite_rebuild::SqliteRebuild;
pub(crate) use text::{has_byte, push_u64, quote_with};

use crate::schema::Column;
use crate::sql::ColumnChange;

/// The SQL spelling of one database. Methods with defaults follow ANSI SQL; a dialect
/// overrides only where its database differs.
pub trait Dialect: Send + Sync + std::fmt::Debug + 'static {
    /// Short name: `sqlite`, `postgresql`, `mysql`.
    fn name(&self) -> &'static str;

    /// The longest identifier (table, column, index, constraint, alias) the database keeps
    /// intact. The compiler and `create_all` refuse longer names with
    /// [`ErrorKind::IdentifierTooLong`](crate::ErrorKind::IdentifierTooLong) (see
    /// [`check_identifier`]).
    fn identifier_limit(&self) -> IdentifierLimit {
        IdentifierLimit::Unlimited
    }

    /// Writes `ident` quoted, doubling any quote character inside it. Infallible: length and
    /// NUL bytes are checked by [`check_identifier`] on the compile and DDL paths.
    fn quote_identifier(&self, out: &mut String, ident: &str) {
        quote_with(out, ident, '"');
    }

    /// The function giving a text's length in characters, used by the CHECK constraints of
    /// `length` validation rules: `char_length` (ANSI), SQLite's `length`.
    fn char_length_function(&self) -> &'static str {
        "char_length"
    }

    /// Writes `text` as a string literal (only DDL does: rule checks' `one_of` and `range`
    /// values; statements bind values). The quote is doubled, and so is a backslash where
    /// [`lex_rules`](Dialect::lex_rules) says backslashes escape (MySQL).
    fn write_string_literal(&self, out: &mut String, text: &str) {
        writers::write_string_literal(out, text, self.lex_rules().backslash_escapes)
    }

    /// Writes the placeholder for the `n`th parameter (1-based).
    fn write_placeholder(&self, out: &mut String, n: usize) {
        let _ = n;
        out.push('?');
    }

    /// The SQL type name for `column` in DDL; `keyed` says whether any key, index or
    /// constraint covers it (MySQL cannot index unbounded TEXT).
    fn column_type(&self, column: &Column, _keyed: bool) -> String;

    /// The column definition after the name for a single autoincrementing integer primary
    /// key, e.g. SQLite's `INTEGER PRIMARY KEY`.
    fn autoincrement_primary_key(&self, column: &Column) -> String;

    /// Writes LIMIT/OFFSET (either may be absent).
    fn write_limit_offset(&self, out: &mut String, limit: Option<u64>, offset: Option<u64>) {
        writers::write_limit_offset(out, limit, offset)
    }

    /// Writes the row-locking clause of a `SELECT ... FOR UPDATE` (after LIMIT/OFFSET).
    fn write_row_lock(&self, out: &mut String, lock: crate::sql::RowLock) {
        writers::write_row_lock(out, lock)
    }

    /// Whether a joined eager load of a whole parent table should be driven from the child
    /// table (`children RIGHT OUTER JOIN parents`, the same rows as `parents LEFT OUTER JOIN
    /// children`): true where the database joins by nested loops only (SQLite), which, for
    /// the LEFT JOIN without an index on the foreign key, first builds a temporary index of
    /// the whole child table; driven from the children, each row finds its parent by primary
    /// key instead. Databases with hash joins (PostgreSQL, MySQL 8) plan either form well.
    fn eager_join_from_children(&self) -> bool {
        false
    }

    /// Whether INSERT, UPDATE and DELETE all accept RETURNING: what the ORM's flush relies
    /// on to read generated keys back ([`generated_keys`](Dialect::generated_keys)).
    fn supports_returning(&self) -> bool {
        true
    }

    /// Whether statements of `kind` accept a RETURNING clause; the compiler refuses one
    /// where not, with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) naming the
    /// dialect and the statement. [`supports_returning`](Dialect::supports_returning) by
    /// default (PostgreSQL, SQLite since 3.35: all three); MariaDB has INSERT and DELETE
    /// ... RETURNING but no UPDATE ... RETURNING.
    fn supports_returning_in(&self, kind: DmlKind) -> bool {
        let _ = kind;
        self.supports_returning()
    }

    /// Whether an operand of a compound SELECT (`UNION`, ...) may be written in
    /// parentheses, `(SELECT ... LIMIT 3) UNION (SELECT ...)` (PostgreSQL, MariaDB). Where
    /// not (SQLite, whose operands are bare SELECT cores), an operand with its own ORDER BY /
    /// LIMIT / OFFSET / WITH, or a nested compound, is written as a derived table instead:
    /// `SELECT * FROM (SELECT ... LIMIT 3) AS "_c1" UNION ...`.
    fn compound_operands_parenthesized(&self) -> bool {
        true
    }

    /// Whether an `INSERT ... SELECT` with an upsert clause must end its SELECT with a WHERE
    /// clause, because the database would otherwise read `ON CONFLICT` as a join's `ON`
    /// (SQLite). Where it must, the compiler writes the query as `SELECT * FROM (query) AS
    /// "_s" WHERE 1 = 1`.
    fn insert_select_upsert_needs_where(&self) -> bool {
        false
    }

    /// How generated keys come back from an INSERT.
    fn generated_keys(&self) -> GeneratedKeys {
        if self.insert_returning() {
            GeneratedKeys::Returning
        } else {
            GeneratedKeys::LastInsertIdFirst
        }
    }

    /// Whether keys generated by one multi-row INSERT are always consecutive, so a gap
    /// means the key-to-row mapping cannot be trusted (SQLite's rowid allocation). Keys
    /// always increase in row order within one statement on the supported databases.
    fn multi_row_keys_contiguous(&self) -> bool {
        false
    }

    /// Largest number of bound parameters in one statement.
    fn max_bind_params(&self) -> usize;

    /// Rows per multi-row INSERT statement in bulk inserts.
    fn insert_batch_rows(&self) -> usize {
        1000
    }

    /// Bound values per multi-row INSERT statement the flush aims at (a tuning figure: a
    /// batch of `width`-column rows holds at most `insert_batch_params() / width` rows, and
    /// never more than [`Dialect::insert_batch_rows`] or [`Dialect::max_bind_params`]
    /// allow). A server database gains from large batches (fewer round trips): no limit
    /// by default.
    fn insert_batch_params(&self) -> usize {
        usize::MAX
    }

    /// Whether string concatenation must be written as `CONCAT(a, b)`.
    fn concat_is_function(&self) -> bool {
        false
    }

    /// Whether the database compares row values, `(a, b) > (?, ?)`, and finds them in lists
    /// and subqueries. All three supported databases do; where one does not, the compiler
    /// expands comparisons and IN lists to AND/OR and refuses IN over a subquery with
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
    fn supports_row_values(&self) -> bool {
        true
    }

    /// Whether the planner reads an index range for an ordering comparison of row values,
    /// `(a, b) > (?, ?)` (keyset pagination). Where it does not (MariaDB 10.11 scans the whole
    /// index: `type: index`, no possible keys), the compiler writes `<`, `<=`, `>`, `>=` of
    /// row values as their AND/OR expansion, which it does read as a range; `=` and IN stay
    /// row values (planned as key lookups). True by default.
    fn row_value_ranges_use_indexes(&self) -> bool {
        true
    }

    /// The operator of integer division truncating toward zero (`BinOp::IntDiv`): ` / `,
    /// which divides integers that way in SQLite and PostgreSQL; MySQL's is ` DIV `.
    fn integer_division_operator(&self) -> &'static str {
        " / "
    }

    /// How `CAST(expr AS to)` is written; `None` when the database has no conversion to
    /// `to`, which the compiler reports as [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
    /// ANSI type names by default.
    fn cast_spelling(&self, to: crate::types::SqlType) -> Option<CastSpelling> {
        spelling::ansi_cast(to)
    }

    /// The SQL type a bound value is cast to where the server must know a parameter's type
    /// and cannot infer it (a CASE whose results are all parameters, the operand of a CAST):
    /// PostgreSQL infers each `$n`'s type when preparing and takes an unknown one for text.
    /// `None` (the default): parameters need no type.
    fn bound_value_type(&self, value: crate::value::ValueRef<'_>) -> Option<&'static str> {
        let _ = value;
        None
    }

    /// The text before and after the expression that extracts `part` of a date or timestamp
    /// as an integer: `EXTRACT(YEAR FROM ` and `)` by default.
    fn extract_template(&self, part: crate::sql::DatePart) -> (&'static str, &'static str) {
        spelling::ansi_extract(part)
    }

    /// The text around a date and a number of days that adds them, a date: `[before,
    /// between, after]`; `(d + CAST(n AS INTEGER))` by default, PostgreSQL's date + integer
    /// (the cast types a bound `n`, for which `date + unknown` would be ambiguous).
    fn add_days_template(&self) -> [&'static str; 3] {
        ["(", " + CAST(", " AS INTEGER))"]
    }

    /// Today's date in UTC. `CURRENT_DATE` by default (SQLite's is UTC).
    fn current_date_sql(&self) -> &'static str {
        "CURRENT_DATE"
    }

    /// The current date and time in UTC, without time zone. `CURRENT_TIMESTAMP` by default
    /// (SQLite's is UTC).
    fn current_timestamp_sql(&self) -> &'static str {
        "CURRENT_TIMESTAMP"
    }

    /// The statement that begins a transaction in `mode`.
    fn begin_sql(&self, mode: BeginMode) -> &'static str {
        let _ = mode;
        "BEGIN"
    }

    /// How a transaction that will write is begun (`Connection::begin`, the session's
    /// flush): [`BeginMode::Deferred`] by default. SQLite answers
    /// [`BeginMode::Immediate`]: a DEFERRED transaction that reads and later writes must
    /// upgrade its lock, and when another writer got there first the upgrade fails at once
    /// with SQLITE_BUSY (waiting could deadlock the two writers, so the busy handler is not
    /// called); taking the write lock at BEGIN makes writers queue on the busy timeout
    /// instead. Servers with row locks need no such thing.
    fn write_begin_mode(&self) -> BeginMode {
        BeginMode::Deferred
    }

    /// Where `CREATE INDEX IF NOT EXISTS` and `DROP INDEX IF EXISTS` are not understood
    /// (MySQL; MariaDB would accept them): a query taking the table and index names as
    /// parameters that returns a row when the index exists, which the engine runs before
    /// such a statement. `None`: the dialect writes `IF [NOT] EXISTS`.
    fn index_exists_sql(&self) -> Option<&'static str> {
        None
    }

    /// Whether a `use_alter` foreign key is added with `ALTER TABLE .. ADD CONSTRAINT` after
    /// every table exists: where ALTER TABLE can add constraints
    /// ([`supports_alter_constraints`](Dialect::supports_alter_constraints)). SQLite cannot,
    /// and does not need to: it resolves a foreign key's target when rows are written, so the
    /// constraint stays in CREATE TABLE.
    fn alter_add_foreign_key(&self) -> bool {
        self.supports_alter_constraints()
    }

    /// Whether ALTER TABLE can add and drop constraints (foreign keys, unique and check
    /// constraints) and add a PRIMARY KEY or UNIQUE column. Where it cannot (SQLite), the
    /// DDL compiler refuses those actions with
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
    fn supports_alter_constraints(&self) -> bool {
        true
    }

    /// Whether ALTER TABLE can change a column's type, nullability or default
    /// ([`write_alter_column`](Dialect::write_alter_column)). Where it cannot (SQLite), the
    /// DDL compiler refuses with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
    fn supports_alter_column(&self) -> bool {
        true
    }

    /// Writes the ALTER TABLE action (after `ALTER TABLE "t" `) that changes `change` of
    /// `column` to what `column` now declares. ANSI SQL by default:
    /// `ALTER COLUMN "c" SET DATA TYPE t`, `ALTER COLUMN "c" SET NOT NULL` / `DROP NOT NULL`,
    /// `ALTER COLUMN "c" SET DEFAULT e` / `DROP DEFAULT`. Called only when
    /// [`supports_alter_column`](Dialect::supports_alter_column); the name is already checked.
    fn write_alter_column(&self, out: &mut String, column: &Column, change: ColumnChange) {
        ddl::write_alter_column_ansi(self, out, column, change);
    }

    /// Writes the ALTER TABLE action (after `ALTER TABLE "t" `) that drops the constraint
    /// `name` of `kind`: `DROP CONSTRAINT "name"` by default (MySQL drops a foreign key with
    /// `DROP FOREIGN KEY` and a unique constraint with `DROP INDEX`). Called only when
    /// [`supports_alter_constraints`](Dialect::supports_alter_constraints).
    fn write_drop_constraint(&self, out: &mut String, kind: ConstraintKind, name: &str) {
        let _ = kind;
        out.push_str("DROP CONSTRAINT ");
        self.quote_identifier(out, name);
    }

    /// Whether CREATE INDEX takes a WHERE condition (partial indexes: PostgreSQL, SQLite).
    /// Where it does not (MySQL), an index with [`Index::where_sql`](crate::schema::Index)
    /// is refused with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
    fn supports_partial_indexes(&self) -> bool {
        true
    }

    /// Whether DROP INDEX names the table, `DROP INDEX "ix" ON "t"` (MySQL: index names are
    /// per table), rather than `DROP INDEX "ix"` (names per schema).
    fn drop_index_names_table(&self) -> bool {
        false
    }

    /// How a table whose change this dialect's ALTER TABLE cannot make is rebuilt instead
    /// (create the new table, copy the rows, drop the old one, rename), with the version
    /// limits of the native ALTER TABLE forms (see [`TableRebuild`]). `None`: the dialect's
    /// ALTER TABLE makes every change and nothing is rebuilt (PostgreSQL, MySQL).
    fn table_rebuild(&self) -> Option<&'static dyn TableRebuild> {
        None
    }

    /// A query taking the table and constraint names as parameters that returns a row when
    /// the foreign key exists (for idempotent `create_all` / `drop_all`).
    fn foreign_key_exists_sql(&self) -> Option<&'static str> {
        None
    }

    /// The quoting and comment rules the SQL lexer follows for this database: where
    /// `text()` finds `:name` markers, where a script splits into statements, what a
    /// statement's leading keywords are. Standard SQL by default.
    fn lex_rules(&self) -> crate::sql::LexRules {
        crate::sql::LexRules::default()
    }

    /// Run first in `drop_all`'s transaction.
    fn drop_all_prelude(&self) -> Option<&'static str> {
        None
    }

    /// Text appended after a CREATE TABLE's closing parenthesis.
    fn create_table_suffix(&self) -> &'static str {
        ""
    }

    /// Writes the upsert clause of an INSERT (after VALUES); `columns` are the INSERT's.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) when the clause cannot be written
    /// (an update without a conflict target).
    fn write_on_conflict(
        &self,
        out: &mut String,
        oc: &crate::sql::OnConflict,
        columns: &[std::borrow::Cow<'static, str>],
    ) -> crate::Result<()> {
        let _ = columns;
        writers::write_on_conflict(self, out, oc)
    }

    /// Writes the upsert clause of an `INSERT INTO table ... SELECT` (after the SELECT);
    /// [`write_on_conflict`](Dialect::write_on_conflict) by default. MySQL qualifies its
    /// no-op assignment with `table`, which the SELECT's own columns would make ambiguous.
    ///
    /// # Errors
    /// As [`write_on_conflict`](Dialect::write_on_conflict).
    fn write_on_conflict_after_select(
        &self,
        out: &mut String,
        table: &str,
        oc: &crate::sql::OnConflict,
        columns: &[std::borrow::Cow<'static, str>],
    ) -> crate::Result<()> {
        let _ = table;
        self.write_on_conflict(out, oc, columns)
    }

    /// How an empty INSERT (all defaults) is written after the table name.
    fn default_values_clause(&self) -> &'static str {
        " DEFAULT VALUES"
    }

    /// How this database describes its schema, for reflection (the engine's `Inspector`)
    /// and the schema diff. `None`: the dialect cannot be reflected.
    fn catalog(&self) -> Option<&'static dyn catalog::Catalog> {
        None
    }

    /// Whether DDL runs inside a transaction and is undone by its ROLLBACK (PostgreSQL,
    /// SQLite). Where it is not (MySQL and MariaDB commit the open transaction at each DDL
    /// statement), migrations commit each step on its own and record how many are done, so a
    /// failure leaves a "dirty at step k" state that can be resumed or undone.
    fn transactional_ddl(&self) -> bool {
        true
    }

    /// How migrations keep two processes from applying the same revision at once (see
    /// [`MigrationLock`]). `None`: the dialect knows no lock, and the migrator refuses to run
    /// rather than run unguarded.
    fn migration_lock(&self) -> Option<MigrationLock> {
        None
    }

    /// The statement that bounds how long each later statement of the session waits for a
    /// lock on a table (PostgreSQL `SET lock_timeout`, MySQL `SET SESSION
    /// lock_wait_timeout`), so that a migration step queued behind a long transaction fails
    /// after `timeout` instead of holding up every query queued behind it. Run outside a
    /// transaction (a rolled-back `SET` is undone on PostgreSQL); undone by
    /// [`lock_timeout_reset_sql`](Dialect::lock_timeout_reset_sql). `None`: the database has
    /// no such setting (SQLite, whose only lock is the database's, bounded by the busy
    /// timeout).
    fn lock_timeout_sql(&self, timeout: std::time::Duration) -> Option<String> {
        let _ = timeout;
        None
    }

    /// The statement that bounds how long each later statement of the connection may run
    /// before the server stops it (`Some(timeout)`), or takes the bound away (`None`): the
    /// SQL half of a statement timeout, run by the driver's
    /// `DriverConnection::set_statement_timeout`. PostgreSQL `SET statement_timeout` (in
    /// milliseconds; undone by the pool's `RESET ALL`), MariaDB `SET SESSION
    /// max_statement_time` (seconds). `None` (the default): the database has no such
    /// setting, and the driver bounds statements itself (SQLite interrupts them) or cannot.
    /// A timeout below the setting's unit is rounded up to one unit: 0 would mean "no limit".
    fn statement_timeout_sql(&self, timeout: Option<std::time::Duration>) -> Option<String> {
        let _ = timeout;
        None
    }

    /// Puts back the server's lock timeout after
    /// [`lock_timeout_sql`](Dialect::lock_timeout_sql).
    fn lock_timeout_reset_sql(&self) -> Option<&'static str> {
        None
    }

    /// An expression for the current UTC time as RFC 3339 text, `2026-12-05T12:00:00Z`: what
    /// the migrations version table stores in `applied_at`, written by the database's clock
    /// (also in offline SQL scripts, which run later). `None`: the dialect has none, and
    /// migrations cannot record when a revision was applied.
    fn utc_now_text_sql(&self) -> Option<&'static str> {
        None
    }

    // --- Read replicas (issue 16, part "replicas"; the engine's `replicas.rs`) ---

    /// The queries that read the primary's log position and a replica's replay position
    /// (see [`ReplicaPositions`]): with them an engine configured with read replicas skips a
    /// replica lagging beyond its bound and sends a session's reads back to a replica after
    /// a commit only once that replica has replayed it. PostgreSQL's use the WAL positions
    /// (LSNs). `None` (SQLite, MySQL/MariaDB): the lag cannot be measured, so a reachable
    /// replica counts as healthy and a session that wrote stays on the primary for the rest
    /// of its life. MariaDB could answer with `SHOW SLAVE STATUS` (`Seconds_Behind_Master`)
    /// and its GTID positions (`@@gtid_binlog_pos` on the primary, `@@gtid_slave_pos` on the
    /// replica); that is not done.
    fn replica_positions(&self) -> Option<ReplicaPositions> {
        None
    }

    // ---- PgBouncer (issue 16): transaction-scoped forms, for connections whose session
    // ---- state does not outlive a transaction (a transaction-pooling PgBouncer in front).

    /// The statement that bounds how long each later statement *of the current transaction*
    /// may run (`Some(timeout)`), or puts the session's bound back (`None`); the transaction's
    /// end undoes it (PostgreSQL `SET LOCAL statement_timeout`). Drivers of connections that
    /// go through a transaction-pooling proxy, where a session setting would stay behind on a
    /// server connection other clients share, run it after each `BEGIN` instead of
    /// [`statement_timeout_sql`](Dialect::statement_timeout_sql). `None` (the default): the
    /// database has no transaction-scoped form.
    fn statement_timeout_local_sql(&self, timeout: Option<std::time::Duration>) -> Option<String> {
        let _ = timeout;
        None
    }

    /// The transaction-scoped form of [`lock_timeout_sql`](Dialect::lock_timeout_sql)
    /// (PostgreSQL `SET LOCAL lock_timeout`): what the migrator runs at the start of each of
    /// its transactions where session settings do not outlive a transaction. `None`: none.
    fn lock_timeout_local_sql(&self, timeout: std::time::Duration) -> Option<String> {
        let _ = timeout;
        None
    }

    /// A migration lock that a transaction takes and its end releases (PostgreSQL
    /// `pg_try_advisory_xact_lock`), for connections where a session-level lock
    /// ([`migration_lock`](Dialect::migration_lock)) would be left on a pooled server
    /// connection: the migrator then takes it at the start of each transaction it runs.
    /// `None` (the default): the database has none, and migrations refuse to run through
    /// such a connection.
    fn migration_transaction_lock(&self) -> Option<TransactionLock> {
        None
    }

    // ---- Distributed engines (issue 16, galera): what differs on multi-primary clusters
    // (Galera) and distributed SQL databases. docs/SCALING.md lists each engine's answers.

    /// Whether each DDL statement must run in a transaction of its own even where DDL is
    /// transactional (CockroachDB and YugabyteDB run schema changes asynchronously and
    /// advise against mixing them with other statements). Migrations then commit step by
    /// step, recording `steps_done`, as where [`transactional_ddl`](Dialect::transactional_ddl)
    /// is false.
    fn one_ddl_per_transaction(&self) -> bool {
        false
    }

    /// Whether INSERT accepts RETURNING (as [`supports_returning`](Dialect::supports_returning)
    /// by default). MariaDB 10.5+ has `INSERT .. RETURNING` but no `UPDATE .. RETURNING`: its
    /// Galera dialect says so, and a multi-row INSERT's generated keys then come back exactly,
    /// where Galera's `innodb_autoinc_lock_mode = 2` does not promise them consecutive and the
    /// last-insert id alone could map only one row per statement.
    fn insert_returning(&self) -> bool {
        self.supports_returning()
    }

    /// Whether a session-level named lock (`pg_advisory_lock`, `GET_LOCK`) excludes sessions
    /// on every server of the database. Not on Galera: `GET_LOCK` is local to the node, so
    /// two nodes grant the same lock at once. Where false, the migrations refuse a
    /// [`MigrationLock::Named`] lock, and the dialect offers [`MigrationLock::LockTable`].
    fn named_locks_cluster_wide(&self) -> bool {
        true
    }

    /// A native error code (SQLSTATE, MySQL error number) after which a unit of work may
    /// succeed if run again, beyond the retryable error kinds every driver maps
    /// ([`ErrorKind::is_retryable`](crate::ErrorKind::is_retryable)): codes whose meaning is
    /// particular to this database (Galera's 1047, "WSREP has not yet prepared node for
    /// application use", is "unknown command" on a lone MySQL). None by default.
    fn retryable_error_code(&self, code: &str) -> bool {
        let _ = code;
        false
    }

    /// Whether `error` may not recur when the unit of work runs again: its kind is retryable
    /// (deadlock, serialization failure, stale data, busy) or its code is one of
    /// [`retryable_error_code`](Dialect::retryable_error_code). The question the ORM's retry
    /// helper (`Session::transaction_with_retry`) asks.
    fn is_retryable(&self, error: &crate::Error) -> bool {
        error.is_retryable() || error.code().is_some_and(|c| self.retryable_error_code(c))
    }
}
