//! Schema objects: [`MetaData`] holds [`Table`]s made of [`Column`]s, [`ForeignKey`]s,
//! [`Index`]es, [`UniqueConstraint`]s and [`CheckConstraint`]s.
//!
//! The derive builds one `Table` per model; users of the core layer build them by hand;
//! reflection (the engine's `Inspector`, through each dialect's
//! [`Catalog`](crate::dialect::catalog::Catalog)) reads them from a live database. Dialects render them to DDL; the ORM orders its flush by
//! [`MetaData::sorted_tables`]. [`diff`] compares two schemas.

pub mod diff;
mod rule;

pub use rule::{CheckRule, RuleValue};

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::types::SqlType;

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name (quoted by the dialect when rendered).
    pub name: String,
    /// SQL type.
    pub sql_type: SqlType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Whether this column is (part of) the primary key.
    pub primary_key: bool,
    /// Whether the database generates this column's value (integer primary keys).
    pub autoincrement: bool,
    /// Whether a single-column UNIQUE constraint applies.
    pub unique: bool,
    /// Whether a single-column index is created.
    pub index: bool,
    /// A server-side default, as SQL text written by the schema's author (never user input).
    pub server_default: Option<String>,
    /// A type name written verbatim in DDL instead of the dialect's name for `sql_type`.
    /// Reflection sets it for a type Cinnabar has no [`SqlType`] for (PostgreSQL `inet`,
    /// MySQL `ENUM('a','b')`), as the database spells it; `sql_type` then holds the nearest
    /// type the values can be read as (text when nothing is nearer). `None` otherwise.
    pub custom_type: Option<String>,
    /// The name the column had before (`#[cinnabar(renamed_from = "old")]`): when the
    /// current schema has a column `old` and none of this name, [`diff`] renames it instead of
    /// dropping it and adding this one. A hint for migrations; not part of the schema itself.
    pub renamed_from: Option<String>,
}

impl Column {
    /// A non-null column of `sql_type`.
    pub fn new(name: impl Into<String>, sql_type: SqlType) -> Self {
        Column {
            name: name.into(),
            sql_type,
            nullable: false,
            primary_key: false,
            autoincrement: false,
            unique: false,
            index: false,
            server_default: None,
            custom_type: None,
            renamed_from: None,
        }
    }

    /// Allows NULL.
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// Makes this column (part of) the primary key.
    pub fn primary_key(mut self) -> Self {
        self.primary_key = true;
        self
    }

    /// Lets the database generate the value.
    pub fn autoincrement(mut self) -> Self {
        self.autoincrement = true;
        self
    }

    /// Adds a UNIQUE constraint on this column alone.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Creates an index on this column alone.
    pub fn index(mut self) -> Self {
        self.index = true;
        self
    }

    /// Sets a server-side default expression, e.g. `"CURRENT_TIMESTAMP"` or `"0"`.
    pub fn server_default(mut self, sql: impl Into<String>) -> Self {
        self.server_default = Some(sql.into());
        self
    }

    /// Declares the column with a type name written verbatim (see
    /// [`Column::custom_type`](Column#structfield.custom_type)).
    pub fn custom_type(mut self, type_name: impl Into<String>) -> Self {
        self.custom_type = Some(type_name.into());
        self
    }

    /// Says the column was called `old` before (see
    /// [`Column::renamed_from`](Column#structfield.renamed_from)).
    pub fn renamed_from(mut self, old: impl Into<String>) -> Self {
        self.renamed_from = Some(old.into());
        self
    }
}

/// What happens to referencing rows when the referenced row is deleted or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferentialAction {
    /// Reject the change (the default).
    NoAction,
    /// Reject the change immediately.
    Restrict,
    /// Apply the change to referencing rows too.
    Cascade,
    /// Set the referencing columns to NULL.
    SetNull,
    /// Set the referencing columns to their defaults.
    SetDefault,
}

impl ReferentialAction {
    /// SQL keywords for this action.
    pub fn as_sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// A FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    /// The constraint's name: given, or read by reflection. `None` lets the database name
    /// it in CREATE TABLE; [`ForeignKey::constraint_name`] is used where a name is needed.
    pub name: Option<String>,
    /// Referencing columns of this table.
    pub columns: Vec<String>,
    /// Referenced table.
    pub ref_table: String,
    /// Referenced columns.
    pub ref_columns: Vec<String>,
    /// Action on delete of the referenced row.
    pub on_delete: Option<ReferentialAction>,
    /// Action on update of the referenced key.
    pub on_update: Option<ReferentialAction>,
    /// Created by `ALTER TABLE` after every table (SQLAlchemy's `use_alter`), so it may close
    /// a cycle between tables; ignored when ordering tables and flushes. Set by a
    /// relationship declared `post_update`.
    pub use_alter: bool,
}

