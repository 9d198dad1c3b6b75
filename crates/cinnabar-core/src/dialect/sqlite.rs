//! The SQLite dialect: `"` quoting, `?` placeholders, `INTEGER PRIMARY KEY` rowid keys,
//! `BEGIN IMMEDIATE` for writers, and type names as SQLAlchemy's SQLite dialect writes them
//! (decimals as `NUMERIC(p, s)`, JSON and UUIDs as TEXT), so that databases either tool makes
//! reflect and read the same way.

use super::{push_u64, BeginMode, Dialect};
use crate::schema::Column;
use crate::types::SqlType;

/// SQLite.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn char_length_function(&self) -> &'static str {
        "length"
    }

    /// SQLite's ALTER TABLE adds, drops and renames columns and renames tables; constraints
    /// live in the table's CREATE TABLE text. The migration layer rebuilds the table (create
    /// new, copy, drop, rename) instead. Recent SQLite accepts a few constraint changes (the
    /// bundled 3.54 takes `ADD CONSTRAINT .. CHECK` and `DROP CONSTRAINT` of a check or a
    /// foreign key, but no UNIQUE or FOREIGN KEY added and no unique constraint dropped);
    /// the dialect does not use them, so one path (the rebuild) serves every change and
    /// every SQLite version.
    fn supports_alter_constraints(&self) -> bool {
        false
    }

    /// As [`supports_alter_constraints`](Dialect::supports_alter_constraints): a column's
    /// type and default are part of the CREATE TABLE text (the bundled SQLite 3.54 can
    /// `SET` / `DROP NOT NULL`, which the dialect leaves to the rebuild as well).
    fn supports_alter_column(&self) -> bool {
        false
    }

    fn lex_rules(&self) -> crate::sql::LexRules {
        // SQLite also quotes identifiers with `[..]` and MySQL's backquotes.
        crate::sql::LexRules {
            question_params: true,
            backquote_identifiers: true,
            bracket_identifiers: true,
            trigger_bodies: true,
            ..Default::default()
        }
    }

    fn drop_all_prelude(&self) -> Option<&'static str> {
        // Tables in a cycle reference each other's rows: check foreign keys at COMMIT, when
        // both are gone, not at each DROP's implicit DELETE.
        Some("PRAGMA defer_foreign_keys = ON")
    }

    fn column_type(&self, column: &Column, _keyed: bool) -> String {
        match column.sql_type {
            SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => "INTEGER".into(),
            SqlType::Float | SqlType::Double => "REAL".into(),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Text(Some(n)) => format!("VARCHAR({n})"),
            SqlType::Text(None) => "TEXT".into(),
            SqlType::Blob => "BLOB".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME".into(),
            SqlType::DateTime => "DATETIME".into(),
            SqlType::DateTimeTz => "TIMESTAMP".into(),
            SqlType::Uuid => "CHAR(36)".into(),
            // NUMERIC affinity: SQLite stores the value as INTEGER or REAL (a double, exact to
            // 15 significant digits), as SQLAlchemy's `Numeric` does; see ARCHITECTURE.md.
            SqlType::Decimal(p, s) => format!("NUMERIC({p}, {s})"),
            SqlType::Json => "TEXT".into(),
        }
    }

    /// SQLite's compound operands are bare SELECT cores: no parentheses, no ORDER BY / LIMIT
    /// of their own.
    fn compound_operands_parenthesized(&self) -> bool {
        false
    }

    /// `INSERT INTO t SELECT ... FROM s ON CONFLICT ...` reads the ON as a join constraint
    /// (SQLite's documented parsing ambiguity).
    fn insert_select_upsert_needs_where(&self) -> bool {
        true
    }

    fn eager_join_from_children(&self) -> bool {
        // Nested loops only: see the trait. RIGHT JOIN needs SQLite 3.39; the bundled one is
        // newer.
        true
    }

    fn write_row_lock(&self, _out: &mut String, _lock: crate::sql::RowLock) {
        // No row locks: the database-wide write lock, taken by the caller's `BEGIN
        // IMMEDIATE` before the read, already excludes every other writer (so no row is
        // locked by another transaction, and NOWAIT / SKIP LOCKED have nothing to act on).
    }

    fn autoincrement_primary_key(&self, _column: &Column) -> String {
        // The type `INTEGER` with PRIMARY KEY makes the column an alias of the rowid (NULL
        // still assigns a new key); NOT NULL makes `PRAGMA table_info` (and SQLAlchemy's
        // inspector) report it non-nullable, as for SQLAlchemy's `INTEGER NOT NULL`.
        "INTEGER NOT NULL PRIMARY KEY".into()
    }

    fn write_limit_offset(&self, out: &mut String, limit: Option<u64>, offset: Option<u64>) {
        out.push_str(" LIMIT ");
        match limit {
            Some(l) => push_u64(out, l.min(i64::MAX as u64)),
            None => out.push_str("-1"),
        }
        if let Some(o) = offset {
            out.push_str(" OFFSET ");
            push_u64(out, o);
        }
    }

    fn max_bind_params(&self) -> usize {
        32766
    }

    /// SQLite runs in the process, so a batch only saves the per-statement work (about a
    /// thousand instructions), while every bound text or blob value is a copy SQLite
    /// allocates: the first hundred or so of a statement come from the connection's
    /// lookaside slots, the rest from `malloc` and `free`. Measured under callgrind
    /// (cinnabar-bench W1, a five-column model), about 200 values a statement (40 rows)
    /// cost the least: a fifth fewer instructions per flushed row than 1000-row batches.
    fn insert_batch_params(&self) -> usize {
        200
    }

    fn generated_keys(&self) -> super::GeneratedKeys {
        // Cheaper than RETURNING, which makes SQLite buffer every returned row.
        super::GeneratedKeys::LastInsertIdLast
    }

    fn multi_row_keys_contiguous(&self) -> bool {
        // New rowids are max(rowid)+1, row by row; only an exhausted rowid space makes
        // SQLite pick random ones, which shows as a gap.
        true
    }

    fn begin_sql(&self, mode: BeginMode) -> &'static str {
        match mode {
            BeginMode::Deferred | BeginMode::ReadOnly => "BEGIN",
            BeginMode::Immediate => "BEGIN IMMEDIATE",
        }
    }

    /// `BEGIN IMMEDIATE`: writers queue on the busy timeout instead of failing with
    /// SQLITE_BUSY when a read lock cannot be upgraded (see the trait's documentation).
    fn write_begin_mode(&self) -> BeginMode {
        BeginMode::Immediate
    }

    fn catalog(&self) -> Option<&'static dyn super::catalog::Catalog> {
        Some(&super::catalog::SqliteCatalog)
    }

    /// The database's write lock: each revision's transaction is `BEGIN IMMEDIATE`, which
    /// waits for other writers up to the busy timeout.
    fn migration_lock(&self) -> Option<super::MigrationLock> {
        Some(super::MigrationLock::WriteTransaction)
    }

    fn utc_now_text_sql(&self) -> Option<&'static str> {
        Some("strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")
    }

    fn table_rebuild(&self) -> Option<&'static dyn super::TableRebuild> {
        Some(&super::SqliteRebuild)
    }

    fn cast_spelling(&self, to: SqlType) -> Option<super::CastSpelling> {
        super::spelling::sqlite_cast(to)
    }

    fn extract_template(&self, part: crate::sql::DatePart) -> (&'static str, &'static str) {
        super::spelling::sqlite_extract(part)
    }

    /// `date(d, (n) || ' days')`: a modifier such as `'5 days'` or `'-5 days'`.
    fn add_days_template(&self) -> [&'static str; 3] {
        ["date(", ", (", ") || ' days')"]
    }
}
