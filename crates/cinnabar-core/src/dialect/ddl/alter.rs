//! ALTER TABLE: one [`AlterAction`] per statement. Columns are added, dropped and renamed
//! alike everywhere; changing a column and adding or dropping a constraint go through the
//! dialect (`write_alter_column`, `write_drop_constraint`), and a database that cannot do
//! them (SQLite) gets a typed `Unsupported` error naming the table and what was asked: the
//! migration layer rebuilds such a table instead.

use super::column::{column_definition, keyed_by_flags};
use super::{ConstraintKind, DdlWriter};
use crate::error::{Error, Result};
use crate::schema::{CheckConstraint, Column, UniqueConstraint};
use crate::sql::{AlterAction, AlterTable, ColumnChange};

impl DdlWriter<'_> {
    pub(super) fn alter_table(&mut self, s: &AlterTable) -> Result<()> {
        let table = s.table.as_str();
        self.refuse_unsupported(table, &s.action)?;
        self.push("ALTER TABLE ");
        self.ident(table, "table")?;
        self.out.push(' ');
        self.action(table, &s.action)
            .map_err(|e| e.context(format_args!("table {table:?}")))
    }

    /// The typed error for an action the dialect's ALTER TABLE cannot do, before any text.
    fn refuse_unsupported(&self, table: &str, action: &AlterAction) -> Result<()> {
        let what = match action {
            AlterAction::AlterColumn { column, change } if !self.d.supports_alter_column() => {
                let c = &column.name;
                match change {
                    ColumnChange::Type => format!("change the type of column {c:?}"),
                    ColumnChange::Nullability => {
                        format!("change whether column {c:?} allows NULL")
                    }
                    ColumnChange::Default => format!("change the default of column {c:?}"),
                }
            }
            AlterAction::AddColumn(c)
                if (c.primary_key || c.unique) && !self.d.supports_alter_constraints() =>
            {
                let key = if c.primary_key {
                    "a PRIMARY KEY"
                } else {
                    "a UNIQUE constraint"
                };
                format!("add column {:?} with {key}", c.name)
            }
            _ if self.d.supports_alter_constraints() => return Ok(()),
            AlterAction::AddForeignKey(fk) => format!(
                "add {} {:?}",
                ConstraintKind::ForeignKey.describe(),
                fk.constraint_name(table)
            ),
            AlterAction::AddUnique(u) => format!(
                "add {} {}",
                ConstraintKind::Unique.describe(),
                constraint_label(u.name.as_deref(), &u.columns.join(", "))
            ),
            AlterAction::AddCheck(c) => format!(
                "add {} {}",
                ConstraintKind::Check.describe(),
                constraint_label(c.name.as_deref(), &c.sql)
            ),
            AlterAction::DropForeignKey(n) => {
                format!("drop {} {n:?}", ConstraintKind::ForeignKey.describe())
            }
            AlterAction::DropUnique(n) => {
                format!("drop {} {n:?}", ConstraintKind::Unique.describe())
            }
            AlterAction::DropCheck(n) => {
                format!("drop {} {n:?}", ConstraintKind::Check.describe())
            }
            AlterAction::AddPrimaryKey(cols) => format!(
                "add {} ({})",
                ConstraintKind::PrimaryKey.describe(),
                cols.join(", ")
            ),
            AlterAction::DropPrimaryKey => {
                format!("drop the {}", ConstraintKind::PrimaryKey.describe())
            }
            _ => return Ok(()),
        };
        Err(Error::unsupported(format!(
            "the {} dialect cannot {what} of table {table:?} with ALTER TABLE; the \
             migration layer rebuilds the table to do it",
            self.d.name()
        )))
    }

    fn action(&mut self, table: &str, action: &AlterAction) -> Result<()> {
        match action {
            AlterAction::AddColumn(c) => self.add_column(c),
            AlterAction::DropColumn(name) => {
                self.push("DROP COLUMN ");
                self.ident(name, "column")
            }
            AlterAction::AlterColumn { column, change } => {
                self.check(&column.name, "column")?;
                self.d.write_alter_column(self.out, column, *change);
                Ok(())
            }
            AlterAction::RenameColumn { from, to } => {
                self.push("RENAME COLUMN ");
                self.ident(from, "column")?;
                self.push(" TO ");
                self.ident(to, "column")
            }
            AlterAction::RenameTable(to) => {
                self.push("RENAME TO ");
                self.ident(to, "table")
            }
            AlterAction::AddForeignKey(fk) => {
                self.push("ADD CONSTRAINT ");
                self.ident(&fk.constraint_name(table), "constraint")?;
                self.out.push(' ');
                self.foreign_key(fk)
            }
            AlterAction::AddUnique(u) => self.add_unique(table, u),
            AlterAction::AddCheck(c) => self.add_check(table, c),
            AlterAction::DropForeignKey(n) => self.drop_constraint(ConstraintKind::ForeignKey, n),
            AlterAction::DropUnique(n) => self.drop_constraint(ConstraintKind::Unique, n),
            AlterAction::DropCheck(n) => self.drop_constraint(ConstraintKind::Check, n),
            AlterAction::AddPrimaryKey(cols) => {
                if cols.is_empty() {
                    return Err(Error::misuse(format!(
                        "adding a primary key to table {table:?} needs at least one column"
                    )));
                }
                self.push("ADD PRIMARY KEY (");
                self.idents(cols, "column")?;
                self.out.push(')');
                Ok(())
            }
            AlterAction::DropPrimaryKey => {
                // PostgreSQL's name for an unnamed key: the table name cut so that
                // `<table>_pkey` fits in 63 bytes, as the server cuts it.
                let mut cut = table.len().min(63 - "_pkey".len());
                while !table.is_char_boundary(cut) {
                    cut -= 1;
                }
                let name = format!("{}_pkey", &table[..cut]);
                self.drop_constraint(ConstraintKind::PrimaryKey, &name)
            }
        }
    }

    /// `ADD COLUMN "c" <definition>`; a primary-key column is declared PRIMARY KEY (an
    /// autoincrementing one as in CREATE TABLE), a unique one UNIQUE. Its index and foreign
    /// key are statements of their own.
    fn add_column(&mut self, c: &Column) -> Result<()> {
        self.push("ADD COLUMN ");
        self.ident(&c.name, "column")?;
        self.out.push(' ');
        if c.primary_key && c.autoincrement {
            let def = self.d.autoincrement_primary_key(c);
            self.push(&def);
            return Ok(());
        }
        let def = column_definition(self.d, c, keyed_by_flags(c));
        self.push(&def);
        if c.primary_key {
            self.push(" PRIMARY KEY");
        } else if c.unique {
            self.push(" UNIQUE");
        }
        Ok(())
    }

    fn add_unique(&mut self, table: &str, u: &UniqueConstraint) -> Result<()> {
        let cols = u.columns.join(", ");
        let Some(name) = &u.name else {
            return Err(Error::misuse(format!(
                "adding a unique constraint on ({cols}) to table {table:?} needs a name, so \
                 that it can be dropped later"
            )));
        };
        if u.columns.is_empty() {
            return Err(Error::misuse(format!(
                "unique constraint {name:?} on table {table:?} has no columns"
            )));
        }
        self.push("ADD CONSTRAINT ");
        self.ident(name, "constraint")?;
        self.push(" UNIQUE (");
        self.idents(&u.columns, "column")?;
        self.out.push(')');
        Ok(())
    }

    fn add_check(&mut self, table: &str, c: &CheckConstraint) -> Result<()> {
        let Some(name) = &c.name else {
            return Err(Error::misuse(format!(
                "adding the check constraint ({}) to table {table:?} needs a name, so that it \
                 can be dropped later (Table::check_name gives the one create_all writes)",
                c.sql
            )));
        };
        self.push("ADD CONSTRAINT ");
        self.ident(name, "constraint")?;
        self.push(" CHECK (");
        let condition = c.condition(self.d);
        self.push(&condition);
        self.out.push(')');
        Ok(())
    }

    fn drop_constraint(&mut self, kind: ConstraintKind, name: &str) -> Result<()> {
        self.check(name, "constraint")?;
        self.d.write_drop_constraint(self.out, kind, name);
        Ok(())
    }
}

/// `"name"`, or the constraint's content in parentheses when it has no name.
fn constraint_label(name: Option<&str>, content: &str) -> String {
    match name {
        Some(n) => format!("{n:?}"),
        None => format!("({content})"),
    }
}