impl ForeignKey {
    /// `column` references `ref_table(ref_column)`.
    pub fn new(
        column: impl Into<String>,
        ref_table: impl Into<String>,
        ref_column: impl Into<String>,
    ) -> Self {
        ForeignKey {
            name: None,
            columns: vec![column.into()],
            ref_table: ref_table.into(),
            ref_columns: vec![ref_column.into()],
            on_delete: None,
            on_update: None,
            use_alter: false,
        }
    }

    /// Marks the constraint as added after every table is created (see
    /// [`ForeignKey::use_alter`](ForeignKey#structfield.use_alter)).
    pub fn use_alter(mut self) -> Self {
        self.use_alter = true;
        self
    }

    /// A foreign key over several columns.
    pub fn composite(columns: &[&str], ref_table: impl Into<String>, ref_columns: &[&str]) -> Self {
        ForeignKey {
            name: None,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            ref_table: ref_table.into(),
            ref_columns: ref_columns.iter().map(|c| c.to_string()).collect(),
            on_delete: None,
            on_update: None,
            use_alter: false,
        }
    }

    /// Names the constraint.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The constraint's name: [`ForeignKey::name`](ForeignKey#structfield.name) when set,
    /// else `fk_<table>_<columns>`, used to add and drop it. A generated name longer
    /// than 63 bytes (PostgreSQL's limit; MySQL's is 64) is cut and ends with a hash of the
    /// whole name, so it stays unique and the same on every run.
    pub fn constraint_name(&self, table: &str) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => shorten_generated_name(format!("fk_{table}_{}", self.columns.join("_"))),
        }
    }

    /// Parses SQLAlchemy's `"courses.id"` form.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) when `target` is not `table.column`.
    pub fn parse(column: impl Into<String>, target: &str) -> Result<Self> {
        match target.rsplit_once('.') {
            Some((t, c)) if !t.is_empty() && !c.is_empty() => Ok(ForeignKey::new(column, t, c)),
            _ => Err(Error::misuse(format!(
                "foreign key target {target:?} must have the form \"table.column\""
            ))),
        }
    }

    /// Sets the ON DELETE action.
    pub fn on_delete(mut self, action: ReferentialAction) -> Self {
        self.on_delete = Some(action);
        self
    }

    /// Sets the ON UPDATE action.
    pub fn on_update(mut self, action: ReferentialAction) -> Self {
        self.on_update = Some(action);
        self
    }
}

/// An index over one or more columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Index name.
    pub name: String,
    /// Indexed columns.
    pub columns: Vec<String>,
    /// Whether the index is unique.
    pub unique: bool,
    /// A partial index's condition, as SQL text written by the schema's author (PostgreSQL
    /// and SQLite; a dialect without partial indexes refuses it with `Unsupported`).
    pub where_sql: Option<String>,
}

impl Index {
    /// A non-unique index called `name` over `columns`.
    pub fn new(name: impl Into<String>, columns: &[&str]) -> Self {
        Index {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            unique: false,
            where_sql: None,
        }
    }

    /// Makes the index unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Makes the index partial: only rows where `sql` holds are indexed.
    pub fn where_sql(mut self, sql: impl Into<String>) -> Self {
        self.where_sql = Some(sql.into());
        self
    }
}

/// A CHECK constraint: a condition every row must satisfy, as SQL text written by the
/// schema's author (never user input).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckConstraint {
    /// Constraint name. Reflection reads the database's name; `create_all` writes
    /// `ck_<table>_<n>` (n counting from 1 in declaration order) when none is given, so that
    /// every check can later be dropped by name.
    pub name: Option<String>,
    /// The condition, e.g. `age >= 0`. For a check made from a validation rule, the
    /// rule as the default (ANSI) dialect writes it, for reading; DDL and the diff render
    /// [`rule`](CheckConstraint#structfield.rule) for their dialect instead.
    pub sql: String,
    /// The validation rule this check enforces (`#[cinnabar(validate(..))]`), when it came
    /// from one: rendered per dialect.
    pub rule: Option<CheckRule>,
}

