//! The dialect of a MariaDB Galera cluster (a multi-primary cluster of MariaDB servers): the
//! MySQL dialect's SQL, with the capabilities that differ on a cluster. The MySQL driver
//! selects it when the server says `wsrep_on = ON` at connect (docs/SCALING.md).

use super::{ConstraintKind, Dialect, MigrationLock, MySqlDialect};
use crate::schema::Column;
use crate::sql::{ColumnChange, OnConflict};

/// MariaDB with Galera replication (`wsrep_on = ON`). Renders exactly what [`MySqlDialect`]
/// renders (every method below delegates to it) and differs only where a cluster does:
///
/// - the migration lock is a row of a lock table ([`MigrationLock::LockTable`]): `GET_LOCK`
///   is local to one node ([`Dialect::named_locks_cluster_wide`] is false);
/// - error 1047 ("WSREP has not yet prepared node for application use", while a node is
///   not part of the primary component) is retryable, beside 1213, which Galera answers for
///   a certification conflict at COMMIT ("WSREP detected deadlock/conflict") and which the
///   driver maps to `Deadlock` on every MariaDB/MySQL.
///
/// - keys come back with `INSERT .. RETURNING` ([`Dialect::insert_returning`], MariaDB
///   10.5+): Galera requires `innodb_autoinc_lock_mode = 2`, under which one multi-row
///   INSERT's keys are not promised consecutive (and step by `auto_increment_increment`, the
///   cluster size), so the last-insert id alone could map only one row per statement.
///
/// What needs no flag: DDL is already not transactional on MySQL (Galera replicates each
/// statement in total order, one per implicit transaction).
#[derive(Debug, Clone, Copy, Default)]
pub struct GaleraDialect;

const M: MySqlDialect = MySqlDialect;

