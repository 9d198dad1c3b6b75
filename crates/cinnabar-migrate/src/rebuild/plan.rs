//! [`RebuildPlan`]: the SQL of one table rebuild, compiled before anything runs, so that it
//! can be read, printed offline (`upgrade --sql`) and then run by [`run`](super::run).

use cinnabar_core::dialect::{compile_ddl, Dialect};
use cinnabar_core::schema::{shorten_generated_name, Table};
use cinnabar_core::sql::{AlterAction, AlterTable, CreateIndex, CreateTable, Ddl, DropTable};
use cinnabar_core::{Error, Result};

/// Which column of the current table fills each column of the rebuilt one, beyond the
/// default (a column of the same name). Built by [`apply_ops`](super::apply_ops), or by hand
/// for [`plan`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    columns: Vec<(String, String)>,
    fresh: Vec<String>,
}

impl Renames {
    /// No renames: every column is filled from the current column of the same name, if any.
    pub fn new() -> Self {
        Renames::default()
    }

    /// The new table's column `to` is filled from the current column `from`; no new column
    /// is filled from the current column named `to` any more.
    pub fn column(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.columns.push((from.into(), to.into()));
        self
    }

    /// The new table's column `name` starts empty (its default) although the current table
    /// has a column of that name: a column dropped and added again.
    pub fn fresh(mut self, name: impl Into<String>) -> Self {
        self.fresh.push(name.into());
        self
    }

    /// The renamed columns, `(current name, new name)`.
    pub fn columns(&self) -> &[(String, String)] {
        &self.columns
    }

    /// The current column that fills the new table's column `target`, if any.
    fn source<'a>(&'a self, current: &'a Table, target: &'a str) -> Option<&'a str> {
        if self.fresh.iter().any(|f| f == target) {
            return None;
        }
        if let Some((from, _)) = self.columns.iter().find(|(_, to)| to == target) {
            return Some(from);
        }
        if self.columns.iter().any(|(from, _)| from == target) {
            return None;
        }
        current.get_column(target).map(|c| c.name.as_str())
    }
}

/// The statements of one table rebuild, compiled for one dialect. Run by
/// [`run`](super::run), which adds what only the live database can say (the table's
/// triggers, the views to check, the tables that reference it); printed as is by offline
/// SQL ([`RebuildPlan::script`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildPlan {
    pub(super) current: Table,
    pub(super) target: Table,
    pub(super) temporary: String,
    pub(super) create: String,
    pub(super) copy: String,
    pub(super) copied: Vec<(String, String)>,
    pub(super) drop: String,
    pub(super) rename: String,
    pub(super) indexes: Vec<String>,
    pub(super) foreign_key_check: String,
    pub(super) foreign_keys_off: String,
    pub(super) foreign_keys_on: String,
    pub(super) legacy_on: String,
    pub(super) legacy_off: String,
}

impl RebuildPlan {
    /// The table rebuilt (its name does not change).
    pub fn table(&self) -> &str {
        &self.target.name
    }

    /// The table as it is before the rebuild.
    pub fn current(&self) -> &Table {
        &self.current
    }

    /// The table as the rebuild makes it.
    pub fn target(&self) -> &Table {
        &self.target
    }

    /// The name the new table has until the old one is dropped: `_cinnabar_new_<table>`.
    pub fn temporary_name(&self) -> &str {
        &self.temporary
    }

    /// `CREATE TABLE "_cinnabar_new_<table>" (..)`: the target table under the temporary name.
    pub fn create_sql(&self) -> &str {
        &self.create
    }

    /// `INSERT INTO "_cinnabar_new_<table>" (..) SELECT .. FROM "<table>"`: every row, each
    /// column from its current column (renamed ones mapped); new columns take their default.
    pub fn copy_sql(&self) -> &str {
        &self.copy
    }

    /// The columns copied, `(current column, new column)`.
    pub fn copied_columns(&self) -> &[(String, String)] {
        &self.copied
    }

    /// The current columns whose values the rebuild does not keep (dropped columns).
    pub fn dropped_columns(&self) -> Vec<&str> {
        self.current
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|c| !self.copied.iter().any(|(from, _)| from == c))
            .collect()
    }

    /// The current columns no column of the new table has under the same name: dropped
    /// ones and the old names of renamed ones. A trigger or another table's foreign key that
    /// names one of them would break.
    pub(super) fn removed_names(&self) -> Vec<&str> {
        self.current
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|c| !self.copied.iter().any(|(from, to)| from == c && to == c))
            .collect()
    }

    /// `DROP TABLE "<table>"`.
    pub fn drop_sql(&self) -> &str {
        &self.drop
    }

    /// `ALTER TABLE "_cinnabar_new_<table>" RENAME TO "<table>"`.
    pub fn rename_sql(&self) -> &str {
        &self.rename
    }

    /// `CREATE INDEX` for every index of the target table ([`Table::all_indexes`]).
    pub fn index_sql(&self) -> &[String] {
        &self.indexes
    }

    /// The query listing rows of the rebuilt table whose foreign keys have no parent
    /// (`PRAGMA foreign_key_check("<table>")`).
    pub fn foreign_key_check_sql(&self) -> &str {
        &self.foreign_key_check
    }

    /// The statements that run inside the transaction, in order: create, copy, drop, the
    /// rename (between the statements that keep it from touching views and triggers),
    /// the indexes, and the foreign-key check.
    pub fn statements(&self) -> Vec<&str> {
        let mut out = vec![
            self.create.as_str(),
            self.copy.as_str(),
            self.drop.as_str(),
            self.legacy_on.as_str(),
            self.rename.as_str(),
            self.legacy_off.as_str(),
        ];
        out.extend(self.indexes.iter().map(String::as_str));
        out.push(self.foreign_key_check.as_str());
        out
    }

    /// The whole rebuild as a script for offline SQL: foreign keys off, `BEGIN`,
    /// [`statements`](RebuildPlan::statements), `COMMIT`, foreign keys on; each statement
    /// ends with `;` on its own line. Unlike [`run`](super::run), a script cannot recreate
    /// the table's triggers (they are in the live database only) nor stop when the
    /// foreign-key check returns rows: read its output.
    pub fn script(&self) -> String {
        let mut out = String::new();
        let mut line = |s: &str| {
            out.push_str(s);
            out.push_str(";\n");
        };
        line(&self.foreign_keys_off);
        line("BEGIN");
        for s in self.statements() {
            line(s);
        }
        line("COMMIT");
        line(&self.foreign_keys_on);
        out
    }
}