impl CheckConstraint {
    /// The check enforcing `rule` on `table`, named `ck_<table>_<column>_<rule>`.
    pub fn from_rule(table: &str, rule: CheckRule) -> Self {
        CheckConstraint {
            name: Some(rule.constraint_name(table)),
            sql: rule.to_sql(&crate::dialect::PostgresDialect),
            rule: Some(rule),
        }
    }

    /// The condition as `dialect` writes it: the rule rendered for it, else the SQL text.
    pub fn condition(&self, dialect: &dyn crate::dialect::Dialect) -> String {
        match &self.rule {
            Some(rule) => rule.to_sql(dialect),
            None => self.sql.clone(),
        }
    }
}

/// A generated name (`fk_..`, `ix_..`) as written in DDL: names longer than 63 bytes
/// (PostgreSQL's limit; MySQL's is 64 characters) are cut and end with a hash of the whole
/// name, so they stay unique, fit every backend and are the same on every run.
pub fn shorten_generated_name(full: String) -> String {
    const MAX: usize = 63;
    if full.len() <= MAX {
        return full;
    }
    // FNV-1a: stable across Rust versions, unlike the standard library's hasher.
    let hash = full.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut cut = MAX - 9;
    while !full.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{:08x}", &full[..cut], hash & 0xffff_ffff)
}

/// A UNIQUE constraint over several columns.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueConstraint {
    /// Constraint name, if given.
    pub name: Option<String>,
    /// Columns that are unique together.
    pub columns: Vec<String>,
}

/// A table: columns and constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table name.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes, besides those declared on single columns.
    pub indexes: Vec<Index>,
    /// Multi-column unique constraints.
    pub uniques: Vec<UniqueConstraint>,
    /// CHECK constraints.
    pub checks: Vec<CheckConstraint>,
    /// The name the table had before (`#[cinnabar(renamed_from = "old")]` on a model): when
    /// the current schema has a table `old` and none of this name, [`diff`] renames it instead
    /// of dropping it and creating this one. A hint for migrations; not part of the schema.
    pub renamed_from: Option<String>,
}

impl Table {
    /// An empty table called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            columns: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            uniques: Vec::new(),
            checks: Vec::new(),
            renamed_from: None,
        }
    }

    /// Says the table was called `old` before (see
    /// [`Table::renamed_from`](Table#structfield.renamed_from)).
    pub fn renamed_from(mut self, old: impl Into<String>) -> Self {
        self.renamed_from = Some(old.into());
        self
    }

    /// Adds a column.
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Adds a foreign key.
    pub fn foreign_key(mut self, fk: ForeignKey) -> Self {
        self.foreign_keys.push(fk);
        self
    }

    /// Adds an index.
    pub fn index(mut self, name: impl Into<String>, columns: &[&str], unique: bool) -> Self {
        self.indexes.push(Index {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            unique,
            where_sql: None,
        });
        self
    }

    /// Adds an index built with [`Index::new`] (partial, unique, ...).
    pub fn with_index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    /// Adds a named multi-column unique constraint.
    pub fn named_unique(mut self, name: impl Into<String>, columns: &[&str]) -> Self {
        self.uniques.push(UniqueConstraint {
            name: Some(name.into()),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        });
        self
    }

    /// Adds a CHECK constraint; `name` may be `None` (see [`CheckConstraint::name`]).
    pub fn check(mut self, name: Option<&str>, sql: impl Into<String>) -> Self {
        self.checks.push(CheckConstraint {
            name: name.map(str::to_string),
            sql: sql.into(),
            rule: None,
        });
        self
    }

    /// Adds the CHECK constraint enforcing a validation rule, named
    /// `ck_<table>_<column>_<rule>` ([`CheckConstraint::from_rule`]).
    pub fn check_rule(mut self, rule: CheckRule) -> Self {
        let check = CheckConstraint::from_rule(&self.name, rule);
        self.checks.push(check);
        self
    }

    /// The name of the `i`th check constraint (0-based): its own, else `ck_<table>_<i+1>`
    /// (cut with a hash beyond 63 bytes).
    pub fn check_name(&self, i: usize) -> String {
        match self.checks.get(i).and_then(|c| c.name.clone()) {
            Some(n) => n,
            None => shorten_generated_name(format!("ck_{}_{}", self.name, i + 1)),
        }
    }

    /// Adds a multi-column unique constraint.
    pub fn unique(mut self, columns: &[&str]) -> Self {
        self.uniques.push(UniqueConstraint {
            name: None,
            columns: columns.iter().map(|c| c.to_string()).collect(),
        });
        self
    }

    /// Finds a column by name.
    pub fn get_column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Positions of the primary-key columns.
    pub fn primary_key_indices(&self) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.primary_key)
            .map(|(i, _)| i)
            .collect()
    }

    /// All indexes to create: declared ones plus one per `index` column, named
    /// `ix_<table>_<column>` (cut and ended with a hash beyond 63 bytes, as
    /// [`ForeignKey::constraint_name`]).
    pub fn all_indexes(&self) -> Vec<Index> {
        let mut out: Vec<Index> = self
            .columns
            .iter()
            .filter(|c| c.index && !c.primary_key)
            .map(|c| Index {
                name: shorten_generated_name(format!("ix_{}_{}", self.name, c.name)),
                columns: vec![c.name.clone()],
                unique: false,
                where_sql: None,
            })
            .collect();
        out.extend(self.indexes.iter().cloned());
        out
    }

    /// Checks that every constraint names columns this table has.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming the table and the missing column.
    pub fn validate(&self) -> Result<()> {
        if self.columns.is_empty() {
            return Err(Error::misuse(format!(
                "table {:?} has no columns",
                self.name
            )));
        }
        let names = self
            .foreign_keys
            .iter()
            .flat_map(|f| f.columns.iter())
            .chain(self.indexes.iter().flat_map(|i| i.columns.iter()))
            .chain(self.uniques.iter().flat_map(|u| u.columns.iter()));
        for name in names {
            if self.get_column(name).is_none() {
                return Err(Error::misuse(format!(
                    "table {:?} has a constraint on column {:?}, which it does not have",
                    self.name, name
                )));
            }
        }
        for (i, c) in self.columns.iter().enumerate() {
            if self.columns[..i].iter().any(|o| o.name == c.name) {
                return Err(Error::misuse(format!(
                    "table {:?} declares column {:?} twice",
                    self.name, c.name
                )));
            }
        }
        Ok(())
    }
}

