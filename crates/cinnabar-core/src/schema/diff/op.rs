//! [`SchemaOp`]: one change between two schemas, as plain data that carries what applying
//! it needs and what reversing it needs (a dropped column keeps its whole definition).
//! [`diff`](super::diff) produces them; migrations apply them through [`SchemaOp::to_ddl`]
//! and undo them through [`SchemaOp::reverse`].

use std::fmt;

use crate::schema::{
    shorten_generated_name, CheckConstraint, Column, ForeignKey, Index, Table, UniqueConstraint,
};
use crate::sql::ddl::{
    AlterAction, AlterTable, ColumnChange, CreateIndex, CreateTable, Ddl, DropIndex, DropTable,
};
use crate::types::SqlType;

/// One schema change. Tables and columns are carried whole, so that an operation can be
/// applied and reversed without reading the database again.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaOp {
    /// Creates a table with its primary key, uniques, checks and foreign keys, then its
    /// indexes ([`Table::all_indexes`]).
    CreateTable(Table),
    /// Drops a table (its indexes and constraints go with it); the whole table is kept for
    /// the reverse.
    DropTable(Table),
    /// Renames a table. [`diff`](super::diff) never guesses renames; migrations write them.
    RenameTable {
        /// Current name.
        from: String,
        /// New name.
        to: String,
    },
    /// Adds a column.
    AddColumn {
        /// Table name.
        table: String,
        /// The new column.
        column: Column,
    },
    /// Drops a column.
    DropColumn {
        /// Table name.
        table: String,
        /// The dropped column as it was.
        column: Column,
    },
    /// Changes a column's type, nullability and/or server default.
    AlterColumn {
        /// Table name.
        table: String,
        /// The column as it is.
        from: Column,
        /// The column as it is to be.
        to: Column,
        /// What changes, in the order they are applied.
        changes: Vec<ColumnChange>,
    },
    /// Renames a column. [`diff`](super::diff) never guesses renames; migrations write them.
    RenameColumn {
        /// Table name.
        table: String,
        /// Current name.
        from: String,
        /// New name.
        to: String,
    },
    /// Replaces the primary key: drops the current one (when `from` is not empty), then adds
    /// the new one (when `to` is not empty).
    AlterPrimaryKey {
        /// Table name.
        table: String,
        /// The current key's columns (empty: no key).
        from: Vec<String>,
        /// The new key's columns (empty: no key).
        to: Vec<String>,
    },
    /// Creates an index.
    AddIndex {
        /// Table name.
        table: String,
        /// The index.
        index: Index,
    },
    /// Drops an index.
    DropIndex {
        /// Table name.
        table: String,
        /// The index as it was.
        index: Index,
    },
    /// Adds a unique constraint (named: `diff` names an unnamed one `uq_<table>_<columns>`).
    AddUnique {
        /// Table name.
        table: String,
        /// The constraint.
        unique: UniqueConstraint,
    },
    /// Drops a unique constraint.
    DropUnique {
        /// Table name.
        table: String,
        /// The constraint as it was.
        unique: UniqueConstraint,
    },
    /// Adds a foreign key (named by [`ForeignKey::constraint_name`]).
    AddForeignKey {
        /// Table name.
        table: String,
        /// The foreign key.
        foreign_key: ForeignKey,
    },
    /// Drops a foreign key.
    DropForeignKey {
        /// Table name.
        table: String,
        /// The foreign key as it was.
        foreign_key: ForeignKey,
    },
    /// Adds a CHECK constraint (named: `diff` fills in [`Table::check_name`]).
    AddCheck {
        /// Table name.
        table: String,
        /// The constraint.
        check: CheckConstraint,
    },
    /// Drops a CHECK constraint.
    DropCheck {
        /// Table name.
        table: String,
        /// The constraint as it was.
        check: CheckConstraint,
    },
}

