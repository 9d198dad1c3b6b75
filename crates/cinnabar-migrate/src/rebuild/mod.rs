//! Table rebuilds: how a migration changes a table that the database's ALTER TABLE cannot
//! change (SQLite: a column's type, nullability or default, constraints, the primary key),
//! without losing a row, SQLite's documented 12 steps: foreign keys off outside the
//! transaction; inside it, create the new table under a temporary name, copy every row,
//! drop the old table, rename the new one, recreate indexes and triggers, check foreign
//! keys; commit; foreign keys back on. Called by the Migrator; see docs/migrations/sqlite.md.
//!
//! - [`needs_rebuild`]: whether an operation needs one (its DDL is `Unsupported`, the server
//!   is too old for the native form, or the native ALTER TABLE would refuse it);
//! - [`apply_ops`]: the current table with a run of operations applied, and the column
//!   [`Renames`];
//! - [`plan`]: the SQL of the rebuild, compiled, inspectable, printable offline;
//! - [`run`]: the rebuild on a live connection; [`with_foreign_keys_off`] around a
//!   migration's own transaction;
//! - [`plan_ops`]: all of it for a run of operations on one table ([`TableChange`]).
//!
//! What the database can and cannot do comes from the dialect ([`Dialect::table_rebuild`],
//! a [`TableRebuild`]); nothing here names a backend.
//!
//! ```
//! use cinnabar_core::dialect::SqliteDialect;
//! use cinnabar_core::schema::diff::SchemaOp;
//! use cinnabar_core::schema::{Column, Table};
//! use cinnabar_core::sql::ColumnChange;
//! use cinnabar_core::types::SqlType;
//! use cinnabar_migrate::rebuild::{plan_ops, TableChange};
//!
//! # fn main() -> cinnabar_core::Result<()> {
//! let people = Table::new("people")
//!     .column(Column::new("id", SqlType::BigInt).primary_key().autoincrement())
//!     .column(Column::new("age", SqlType::SmallInt).nullable());
//! let widen = SchemaOp::AlterColumn {
//!     table: "people".into(),
//!     from: Column::new("age", SqlType::SmallInt).nullable(),
//!     to: Column::new("age", SqlType::BigInt).nullable(),
//!     changes: vec![ColumnChange::Type],
//! };
//! let TableChange::Rebuild(plan) = plan_ops(&SqliteDialect, None, &people, &[widen])? else {
//!     unreachable!("SQLite cannot change a column's type with ALTER TABLE");
//! };
//! assert_eq!(
//!     plan.copy_sql(),
//!     r#"INSERT INTO "_cinnabar_new_people" ("id", "age") SELECT "id", "age" FROM "people""#
//! );
//! # Ok(())
//! # }
//! ```
//!
//! [`Dialect::table_rebuild`]: cinnabar_core::dialect::Dialect::table_rebuild
//! [`TableRebuild`]: cinnabar_core::dialect::TableRebuild

mod plan;
mod run;
mod target;

pub use plan::{plan, RebuildPlan, Renames};
pub use run::{run, with_foreign_keys_off, RebuildReport};
pub use target::{apply_ops, needs_rebuild};

use cinnabar_core::dialect::{compile_ddl, Dialect, ServerVersion, TableRebuild};
use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::Table;
use cinnabar_core::{Error, Result};

/// How a run of operations on one table is applied.
// One value per run of operations, consumed at once: boxing the plan would only add an
// allocation and a `*` at every use (the Migrator destructures it).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TableChange {
    /// Each operation through the database's own ALTER TABLE (and CREATE / DROP INDEX):
    /// the compiled statements, in order.
    Native(Vec<String>),
    /// One rebuild making every change of the run.
    Rebuild(RebuildPlan),
}

/// How to apply `ops` (each changing `current`'s table) on `dialect`: natively when every
/// one can be (see [`needs_rebuild`], each judged on the table as the operations before it
/// leave it), otherwise all of them in one rebuild, so that a
/// revision that changes a table several ways copies its rows once. `version` is the
/// running server's (`None` when unknown, as offline).
///
/// # Errors
/// As [`needs_rebuild`], [`apply_ops`] and [`plan`]; compile errors of the native DDL.
pub fn plan_ops(
    dialect: &dyn Dialect,
    version: Option<ServerVersion>,
    current: &Table,
    ops: &[SchemaOp],
) -> Result<TableChange> {
    let mut rebuild = false;
    if dialect.table_rebuild().is_some() {
        // Each operation is judged on the table as the ones before it leave it (a column
        // indexed by an earlier step cannot be dropped natively).
        let mut working = current.clone();
        for op in ops {
            if needs_rebuild(dialect, version, &working, op)? {
                rebuild = true;
                break;
            }
            working = apply_ops(dialect, &working, std::slice::from_ref(op))?.0;
        }
    }
    if rebuild {
        let (target, renames) = apply_ops(dialect, current, ops)?;
        return plan(dialect, current, &target, &renames).map(TableChange::Rebuild);
    }
    let mut out = Vec::new();
    for op in ops {
        for ddl in op.to_ddl() {
            out.push(compile_ddl(dialect, &ddl)?);
        }
    }
    Ok(TableChange::Native(out))
}

/// The running server's version, read with the dialect's
/// [`TableRebuild::version_sql`]; `None` on a dialect that never rebuilds.
///
/// # Errors
/// Database errors; [`ErrorKind::Conversion`](cinnabar_core::ErrorKind::Conversion) when the
/// answer is not a version.
pub fn server_version(conn: &mut cinnabar_engine::Connection) -> Result<Option<ServerVersion>> {
    let Some(rb) = conn.dialect().table_rebuild() else {
        return Ok(None);
    };
    let text: String = conn
        .execute(cinnabar_core::sql::text(rb.version_sql()))?
        .scalar()?;
    ServerVersion::parse(&text).map(Some)
}

/// The dialect's rebuild capability, or the typed error saying it has none.
fn capability(dialect: &dyn Dialect) -> Result<&'static dyn TableRebuild> {
    dialect.table_rebuild().ok_or_else(|| {
        Error::unsupported(format!(
            "the {} dialect does not rebuild tables: its ALTER TABLE makes every change",
            dialect.name()
        ))
    })
}