/// A collection of tables, as SQLAlchemy's `MetaData`: what `create_all` creates.
///
/// ```
/// use cinnabar::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// #[cinnabar(table = "courses")]
/// struct Course {
///     #[cinnabar(primary_key)]
///     id: Option<i64>,
///     title: String,
/// }
///
/// #[derive(Model, Debug, Clone)]
/// #[cinnabar(table = "students")]
/// struct Student {
///     #[cinnabar(primary_key)]
///     id: Option<i64>,
///     name: String,
///     #[cinnabar(foreign_key = "courses.id")]
///     course_id: Option<i64>,
/// }
///
/// # fn main() -> cinnabar::Result<()> {
/// let metadata = MetaData::new()
///     .with(Student::table().clone())
///     .with(Course::table().clone());
/// // Tables a foreign key points at come first.
/// let sorted = metadata.sorted_tables()?;
/// let order: Vec<&str> = sorted.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(order, ["courses", "students"]);
///
/// let engine = create_engine("sqlite://")?;
/// metadata.create_all(&engine)?; // CREATE TABLE courses ..., then students
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MetaData {
    tables: Vec<Arc<Table>>,
}

impl MetaData {
    /// An empty collection.
    pub fn new() -> Self {
        MetaData::default()
    }

    /// Adds a table, replacing one of the same name.
    pub fn add(&mut self, table: impl Into<Arc<Table>>) -> &mut Self {
        let table = table.into();
        self.tables.retain(|t| t.name != table.name);
        self.tables.push(table);
        self
    }

    /// Builder form of [`MetaData::add`].
    pub fn with(mut self, table: impl Into<Arc<Table>>) -> Self {
        self.add(table);
        self
    }

    /// Tables in the order they were added.
    pub fn tables(&self) -> &[Arc<Table>] {
        &self.tables
    }

    /// Finds a table by name.
    pub fn table(&self, name: &str) -> Option<&Arc<Table>> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Tables ordered so that every table comes after the tables it references.
    ///
    /// References to tables outside this collection and self-references are ignored.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming the tables of a reference cycle.
    pub fn sorted_tables(&self) -> Result<Vec<Arc<Table>>> {
        let tables: Vec<&Table> = self.tables.iter().map(|t| &**t).collect();
        let order = dependency_order(&tables)?;
        Ok(order.into_iter().map(|i| self.tables[i].clone()).collect())
    }
}