impl SchemaOp {
    /// The table the operation changes (for a rename, the current name).
    pub fn table(&self) -> &str {
        match self {
            SchemaOp::CreateTable(t) | SchemaOp::DropTable(t) => &t.name,
            SchemaOp::RenameTable { from, .. } => from,
            SchemaOp::AddColumn { table, .. }
            | SchemaOp::DropColumn { table, .. }
            | SchemaOp::AlterColumn { table, .. }
            | SchemaOp::RenameColumn { table, .. }
            | SchemaOp::AlterPrimaryKey { table, .. }
            | SchemaOp::AddIndex { table, .. }
            | SchemaOp::DropIndex { table, .. }
            | SchemaOp::AddUnique { table, .. }
            | SchemaOp::DropUnique { table, .. }
            | SchemaOp::AddForeignKey { table, .. }
            | SchemaOp::DropForeignKey { table, .. }
            | SchemaOp::AddCheck { table, .. }
            | SchemaOp::DropCheck { table, .. } => table,
        }
    }

    /// Whether applying the operation can lose data: dropping a table or a column, or
    /// changing a column's type to one that may not hold every value of the old one (a
    /// shorter text, a smaller integer or decimal, another kind of type, or a type written
    /// verbatim that is not the same text). Constraint and index changes are not destructive
    /// (adding one may fail on existing rows, but loses nothing).
    pub fn is_destructive(&self) -> bool {
        match self {
            SchemaOp::DropTable(_) | SchemaOp::DropColumn { .. } => true,
            SchemaOp::AlterColumn {
                from, to, changes, ..
            } => changes.contains(&ColumnChange::Type) && type_narrows(from, to),
            _ => false,
        }
    }

    /// The operation that undoes this one.
    pub fn reverse(&self) -> SchemaOp {
        let t = |table: &String| table.clone();
        match self {
            SchemaOp::CreateTable(table) => SchemaOp::DropTable(table.clone()),
            SchemaOp::DropTable(table) => SchemaOp::CreateTable(table.clone()),
            SchemaOp::RenameTable { from, to } => SchemaOp::RenameTable {
                from: to.clone(),
                to: from.clone(),
            },
            SchemaOp::AddColumn { table, column } => SchemaOp::DropColumn {
                table: t(table),
                column: column.clone(),
            },
            SchemaOp::DropColumn { table, column } => SchemaOp::AddColumn {
                table: t(table),
                column: column.clone(),
            },
            SchemaOp::AlterColumn {
                table,
                from,
                to,
                changes,
            } => SchemaOp::AlterColumn {
                table: t(table),
                from: to.clone(),
                to: from.clone(),
                changes: changes.clone(),
            },
            SchemaOp::RenameColumn { table, from, to } => SchemaOp::RenameColumn {
                table: t(table),
                from: to.clone(),
                to: from.clone(),
            },
            SchemaOp::AlterPrimaryKey { table, from, to } => SchemaOp::AlterPrimaryKey {
                table: t(table),
                from: to.clone(),
                to: from.clone(),
            },
            SchemaOp::AddIndex { table, index } => SchemaOp::DropIndex {
                table: t(table),
                index: index.clone(),
            },
            SchemaOp::DropIndex { table, index } => SchemaOp::AddIndex {
                table: t(table),
                index: index.clone(),
            },
            SchemaOp::AddUnique { table, unique } => SchemaOp::DropUnique {
                table: t(table),
                unique: unique.clone(),
            },
            SchemaOp::DropUnique { table, unique } => SchemaOp::AddUnique {
                table: t(table),
                unique: unique.clone(),
            },
            SchemaOp::AddForeignKey { table, foreign_key } => SchemaOp::DropForeignKey {
                table: t(table),
                foreign_key: foreign_key.clone(),
            },
            SchemaOp::DropForeignKey { table, foreign_key } => SchemaOp::AddForeignKey {
                table: t(table),
                foreign_key: foreign_key.clone(),
            },
            SchemaOp::AddCheck { table, check } => SchemaOp::DropCheck {
                table: t(table),
                check: check.clone(),
            },
            SchemaOp::DropCheck { table, check } => SchemaOp::AddCheck {
                table: t(table),
                check: check.clone(),
            },
        }
    }

