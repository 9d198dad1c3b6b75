//! DDL statements as values: [`Ddl`] is CREATE / DROP TABLE, ALTER TABLE with one
//! [`AlterAction`], and CREATE / DROP INDEX. Like SELECT and INSERT they are compiled by the
//! shared compiler with each dialect's spelling; a form a database lacks (SQLite cannot drop
//! a constraint or change a column's type) compiles to a typed
//! [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) error naming the table and what
//! was asked, which the migration layer answers by rebuilding the table.
//!
//! `create_all` / `drop_all` are built from these; the schema diff's operations map onto them.

use crate::schema::{CheckConstraint, Column, ForeignKey, Index, Table, UniqueConstraint};

/// A DDL statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Ddl {
    /// CREATE TABLE.
    CreateTable(CreateTable),
    /// DROP TABLE.
    DropTable(DropTable),
    /// ALTER TABLE with one action.
    AlterTable(AlterTable),
    /// CREATE INDEX.
    CreateIndex(CreateIndex),
    /// DROP INDEX.
    DropIndex(DropIndex),
}

/// `CREATE TABLE [IF NOT EXISTS] name (columns, primary key, uniques, checks, foreign keys)`.
/// Foreign keys marked `use_alter` are left out where the dialect adds them with ALTER TABLE.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    /// The table to create.
    pub table: Table,
    /// Adds `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

/// `DROP TABLE [IF EXISTS] name`.
#[derive(Debug, Clone, PartialEq)]
pub struct DropTable {
    /// Table name.
    pub name: String,
    /// Adds `IF EXISTS`.
    pub if_exists: bool,
}

/// `ALTER TABLE table <action>`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlterTable {
    /// Table name.
    pub table: String,
    /// What to change.
    pub action: AlterAction,
}

/// Which property of a column an [`AlterAction::AlterColumn`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnChange {
    /// The type (to `column.sql_type` / `column.custom_type`).
    Type,
    /// NULL allowed or not (to `column.nullable`).
    Nullability,
    /// The server default (to `column.server_default`; `None` drops it).
    Default,
}

/// One ALTER TABLE action.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterAction {
    /// `ADD COLUMN`.
    AddColumn(Column),
    /// `DROP COLUMN name`.
    DropColumn(String),
    /// Changes one property of a column; `column` is the column's whole new definition
    /// (MySQL restates it in `MODIFY COLUMN`).
    AlterColumn {
        /// The column as it is to be.
        column: Column,
        /// What changes.
        change: ColumnChange,
    },
    /// `RENAME COLUMN from TO to`.
    RenameColumn {
        /// Current name.
        from: String,
        /// New name.
        to: String,
    },
    /// `RENAME TO name`.
    RenameTable(String),
    /// `ADD CONSTRAINT .. FOREIGN KEY` (named by [`ForeignKey::constraint_name`]).
    AddForeignKey(ForeignKey),
    /// Drops the foreign key of this name.
    DropForeignKey(String),
    /// `ADD CONSTRAINT .. UNIQUE` (a name is required).
    AddUnique(UniqueConstraint),
    /// Drops the unique constraint of this name.
    DropUnique(String),
    /// `ADD CONSTRAINT .. CHECK` (a name is required).
    AddCheck(CheckConstraint),
    /// Drops the check constraint of this name.
    DropCheck(String),
    /// `ADD PRIMARY KEY (columns)`.
    AddPrimaryKey(Vec<String>),
    /// Drops the table's primary key (PostgreSQL names it: `<table>_pkey` unless the
    /// schema's author named it otherwise; MySQL `DROP PRIMARY KEY`).
    DropPrimaryKey,
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (columns) [WHERE ..]`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    /// Table name.
    pub table: String,
    /// The index.
    pub index: Index,
    /// Adds `IF NOT EXISTS` (a dialect without it checks the catalog instead; see
    /// `Dialect::index_exists_sql`).
    pub if_not_exists: bool,
}

/// `DROP INDEX name` (MySQL: `DROP INDEX name ON table`).
#[derive(Debug, Clone, PartialEq)]
pub struct DropIndex {
    /// Table the index is on.
    pub table: String,
    /// Index name.
    pub name: String,
    /// Adds `IF EXISTS`.
    pub if_exists: bool,
}

impl From<CreateTable> for Ddl {
    fn from(s: CreateTable) -> Ddl {
        Ddl::CreateTable(s)
    }
}

impl From<DropTable> for Ddl {
    fn from(s: DropTable) -> Ddl {
        Ddl::DropTable(s)
    }
}

impl From<AlterTable> for Ddl {
    fn from(s: AlterTable) -> Ddl {
        Ddl::AlterTable(s)
    }
}

impl From<CreateIndex> for Ddl {
    fn from(s: CreateIndex) -> Ddl {
        Ddl::CreateIndex(s)
    }
}

impl From<DropIndex> for Ddl {
    fn from(s: DropIndex) -> Ddl {
        Ddl::DropIndex(s)
    }
}

impl AlterTable {
    /// `ALTER TABLE table <action>`.
    pub fn new(table: impl Into<String>, action: AlterAction) -> Self {
        AlterTable {
            table: table.into(),
            action,
        }
    }
}
