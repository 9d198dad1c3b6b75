//! The MySQL/MariaDB dialect: backtick quoting, `?` placeholders, AUTO_INCREMENT keys,
//! `CONCAT()`, `ON DUPLICATE KEY UPDATE`, RETURNING on INSERT and DELETE only (MariaDB); keys
//! come from LAST_INSERT_ID.

use super::ddl::keyed_by_flags;
use super::{
    column_type_name, push_u64, write_alter_column_ansi, write_default, ConstraintKind, Dialect,
    MigrationLock,
};
use crate::schema::Column;
use crate::sql::{ColumnChange, OnConflict};
use crate::types::SqlType;

/// MySQL and MariaDB.
#[derive(Debug, Clone, Copy, Default)]
pub struct MySqlDialect;

impl MySqlFamily for MySqlDialect {}

/// The MySQL family of dialects: [`MySqlDialect`] and the members that render MySQL's SQL
/// with other capabilities ([`GaleraDialect`](super::GaleraDialect)). The family has one
/// `impl Dialect` (below) for every member, so whatever MySQL writes a member writes too,
/// with no list of methods to keep in step; a member differs only in the answers this trait
/// asks for, each MySQL's by default.
pub(crate) trait MySqlFamily: Send + Sync + std::fmt::Debug + 'static {
    /// The member's [`Dialect::migration_lock`]: `GET_LOCK` on a name made of a hash of
    /// `database.name` (lock names are server-wide); the holder is `IS_USED_LOCK`'s
    /// connection in the process list.
    fn member_migration_lock(&self) -> Option<MigrationLock> {
        Some(MigrationLock::Named(super::migration::MYSQL_LOCK))
    }

    /// The member's [`Dialect::named_locks_cluster_wide`]: true on one server.
    fn member_named_locks_cluster_wide(&self) -> bool {
        true
    }

    /// The member's [`Dialect::insert_returning`]: false, keys come from `LAST_INSERT_ID`
    /// (MySQL has no RETURNING at all).
    fn member_insert_returning(&self) -> bool {
        false
    }

    /// The member's [`Dialect::retryable_error_code`]: none beyond the retryable kinds.
    fn member_retryable_error_code(&self, code: &str) -> bool {
        let _ = code;
        false
    }
}