    /// The DDL statements that apply the operation, in order. Compiling them may fail where a
    /// database lacks the form (SQLite cannot alter a column or add a constraint: the
    /// compiler returns `Unsupported` and migrations rebuild the table instead).
    ///
    /// A constraint without a name (only in operations built by hand; `diff` names every
    /// one) is dropped by its generated name: `uq_<table>_<columns>` for a unique constraint,
    /// `ck_<table>_1` for a check.
    pub fn to_ddl(&self) -> Vec<Ddl> {
        let alter = |table: &str, action: AlterAction| -> Ddl {
            Ddl::AlterTable(AlterTable::new(table, action))
        };
        match self {
            SchemaOp::CreateTable(table) => {
                let mut out = vec![Ddl::CreateTable(CreateTable {
                    table: table.clone(),
                    if_not_exists: false,
                })];
                out.extend(table.all_indexes().into_iter().map(|index| {
                    Ddl::CreateIndex(CreateIndex {
                        table: table.name.clone(),
                        index,
                        if_not_exists: false,
                    })
                }));
                out
            }
            SchemaOp::DropTable(table) => vec![Ddl::DropTable(DropTable {
                name: table.name.clone(),
                if_exists: false,
            })],
            SchemaOp::RenameTable { from, to } => {
                vec![alter(from, AlterAction::RenameTable(to.clone()))]
            }
            SchemaOp::AddColumn { table, column } => {
                vec![alter(table, AlterAction::AddColumn(column.clone()))]
            }
            SchemaOp::DropColumn { table, column } => {
                vec![alter(table, AlterAction::DropColumn(column.name.clone()))]
            }
            SchemaOp::AlterColumn {
                table, to, changes, ..
            } => changes
                .iter()
                .map(|&change| {
                    alter(
                        table,
                        AlterAction::AlterColumn {
                            column: to.clone(),
                            change,
                        },
                    )
                })
                .collect(),
            SchemaOp::RenameColumn { table, from, to } => vec![alter(
                table,
                AlterAction::RenameColumn {
                    from: from.clone(),
                    to: to.clone(),
                },
            )],
            SchemaOp::AlterPrimaryKey { table, from, to } => {
                let mut out = Vec::with_capacity(2);
                if !from.is_empty() {
                    out.push(alter(table, AlterAction::DropPrimaryKey));
                }
                if !to.is_empty() {
                    out.push(alter(table, AlterAction::AddPrimaryKey(to.clone())));
                }
                out
            }
            SchemaOp::AddIndex { table, index } => vec![Ddl::CreateIndex(CreateIndex {
                table: table.clone(),
                index: index.clone(),
                if_not_exists: false,
            })],
            SchemaOp::DropIndex { table, index } => vec![Ddl::DropIndex(DropIndex {
                table: table.clone(),
                name: index.name.clone(),
                if_exists: false,
            })],
            SchemaOp::AddUnique { table, unique } => {
                let mut unique = unique.clone();
                unique.name = Some(unique_name(table, &unique));
                vec![alter(table, AlterAction::AddUnique(unique))]
            }
            SchemaOp::DropUnique { table, unique } => {
                vec![alter(
                    table,
                    AlterAction::DropUnique(unique_name(table, unique)),
                )]
            }
            SchemaOp::AddForeignKey { table, foreign_key } => {
                vec![alter(
                    table,
                    AlterAction::AddForeignKey(foreign_key.clone()),
                )]
            }
            SchemaOp::DropForeignKey { table, foreign_key } => vec![alter(
                table,
                AlterAction::DropForeignKey(foreign_key.constraint_name(table)),
            )],
            SchemaOp::AddCheck { table, check } => {
                let mut check = check.clone();
                check.name = Some(check_name(table, &check));
                vec![alter(table, AlterAction::AddCheck(check))]
            }
            SchemaOp::DropCheck { table, check } => {
                vec![alter(
                    table,
                    AlterAction::DropCheck(check_name(table, check)),
                )]
            }
        }
    }
}

/// A unique constraint's name: its own, else `uq_<table>_<columns>` (cut with a hash
/// beyond 63 bytes, like every generated name).
pub fn unique_name(table: &str, unique: &UniqueConstraint) -> String {
    match &unique.name {
        Some(n) => n.clone(),
        None => shorten_generated_name(format!("uq_{table}_{}", unique.columns.join("_"))),
    }
}

fn check_name(table: &str, check: &CheckConstraint) -> String {
    match &check.name {
        Some(n) => n.clone(),
        None => shorten_generated_name(format!("ck_{table}_1")),
    }
}