/// Positions of `tables` ordered so that every table comes after the tables it references
/// (parents first): for `create_all` and for the session's flush. Self-references, references
/// outside `tables` and `use_alter` foreign keys are ignored.
///
/// # Errors
/// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming the tables of a reference cycle and
/// the fix.
pub fn dependency_order(tables: &[&Table]) -> Result<Vec<usize>> {
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let deps: Vec<Vec<usize>> = tables
        .iter()
        .map(|t| {
            t.foreign_keys
                .iter()
                .filter(|f| f.ref_table != t.name && !f.use_alter)
                .filter_map(|f| names.iter().position(|n| *n == f.ref_table))
                .collect()
        })
        .collect();
    topo_sort(&deps).map_err(|cycle| {
        let in_cycle: Vec<&str> = cycle.iter().map(|&i| names[i]).collect();
        Error::misuse(format!(
            "foreign keys form a cycle between tables {}; declare one of the relationships \
             that close it with relation(post_update) (ForeignKey::use_alter)",
            in_cycle.join(", ")
        ))
    })
}

/// Orders nodes so that each comes after its dependencies, keeping the given order where free.
///
/// # Errors
/// The nodes left unordered, which form or depend on a cycle.
pub fn topo_sort(deps: &[Vec<usize>]) -> std::result::Result<Vec<usize>, Vec<usize>> {
    let n = deps.len();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let next = (0..n).find(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d] || d == i));
        match next {
            Some(i) => {
                placed[i] = true;
                order.push(i);
            }
            None => return Err((0..n).filter(|&i| !placed[i]).collect()),
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, refs: &[&str]) -> Table {
        let mut table = Table::new(name).column(Column::new("id", SqlType::BigInt).primary_key());
        for r in refs {
            let col = format!("{r}_id");
            table = table
                .column(Column::new(col.clone(), SqlType::BigInt))
                .foreign_key(ForeignKey::new(col, *r, "id"));
        }
        table
    }

    #[test]
    fn sorted_tables_puts_parents_first() {
        let md = MetaData::new()
            .with(t("marks", &["students", "courses"]))
            .with(t("students", &["courses"]))
            .with(t("courses", &[]));
        let order: Vec<String> = md
            .sorted_tables()
            .unwrap()
            .iter()
            .map(|t| t.name.clone())
            .collect();
        assert_eq!(order, ["courses", "students", "marks"]);
    }

    #[test]
    fn long_constraint_names_fit_the_identifier_limit() {
        let fk = ForeignKey::new("manager_worker_id", "workers", "id");
        let table = "organisational_divisions_of_the_very_big_company_group";
        let name = fk.constraint_name(table);
        // The full name is 75 bytes: its first 54, `_`, and the low 32 bits of its FNV-1a
        // hash (values computed outside this code, so a changed hash is caught).
        assert_eq!(
            name,
            "fk_organisational_divisions_of_the_very_big_company_gr_6c5cc17a"
        );
        assert_eq!(name.len(), 63);
        let other = ForeignKey::new("manager_worker_id2", "workers", "id");
        assert_eq!(
            other.constraint_name(table),
            "fk_organisational_divisions_of_the_very_big_company_gr_219c6d58"
        );
        assert_eq!(fk.constraint_name("t"), "fk_t_manager_worker_id");
    }

    #[test]
    fn self_reference_is_not_a_cycle_but_a_loop_is() {
        let md = MetaData::new().with(t("categories", &["categories"]));
        assert_eq!(md.sorted_tables().unwrap().len(), 1);
        let md = MetaData::new().with(t("a", &["b"])).with(t("b", &["a"]));
        let e = md.sorted_tables().unwrap_err();
        assert!(e.message().contains("a, b"), "{e}");
    }

    #[test]
    fn validate_names_missing_column() {
        let table = Table::new("s")
            .column(Column::new("id", SqlType::BigInt))
            .foreign_key(ForeignKey::new("course_id", "courses", "id"));
        let e = table.validate().unwrap_err();
        assert!(e.message().contains("course_id"), "{e}");
        assert!(ForeignKey::parse("c", "courses.id").is_ok());
        assert!(ForeignKey::parse("c", "courses").is_err());
    }
}