// MySQL's SQL, for every member of the family (see `MySqlFamily`).
impl<F: MySqlFamily> Dialect for F {
    fn name(&self) -> &'static str {
        "mysql"
    }

    /// MySQL and MariaDB refuse table, column, index and constraint names longer than 64
    /// characters (aliases may be longer, but one limit keeps the check simple).
    fn identifier_limit(&self) -> super::IdentifierLimit {
        super::IdentifierLimit::Chars(64)
    }

    fn quote_identifier(&self, out: &mut String, ident: &str) {
        super::quote_with(out, ident, '`');
    }

    fn column_type(&self, column: &Column, keyed: bool) -> String {
        match column.sql_type {
            SqlType::SmallInt => "SMALLINT".into(),
            SqlType::Integer => "INT".into(),
            SqlType::BigInt => "BIGINT".into(),
            SqlType::Float => "FLOAT".into(),
            SqlType::Double => "DOUBLE".into(),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Text(Some(n)) => format!("VARCHAR({n})"),
            // TEXT cannot be indexed without a prefix length.
            SqlType::Text(None) if keyed => "VARCHAR(255)".into(),
            // TEXT holds only 64 KiB; a String holds anything.
            SqlType::Text(None) => "LONGTEXT".into(),
            SqlType::Blob => "LONGBLOB".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME(6)".into(),
            SqlType::DateTime | SqlType::DateTimeTz => "DATETIME(6)".into(),
            SqlType::Uuid => "CHAR(36)".into(),
            SqlType::Decimal(p, s) => format!("DECIMAL({p}, {s})"),
            SqlType::Json => "JSON".into(),
        }
    }

    fn autoincrement_primary_key(&self, column: &Column) -> String {
        let ty = match column.sql_type {
            SqlType::SmallInt => "SMALLINT",
            SqlType::Integer => "INT",
            _ => "BIGINT",
        };
        format!("{ty} NOT NULL AUTO_INCREMENT PRIMARY KEY")
    }

    fn write_limit_offset(&self, out: &mut String, limit: Option<u64>, offset: Option<u64>) {
        out.push_str(" LIMIT ");
        push_u64(out, limit.unwrap_or(u64::MAX));
        if let Some(o) = offset {
            out.push_str(" OFFSET ");
            push_u64(out, o);
        }
    }

    fn supports_returning(&self) -> bool {
        false
    }

    /// MariaDB (10.5 for INSERT, 10.0 for DELETE) writes RETURNING on INSERT and DELETE, never
    /// on UPDATE. MySQL has no RETURNING at all and refuses the SQL at the server: this
    /// dialect describes MariaDB, the server the project tests against. The flush does not
    /// use it ([`supports_returning`](Dialect::supports_returning) stays false), so keys keep
    /// coming from LAST_INSERT_ID on both servers.
    fn supports_returning_in(&self, kind: super::DmlKind) -> bool {
        matches!(kind, super::DmlKind::Insert | super::DmlKind::Delete)
    }

    fn max_bind_params(&self) -> usize {
        65535
    }

    fn concat_is_function(&self) -> bool {
        true
    }

    fn begin_sql(&self, mode: super::BeginMode) -> &'static str {
        match mode {
            super::BeginMode::ReadOnly => "START TRANSACTION READ ONLY",
            _ => "START TRANSACTION",
        }
    }

    fn lex_rules(&self) -> crate::sql::LexRules {
        // The session's sql_mode leaves NO_BACKSLASH_ESCAPES and ANSI_QUOTES off (MySQL's
        // default).
        crate::sql::LexRules {
            backslash_escapes: true,
            double_quoted_strings: true,
            question_params: true,
            backquote_identifiers: true,
            hash_comments: true,
            dash_comments_need_space: true,
            executable_comments: true,
            ..Default::default()
        }
    }

    fn foreign_key_exists_sql(&self) -> Option<&'static str> {
        Some(
            "SELECT 1 FROM information_schema.table_constraints \
             WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = ? \
             AND constraint_type = 'FOREIGN KEY' LIMIT 1",
        )
    }

    /// A foreign key is dropped with `DROP FOREIGN KEY` and a unique constraint, which is a
    /// unique index here, with `DROP INDEX`; a check with `DROP CONSTRAINT` (MariaDB 10.2+,
    /// MySQL 8.0.19+).
    fn write_drop_constraint(&self, out: &mut String, kind: ConstraintKind, name: &str) {
        out.push_str(match kind {
            ConstraintKind::ForeignKey => "DROP FOREIGN KEY ",
            ConstraintKind::Unique => "DROP INDEX ",
            ConstraintKind::Check => "DROP CONSTRAINT ",
            ConstraintKind::PrimaryKey => return out.push_str("DROP PRIMARY KEY"),
        });
        self.quote_identifier(out, name);
    }

    /// The type and nullability change with `MODIFY COLUMN` and the column's whole
    /// definition, which restates its default (and AUTO_INCREMENT: MODIFY would drop what it
    /// does not restate); the default alone changes with the ANSI `ALTER COLUMN .. SET
    /// DEFAULT` / `DROP DEFAULT`. The type of an unbounded text column is `VARCHAR(255)` when
    /// the column's own flags (`primary_key`, `unique`, `index`) key it, else `LONGTEXT`.
    fn write_alter_column(&self, out: &mut String, column: &Column, change: ColumnChange) {
        if change == ColumnChange::Default {
            return write_alter_column_ansi(self, out, column, change);
        }
        out.push_str("MODIFY COLUMN ");
        self.quote_identifier(out, &column.name);
        out.push(' ');
        out.push_str(&column_type_name(self, column, keyed_by_flags(column)));
        if !column.nullable || column.primary_key {
            out.push_str(" NOT NULL");
        }
        if column.autoincrement && column.primary_key {
            out.push_str(" AUTO_INCREMENT");
        }
        if let Some(def) = &column.server_default {
            write_default(out, def);
        }
    }

    fn supports_partial_indexes(&self) -> bool {
        false
    }

    fn drop_index_names_table(&self) -> bool {
        true
    }

    fn index_exists_sql(&self) -> Option<&'static str> {
        Some(
            "SELECT 1 FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1",
        )
    }

    fn create_table_suffix(&self) -> &'static str {
        // Binary collation: `=` and UNIQUE compare case-sensitively, as on SQLite and
        // PostgreSQL (the server default is case-insensitive).
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    }

    fn write_on_conflict(
        &self,
        out: &mut String,
        oc: &OnConflict,
        columns: &[std::borrow::Cow<'static, str>],
    ) -> crate::Result<()> {
        write_upsert(self, out, oc, columns, None)
    }

    /// After a SELECT the no-op assignment names the table, `` `id` = `t`.`id` ``: a bare
    /// `` `id` `` could also be a column of the SELECT's tables ("Column 'id' in UPDATE is
    /// ambiguous").
    fn write_on_conflict_after_select(
        &self,
        out: &mut String,
        table: &str,
        oc: &OnConflict,
        columns: &[std::borrow::Cow<'static, str>],
    ) -> crate::Result<()> {
        write_upsert(self, out, oc, columns, Some(table))
    }

    fn default_values_clause(&self) -> &'static str {
        " () VALUES ()"
    }

    fn catalog(&self) -> Option<&'static dyn super::catalog::Catalog> {
        Some(&super::catalog::mysql::MYSQL_CATALOG)
    }

    /// Every DDL statement commits the open transaction first (an implicit commit).
    fn transactional_ddl(&self) -> bool {
        false
    }

    fn migration_lock(&self) -> Option<MigrationLock> {
        self.member_migration_lock()
    }

    fn named_locks_cluster_wide(&self) -> bool {
        self.member_named_locks_cluster_wide()
    }

    fn insert_returning(&self) -> bool {
        self.member_insert_returning()
    }

    fn retryable_error_code(&self, code: &str) -> bool {
        self.member_retryable_error_code(code)
    }

    /// `lock_wait_timeout` bounds the wait for a table's metadata lock, which ALTER TABLE
    /// takes and every later query of the table queues behind (whole seconds, at least 1).
    fn lock_timeout_sql(&self, timeout: std::time::Duration) -> Option<String> {
        let s = super::migration::seconds_rounded_up(timeout);
        Some(format!("SET SESSION lock_wait_timeout = {s}"))
    }

    fn lock_timeout_reset_sql(&self) -> Option<&'static str> {
        Some("SET SESSION lock_wait_timeout = DEFAULT")
    }

    /// MariaDB's `max_statement_time` (seconds, microsecond precision), which stops any
    /// statement; MySQL 8 has no such variable (its `max_execution_time` bounds only
    /// SELECTs) and answers an "unknown system variable" error.
    fn statement_timeout_sql(&self, timeout: Option<std::time::Duration>) -> Option<String> {
        Some(match timeout {
            Some(t) => {
                let micros = t.as_micros().max(1);
                format!(
                    "SET SESSION max_statement_time = {}.{:06}",
                    micros / 1_000_000,
                    micros % 1_000_000
                )
            }
            None => "SET SESSION max_statement_time = DEFAULT".to_owned(),
        })
    }

    fn utc_now_text_sql(&self) -> Option<&'static str> {
        Some("DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H:%i:%sZ')")
    }

    /// MariaDB 10.11 plans `(a, b) > (?, ?)` as a full index scan; the expansion
    /// `a > ? OR (a = ? AND b > ?)` as a range.
    fn row_value_ranges_use_indexes(&self) -> bool {
        false
    }

    fn integer_division_operator(&self) -> &'static str {
        " DIV "
    }

    fn cast_spelling(&self, to: SqlType) -> Option<super::CastSpelling> {
        super::spelling::mysql_cast(to)
    }

    fn add_days_template(&self) -> [&'static str; 3] {
        ["DATE_ADD(", ", INTERVAL ", " DAY)"]
    }

    fn current_date_sql(&self) -> &'static str {
        "UTC_DATE()"
    }

    fn current_timestamp_sql(&self) -> &'static str {
        "UTC_TIMESTAMP(6)"
    }
}

/// `ON DUPLICATE KEY UPDATE ...`; `table` qualifies the no-op assignment's right side.
fn write_upsert<D: Dialect>(
    d: &D,
    out: &mut String,
    oc: &OnConflict,
    columns: &[std::borrow::Cow<'static, str>],
    table: Option<&str>,
) -> crate::Result<()> {
    match oc {
        // A no-op assignment keeps the existing row without IGNORE's error swallowing.
        OnConflict::DoNothing { target } => {
            out.push_str(" ON DUPLICATE KEY UPDATE ");
            let col = target
                .first()
                .or_else(|| columns.first())
                .map(|c| c.as_ref())
                .ok_or_else(|| crate::Error::misuse("an upsert needs at least one column"))?;
            d.quote_identifier(out, col);
            out.push_str(" = ");
            if let Some(t) = table {
                d.quote_identifier(out, t);
                out.push('.');
            }
            d.quote_identifier(out, col);
        }
        OnConflict::Update { columns, .. } => {
            out.push_str(" ON DUPLICATE KEY UPDATE ");
            for (i, c) in columns.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                d.quote_identifier(out, c);
                out.push_str(" = VALUES(");
                d.quote_identifier(out, c);
                out.push(')');
            }
        }
    }
    Ok(())
}