/// Whether a column of type `from` may hold a value that a column of type `to` cannot.
/// Conservative: anything not known to widen narrows.
fn type_narrows(from: &Column, to: &Column) -> bool {
    if from.custom_type.is_some() || to.custom_type.is_some() {
        let same = match (&from.custom_type, &to.custom_type) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        return !same;
    }
    use SqlType::*;
    let int_width = |t: SqlType| match t {
        SmallInt => Some(1),
        Integer => Some(2),
        BigInt => Some(3),
        _ => None,
    };
    match (from.sql_type, to.sql_type) {
        (a, b) if a == b => {
            // Same type, other rendering (e.g. an unbounded text that must become a bounded
            // one to be indexed): not known to be safe.
            true
        }
        (a, b) if int_width(a).is_some() && int_width(b).is_some() => int_width(a) > int_width(b),
        (Float, Double) => false,
        (Text(Some(_)), Text(None)) => false,
        (Text(Some(a)), Text(Some(b))) => b < a,
        (Decimal(p1, s1), Decimal(p2, s2)) => {
            s2 < s1 || i32::from(p2) - i32::from(s2) < i32::from(p1) - i32::from(s1)
        }
        (DateTime, DateTimeTz) => false,
        _ => true,
    }
}

impl fmt::Display for SchemaOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaOp::CreateTable(t) => write!(f, "create table {}", t.name),
            SchemaOp::DropTable(t) => write!(f, "drop table {}", t.name),
            SchemaOp::RenameTable { from, to } => write!(f, "rename table {from} to {to}"),
            SchemaOp::AddColumn { table, column } => {
                write!(f, "add column {table}.{} {}", column.name, describe(column))
            }
            SchemaOp::DropColumn { table, column } => {
                write!(f, "drop column {table}.{}", column.name)
            }
            SchemaOp::AlterColumn {
                table,
                from,
                to,
                changes,
            } => {
                write!(f, "alter column {table}.{}:", to.name)?;
                for change in changes {
                    match change {
                        ColumnChange::Type => {
                            write!(f, " type {} -> {}", type_of(from), type_of(to))?
                        }
                        ColumnChange::Nullability => {
                            write!(f, " nullable {} -> {}", from.nullable, to.nullable)?
                        }
                        ColumnChange::Default => write!(
                            f,
                            " default {:?} -> {:?}",
                            from.server_default, to.server_default
                        )?,
                    }
                }
                Ok(())
            }
            SchemaOp::RenameColumn { table, from, to } => {
                write!(f, "rename column {table}.{from} to {to}")
            }
            SchemaOp::AlterPrimaryKey { table, from, to } => {
                write!(f, "alter primary key of {table}: {from:?} -> {to:?}")
            }
            SchemaOp::AddIndex { table, index } => {
                write!(f, "add index {} on {table} {:?}", index.name, index.columns)?;
                if index.unique {
                    f.write_str(" unique")?;
                }
                if let Some(w) = &index.where_sql {
                    write!(f, " where {w}")?;
                }
                Ok(())
            }
            SchemaOp::DropIndex { table, index } => {
                write!(f, "drop index {} on {table}", index.name)
            }
            SchemaOp::AddUnique { table, unique } => {
                write!(f, "add unique {table} {:?}", unique.columns)
            }
            SchemaOp::DropUnique { table, unique } => {
                write!(f, "drop unique {table} {:?}", unique.columns)
            }
            SchemaOp::AddForeignKey {
                table,
                foreign_key: k,
            } => write!(
                f,
                "add foreign key {table} {:?} -> {} {:?} on delete {:?} on update {:?}",
                k.columns, k.ref_table, k.ref_columns, k.on_delete, k.on_update
            ),
            SchemaOp::DropForeignKey {
                table,
                foreign_key: k,
            } => write!(
                f,
                "drop foreign key {table} {:?} -> {} {:?}",
                k.columns, k.ref_table, k.ref_columns
            ),
            SchemaOp::AddCheck { table, check } => {
                write!(f, "add check {table} ({})", check.sql)
            }
            SchemaOp::DropCheck { table, check } => {
                write!(f, "drop check {table} ({})", check.sql)
            }
        }
    }
}

fn type_of(c: &Column) -> String {
    match &c.custom_type {
        Some(t) => t.clone(),
        None => format!("{:?}", c.sql_type),
    }
}

fn describe(c: &Column) -> String {
    let mut s = type_of(c);
    if !c.nullable {
        s.push_str(" not null");
    }
    if let Some(d) = &c.server_default {
        s.push_str(" default ");
        s.push_str(d);
    }
    s
}