/// Compiles the rebuild of `current` into `target` for `dialect`: `target` is created under
/// a temporary name, every row of `current` is copied into it (each column from the current
/// column of the same name, or the one `renames` names; columns without one take their
/// default), `current` is dropped, the new table renamed, and `target`'s indexes created.
///
/// `target` must keep `current`'s name. Check constraints without a name get the name they
/// have in the database (`ck_<table>_<n>`, [`Table::check_name`]), so that they keep it.
///
/// # Errors
/// [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) when the dialect does
/// not rebuild tables; [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when the
/// names differ, `target` is not valid ([`Table::validate`]), a rename names a column
/// `current` does not have, or no column of `target` is filled from `current` (the rows
/// would be lost); compile errors of the DDL (identifiers too long).
pub fn plan(
    dialect: &dyn Dialect,
    current: &Table,
    target: &Table,
    renames: &Renames,
) -> Result<RebuildPlan> {
    let rb = super::capability(dialect)?;
    let name = &target.name;
    if current.name != *name {
        return Err(Error::misuse(format!(
            "a rebuild keeps the table's name: the current table is {:?}, the target {name:?} \
             (rename the table in a step of its own)",
            current.name
        )));
    }
    target.validate()?;
    if let Some((from, to)) = renames
        .columns
        .iter()
        .find(|(from, _)| current.get_column(from).is_none())
    {
        return Err(Error::misuse(format!(
            "rebuilding table {name:?}: column {to:?} is to be filled from column {from:?}, \
             which the table does not have"
        )));
    }
    let temporary = shorten_generated_name(format!("_cinnabar_new_{name}"));

    let mut new_table = target.clone();
    for i in 0..new_table.checks.len() {
        let n = target.check_name(i);
        new_table.checks[i].name = Some(n);
    }
    new_table.name.clone_from(&temporary);
    let create = compile_ddl(
        dialect,
        &Ddl::CreateTable(CreateTable {
            table: new_table,
            if_not_exists: false,
        }),
    )?;

    let copied: Vec<(String, String)> = target
        .columns
        .iter()
        .filter_map(|c| {
            renames
                .source(current, &c.name)
                .map(|from| (from.to_string(), c.name.clone()))
        })
        .collect();
    if copied.is_empty() {
        return Err(Error::misuse(format!(
            "rebuilding table {name:?}: no column of the new table is filled from the current \
             one, so every row would be lost"
        )));
    }
    let mut copy = String::from("INSERT INTO ");
    dialect.quote_identifier(&mut copy, &temporary);
    copy.push_str(" (");
    for (i, (_, to)) in copied.iter().enumerate() {
        if i > 0 {
            copy.push_str(", ");
        }
        dialect.quote_identifier(&mut copy, to);
    }
    copy.push_str(") SELECT ");
    for (i, (from, _)) in copied.iter().enumerate() {
        if i > 0 {
            copy.push_str(", ");
        }
        dialect.quote_identifier(&mut copy, from);
    }
    copy.push_str(" FROM ");
    dialect.quote_identifier(&mut copy, name);

    let drop = compile_ddl(
        dialect,
        &Ddl::DropTable(DropTable {
            name: name.clone(),
            if_exists: false,
        }),
    )?;
    let rename = compile_ddl(
        dialect,
        &Ddl::AlterTable(AlterTable::new(
            temporary.clone(),
            AlterAction::RenameTable(name.clone()),
        )),
    )?;
    let indexes = target
        .all_indexes()
        .into_iter()
        .map(|index| {
            compile_ddl(
                dialect,
                &Ddl::CreateIndex(CreateIndex {
                    table: name.clone(),
                    index,
                    if_not_exists: false,
                }),
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let mut foreign_key_check = String::new();
    rb.write_foreign_key_check(dialect, &mut foreign_key_check, name);
    Ok(RebuildPlan {
        current: current.clone(),
        target: target.clone(),
        temporary,
        create,
        copy,
        copied,
        drop,
        rename,
        indexes,
        foreign_key_check,
        foreign_keys_off: rb.foreign_keys_sql(false).to_string(),
        foreign_keys_on: rb.foreign_keys_sql(true).to_string(),
        legacy_on: rb.legacy_rename_sql(true).to_string(),
        legacy_off: rb.legacy_rename_sql(false).to_string(),
    })
}