impl Dialect for GaleraDialect {
    fn name(&self) -> &'static str {
        M.name()
    }
    fn identifier_limit(&self) -> super::IdentifierLimit {
        M.identifier_limit()
    }
    fn quote_identifier(&self, out: &mut String, ident: &str) {
        M.quote_identifier(out, ident)
    }
    fn char_length_function(&self) -> &'static str {
        M.char_length_function()
    }
    fn column_type(&self, column: &Column, keyed: bool) -> String {
        M.column_type(column, keyed)
    }
    fn autoincrement_primary_key(&self, column: &Column) -> String {
        M.autoincrement_primary_key(column)
    }
    fn write_limit_offset(&self, out: &mut String, limit: Option<u64>, offset: Option<u64>) {
        M.write_limit_offset(out, limit, offset)
    }
    fn supports_returning(&self) -> bool {
        M.supports_returning()
    }
    fn multi_row_keys_contiguous(&self) -> bool {
        M.multi_row_keys_contiguous()
    }
    fn max_bind_params(&self) -> usize {
        M.max_bind_params()
    }
    fn concat_is_function(&self) -> bool {
        M.concat_is_function()
    }
    fn begin_sql(&self, mode: super::BeginMode) -> &'static str {
        M.begin_sql(mode)
    }
    fn lex_rules(&self) -> crate::sql::LexRules {
        M.lex_rules()
    }
    fn foreign_key_exists_sql(&self) -> Option<&'static str> {
        M.foreign_key_exists_sql()
    }
    fn write_drop_constraint(&self, out: &mut String, kind: ConstraintKind, name: &str) {
        M.write_drop_constraint(out, kind, name)
    }
    fn write_alter_column(&self, out: &mut String, column: &Column, change: ColumnChange) {
        M.write_alter_column(out, column, change)
    }
    fn supports_partial_indexes(&self) -> bool {
        M.supports_partial_indexes()
    }
    fn drop_index_names_table(&self) -> bool {
        M.drop_index_names_table()
    }
    fn index_exists_sql(&self) -> Option<&'static str> {
        M.index_exists_sql()
    }
    fn create_table_suffix(&self) -> &'static str {
        M.create_table_suffix()
    }
    fn write_on_conflict(
        &self,
        out: &mut String,
        oc: &OnConflict,
        columns: &[std::borrow::Cow<'static, str>],
    ) -> crate::Result<()> {
        M.write_on_conflict(out, oc, columns)
    }
    fn default_values_clause(&self) -> &'static str {
        M.default_values_clause()
    }
    // The expression and statement writers of issue 14 (expr, stmt).
    fn supports_returning_in(&self, kind: super::DmlKind) -> bool {
        M.supports_returning_in(kind)
    }
    fn write_on_conflict_after_select(
        &self,
        out: &mut String,
        table: &str,
        oc: &OnConflict,
        columns: &[std::borrow::Cow<'static, str>],
    ) -> crate::Result<()> {
        M.write_on_conflict_after_select(out, table, oc, columns)
    }
    fn row_value_ranges_use_indexes(&self) -> bool {
        M.row_value_ranges_use_indexes()
    }
    fn integer_division_operator(&self) -> &'static str {
        M.integer_division_operator()
    }
    fn cast_spelling(&self, to: crate::types::SqlType) -> Option<super::CastSpelling> {
        M.cast_spelling(to)
    }
    fn add_days_template(&self) -> [&'static str; 3] {
        M.add_days_template()
    }
    fn current_date_sql(&self) -> &'static str {
        M.current_date_sql()
    }
    fn current_timestamp_sql(&self) -> &'static str {
        M.current_timestamp_sql()
    }
    fn catalog(&self) -> Option<&'static dyn super::catalog::Catalog> {
        M.catalog()
    }
    fn transactional_ddl(&self) -> bool {
        M.transactional_ddl()
    }
    fn lock_timeout_sql(&self, timeout: std::time::Duration) -> Option<String> {
        M.lock_timeout_sql(timeout)
    }
    fn lock_timeout_reset_sql(&self) -> Option<&'static str> {
        M.lock_timeout_reset_sql()
    }
    fn statement_timeout_sql(&self, timeout: Option<std::time::Duration>) -> Option<String> {
        M.statement_timeout_sql(timeout)
    }
    fn utc_now_text_sql(&self) -> Option<&'static str> {
        M.utc_now_text_sql()
    }

    // What differs on the cluster.

    /// A lock table's row: rows are replicated, `GET_LOCK` is not.
    fn migration_lock(&self) -> Option<MigrationLock> {
        Some(MigrationLock::LockTable)
    }

    fn named_locks_cluster_wide(&self) -> bool {
        false
    }

    /// MariaDB 10.5+ (the driver selects this dialect only for MariaDB of at least that
    /// version): `INSERT .. RETURNING`, so the keys of a multi-row INSERT come back as they
    /// are, with no promise of consecutive values needed ([`Dialect::generated_keys`] is
    /// therefore `Returning`). `UPDATE`/`DELETE .. RETURNING` stay refused, as on MySQL.
    fn insert_returning(&self) -> bool {
        true
    }

    /// 1047: the node left the primary component or is still joining (ER_UNKNOWN_COM_ERROR
    /// with "WSREP has not yet prepared node for application use"); it answers again once
    /// it is synced.
    fn retryable_error_code(&self, code: &str) -> bool {
        code == "1047"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Table;
    use crate::sql::{CreateTable, Ddl, Insert, Select};
    use crate::types::SqlType;
    use crate::{Error, ErrorKind};

    #[test]
    fn galera_renders_what_mysql_renders() {
        let t = Table::new("t w")
            .column(
                Column::new("id", SqlType::BigInt)
                    .primary_key()
                    .autoincrement(),
            )
            .column(Column::new("n`x", SqlType::Text(None)).unique());
        let ddl = Ddl::CreateTable(CreateTable {
            table: t,
            if_not_exists: true,
        });
        assert_eq!(
            super::super::compile_ddl(&GaleraDialect, &ddl).unwrap(),
            super::super::compile_ddl(&MySqlDialect, &ddl).unwrap()
        );
        let sel = Select::from("t w").limit(3).offset(2);
        let ins = Insert::into("t w").columns(["n`x"]).values(["v"]);
        // Issue 14's writers: integer division (DIV), CAST targets, current date, RETURNING
        // on INSERT ... SELECT's upsert path.
        let div = crate::sql::Expr::Column(crate::sql::ColumnRef::bare("n`x")).binary(
            crate::sql::BinOp::IntDiv,
            crate::sql::Expr::Value(crate::Value::Int(2)),
        );
        let cast = crate::sql::Expr::Cast {
            expr: Box::new(crate::sql::Expr::Column(crate::sql::ColumnRef::bare("id"))),
            to: SqlType::BigInt,
        };
        let exprs = Select::from("t w")
            .column(div)
            .column(cast)
            .column(crate::sql::Expr::CurrentDate);
        let stmts: [crate::sql::Statement; 3] = [sel.into(), ins.into(), exprs.into()];
        for stmt in stmts {
            let g = super::super::compile(&GaleraDialect, &stmt).unwrap();
            let m = super::super::compile(&MySqlDialect, &stmt).unwrap();
            assert_eq!(g.sql, m.sql);
        }
        assert_eq!(GaleraDialect.name(), "mysql");
        assert!(!GaleraDialect.transactional_ddl());
        // RETURNING for INSERT only.
        let ins = Insert::into("t").columns(["a"]).values([1]).returning("id");
        assert_eq!(
            super::super::compile(&GaleraDialect, &ins.clone().into())
                .unwrap()
                .sql,
            "INSERT INTO `t` (`a`) VALUES (?) RETURNING `id`"
        );
        let upd = crate::sql::Update::table("t")
            .set("a", crate::sql::Expr::Value(crate::Value::Int(2)))
            .returning("id");
        let e = super::super::compile(&GaleraDialect, &upd.into()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
    }

    #[test]
    fn galera_differs_in_its_cluster_capabilities() {
        assert_eq!(
            GaleraDialect.migration_lock(),
            Some(MigrationLock::LockTable)
        );
        assert!(!GaleraDialect.named_locks_cluster_wide());
        assert_eq!(
            GaleraDialect.generated_keys(),
            super::super::GeneratedKeys::Returning
        );
        assert!(GaleraDialect.insert_returning() && !GaleraDialect.supports_returning());
        assert!(MySqlDialect.named_locks_cluster_wide());
        let not_ready =
            Error::new(ErrorKind::Database, "WSREP has not yet prepared node").with_code("1047");
        assert!(GaleraDialect.is_retryable(&not_ready));
        assert!(!MySqlDialect.is_retryable(&not_ready));
        let conflict =
            Error::new(ErrorKind::Deadlock, "WSREP detected deadlock/conflict").with_code("1213");
        assert!(GaleraDialect.is_retryable(&conflict));
        assert!(MySqlDialect.is_retryable(&conflict));
        let syntax = Error::new(ErrorKind::Database, "syntax").with_code("1064");
        assert!(!GaleraDialect.is_retryable(&syntax));
    }
}
