//! Comparison of one table as the models declare it with the same table as it is, for
//! [`diff`](super::diff): columns, primary key, indexes, unique constraints, foreign keys and
//! checks, each after the dialect's rendering and its catalog's normalisation.

use super::op::{unique_name, SchemaOp};
use crate::dialect::catalog::{
    default_normalize_check, default_normalize_type, strip_outer_parens, Catalog,
};
use crate::dialect::Dialect;
use crate::schema::UniqueConstraint;
use crate::schema::{CheckConstraint, Column, ForeignKey, Index, ReferentialAction, Table};
use crate::sql::ddl::ColumnChange;

/// The dialect and its catalog's normalisation rules.
#[derive(Clone, Copy)]
pub(super) struct Rules<'a> {
    pub(super) dialect: &'a dyn Dialect,
    catalog: Option<&'static dyn Catalog>,
}

impl<'a> Rules<'a> {
    pub(super) fn new(dialect: &'a dyn Dialect) -> Self {
        Rules {
            dialect,
            catalog: dialect.catalog(),
        }
    }

    /// The type as written in DDL (the verbatim `custom_type`, else the dialect's name for
    /// it) in the catalog's normal form (by default without case and with spacing
    /// normalised: `numeric(10,2)` is `NUMERIC(10, 2)`).
    pub(super) fn type_sig(&self, table: &Table, c: &Column) -> String {
        let written = self.written_type(table, c);
        match self.catalog {
            Some(cat) => cat.normalize_type(&written),
            None => default_normalize_type(&written),
        }
    }

    fn written_type(&self, table: &Table, c: &Column) -> String {
        match &c.custom_type {
            Some(t) => t.trim().to_string(),
            None => self.dialect.column_type(c, keyed(table, c)),
        }
    }

    fn default_sig(&self, sql: Option<&str>) -> Option<String> {
        sql.map(|s| match self.catalog {
            Some(cat) => cat.normalize_default(s),
            None => strip_outer_parens(s.trim()).to_string(),
        })
    }

    /// A CHECK condition or partial-index predicate as the database reports it back.
    fn condition_sig(&self, sql: &str) -> String {
        match self.catalog {
            Some(cat) => cat.normalize_check(sql),
            None => default_normalize_check(sql),
        }
    }

    /// A check's condition as this dialect writes it (a validation rule rendered for it),
    /// normalised as [`condition_sig`](Self::condition_sig).
    fn check_sig(&self, c: &CheckConstraint) -> String {
        self.condition_sig(&c.condition(self.dialect))
    }

    /// A foreign-key action as the database means it (`None` for no action).
    fn action(&self, action: Option<ReferentialAction>) -> Option<ReferentialAction> {
        match self.catalog {
            Some(cat) => cat.normalize_action(action),
            None => action.filter(|a| *a != ReferentialAction::NoAction),
        }
    }

    /// A reflected unique constraint with its name: the one the database gave it when
    /// reflection did not read one (a column's `unique`), if the catalog knows it.
    fn named_unique(&self, table: &str, u: &UniqueConstraint) -> UniqueConstraint {
        let mut u = u.clone();
        if u.name.is_none() {
            u.name = self
                .catalog
                .and_then(|cat| cat.unnamed_unique_name(table, &u.columns));
        }
        u
    }

    fn uniques_are_indexes(&self) -> bool {
        self.catalog
            .is_some_and(|cat| cat.unique_constraints_are_indexes())
    }

    /// `column` as an operation carries it: NOT NULL when it is in the key (as CREATE TABLE
    /// writes it), and with its type written out when the dialect writes it differently for
    /// a column under an index or key (MySQL: an unbounded text becomes `VARCHAR(255)`),
    /// since ADD / ALTER COLUMN see the column alone.
    pub(super) fn op_column(&self, table: &Table, c: &Column) -> Column {
        let mut c = c.clone();
        c.nullable = c.nullable && !c.primary_key;
        if c.custom_type.is_none() {
            let written = self.dialect.column_type(&c, keyed(table, &c));
            if written != self.dialect.column_type(&c, false) {
                c.custom_type = Some(written);
            }
        }
        c
    }
}

/// Whether a key, index or constraint covers `c` (as CREATE TABLE decides it).
fn keyed(table: &Table, c: &Column) -> bool {
    c.primary_key
        || c.unique
        || c.index
        || table.uniques.iter().any(|u| u.columns.contains(&c.name))
        || table.indexes.iter().any(|i| i.columns.contains(&c.name))
        || table
            .foreign_keys
            .iter()
            .any(|f| f.columns.contains(&c.name))
}

/// The operations that turn `current` into `target` (two versions of one table), unordered.
pub(super) fn compare_table(
    rules: &Rules<'_>,
    target: &Table,
    current: &Table,
    out: &mut Vec<SchemaOp>,
) {
    columns(rules, target, current, out);
    primary_key(target, current, out);
    let (t_idx, t_uniq) = split_uniques(rules, target);
    let (c_idx, c_uniq) = split_uniques(rules, current);
    indexes(rules, &target.name, &t_idx, &c_idx, out);
    uniques(rules, &target.name, &t_uniq, &c_uniq, out);
    foreign_keys(rules, target, current, out);
    checks(rules, target, current, out);
}

fn columns(rules: &Rules<'_>, target: &Table, current: &Table, out: &mut Vec<SchemaOp>) {
    let name = &target.name;
    for t in &target.columns {
        let Some(c) = current.get_column(&t.name) else {
            // The column's unique constraint and index come as AddUnique / AddIndex (which
            // name them), so ADD COLUMN must not create them too.
            let mut column = rules.op_column(target, t);
            column.unique = false;
            column.index = false;
            out.push(SchemaOp::AddColumn {
                table: name.clone(),
                column,
            });
            continue;
        };
        let mut changes = Vec::new();
        if rules.type_sig(target, t) != rules.type_sig(current, c) {
            changes.push(ColumnChange::Type);
        }
        if (t.nullable && !t.primary_key) != (c.nullable && !c.primary_key) {
            changes.push(ColumnChange::Nullability);
        }
        // A generated key's value comes from the identity / sequence / rowid, not from a
        // default, whatever the database shows for it.
        let generated = t.autoincrement && c.autoincrement;
        if !generated
            && rules.default_sig(t.server_default.as_deref())
                != rules.default_sig(c.server_default.as_deref())
        {
            changes.push(ColumnChange::Default);
        }
        if !changes.is_empty() {
            out.push(SchemaOp::AlterColumn {
                table: name.clone(),
                from: c.clone(),
                to: rules.op_column(target, t),
                changes,
            });
        }
    }
    for c in &current.columns {
        if target.get_column(&c.name).is_none() {
            // Its unique constraint and index go as DropUnique / DropIndex, so that the
            // reverse (ADD COLUMN, then AddUnique / AddIndex) creates each once.
            let mut column = c.clone();
            column.unique = false;
            column.index = false;
            out.push(SchemaOp::DropColumn {
                table: name.clone(),
                column,
            });
        }
    }
}

fn key_columns(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.clone())
        .collect()
}

fn primary_key(target: &Table, current: &Table, out: &mut Vec<SchemaOp>) {
    let to = key_columns(target);
    let from = key_columns(current);
    if sorted(&to) != sorted(&from) {
        out.push(SchemaOp::AlterPrimaryKey {
            table: target.name.clone(),
            from,
            to,
        });
    }
}

fn sorted(names: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

/// A unique constraint, or (where the database makes no difference) a unique index.
enum Unique {
    Constraint(UniqueConstraint),
    Index(Index),
}

impl Unique {
    fn columns(&self) -> Vec<&str> {
        match self {
            Unique::Constraint(u) => sorted(&u.columns),
            Unique::Index(i) => sorted(&i.columns),
        }
    }
}

/// A table's indexes ([`Table::all_indexes`]) and unique constraints (declared ones and
/// `Column::unique` columns outside the key); on a catalog whose unique constraints are
/// indexes, full unique indexes count as unique constraints.
fn split_uniques(rules: &Rules<'_>, table: &Table) -> (Vec<Index>, Vec<Unique>) {
    let mut uniques: Vec<Unique> = table
        .columns
        .iter()
        .filter(|c| c.unique && !c.primary_key)
        .map(|c| {
            Unique::Constraint(UniqueConstraint {
                name: None,
                columns: vec![c.name.clone()],
            })
        })
        .collect();
    uniques.extend(table.uniques.iter().cloned().map(Unique::Constraint));
    let mut indexes = Vec::new();
    for index in table.all_indexes() {
        if rules.uniques_are_indexes() && index.unique && index.where_sql.is_none() {
            uniques.push(Unique::Index(index));
        } else {
            indexes.push(index);
        }
    }
    (indexes, uniques)
}

fn indexes(
    rules: &Rules<'_>,
    table: &str,
    target: &[Index],
    current: &[Index],
    out: &mut Vec<SchemaOp>,
) {
    let same = |a: &Index, b: &Index| {
        a.columns == b.columns
            && a.unique == b.unique
            && a.where_sql.as_deref().map(|w| rules.condition_sig(w))
                == b.where_sql.as_deref().map(|w| rules.condition_sig(w))
    };
    for t in target {
        match current.iter().find(|c| c.name == t.name) {
            Some(c) if same(t, c) => {}
            Some(c) => {
                out.push(SchemaOp::DropIndex {
                    table: table.to_string(),
                    index: c.clone(),
                });
                out.push(SchemaOp::AddIndex {
                    table: table.to_string(),
                    index: t.clone(),
                });
            }
            None => out.push(SchemaOp::AddIndex {
                table: table.to_string(),
                index: t.clone(),
            }),
        }
    }
    for c in current {
        if !target.iter().any(|t| t.name == c.name) {
            out.push(SchemaOp::DropIndex {
                table: table.to_string(),
                index: c.clone(),
            });
        }
    }
}

fn uniques(
    rules: &Rules<'_>,
    table: &str,
    target: &[Unique],
    current: &[Unique],
    out: &mut Vec<SchemaOp>,
) {
    let mut matched = vec![false; current.len()];
    for t in target {
        let cols = t.columns();
        let hit = (0..current.len()).find(|&i| !matched[i] && current[i].columns() == cols);
        match hit {
            Some(i) => matched[i] = true,
            None => out.push(match t {
                Unique::Constraint(u) => {
                    let mut u = u.clone();
                    u.name = Some(unique_name(table, &u));
                    SchemaOp::AddUnique {
                        table: table.to_string(),
                        unique: u,
                    }
                }
                Unique::Index(i) => SchemaOp::AddIndex {
                    table: table.to_string(),
                    index: i.clone(),
                },
            }),
        }
    }
    for (c, _) in current.iter().zip(&matched).filter(|(_, m)| !**m) {
        out.push(match c {
            Unique::Constraint(u) => SchemaOp::DropUnique {
                table: table.to_string(),
                unique: rules.named_unique(table, u),
            },
            Unique::Index(i) => SchemaOp::DropIndex {
                table: table.to_string(),
                index: i.clone(),
            },
        });
    }
}

fn foreign_keys(rules: &Rules<'_>, target: &Table, current: &Table, out: &mut Vec<SchemaOp>) {
    let same = |a: &ForeignKey, b: &ForeignKey| {
        a.columns == b.columns
            && a.ref_table == b.ref_table
            && a.ref_columns == b.ref_columns
            && rules.action(a.on_delete) == rules.action(b.on_delete)
            && rules.action(a.on_update) == rules.action(b.on_update)
    };
    let current_fks = &current.foreign_keys;
    let mut matched = vec![false; current_fks.len()];
    for t in &target.foreign_keys {
        match (0..current_fks.len()).find(|&i| !matched[i] && same(t, &current_fks[i])) {
            Some(i) => matched[i] = true,
            None => out.push(SchemaOp::AddForeignKey {
                table: target.name.clone(),
                foreign_key: t.clone(),
            }),
        }
    }
    for (c, _) in current_fks.iter().zip(&matched).filter(|(_, m)| !**m) {
        out.push(SchemaOp::DropForeignKey {
            table: target.name.clone(),
            foreign_key: c.clone(),
        });
    }
}

/// Checks with their names filled in ([`Table::check_name`]).
fn named_checks(table: &Table) -> Vec<CheckConstraint> {
    table
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| CheckConstraint {
            name: Some(table.check_name(i)),
            ..c.clone()
        })
        .collect()
}

/// Checks are matched by name and then compared by condition; those left over on both sides
/// are matched by condition alone (a database names the checks of a schema it did not get
/// from Cinnabar its own way, or reflection may not read a name).
fn checks(rules: &Rules<'_>, target: &Table, current: &Table, out: &mut Vec<SchemaOp>) {
    let table = &target.name;
    let t_checks = named_checks(target);
    let c_checks = named_checks(current);
    let mut t_done = vec![false; t_checks.len()];
    let mut c_done = vec![false; c_checks.len()];
    for (ti, t) in t_checks.iter().enumerate() {
        let Some(ci) = c_checks.iter().position(|c| c.name == t.name) else {
            continue;
        };
        t_done[ti] = true;
        c_done[ci] = true;
        if rules.check_sig(t) != rules.check_sig(&c_checks[ci]) {
            out.push(SchemaOp::DropCheck {
                table: table.clone(),
                check: c_checks[ci].clone(),
            });
            out.push(SchemaOp::AddCheck {
                table: table.clone(),
                check: t.clone(),
            });
        }
    }
    for (t, _) in t_checks.iter().zip(&t_done).filter(|(_, d)| !**d) {
        let sig = rules.check_sig(t);
        let hit =
            (0..c_checks.len()).find(|&ci| !c_done[ci] && rules.check_sig(&c_checks[ci]) == sig);
        match hit {
            Some(ci) => c_done[ci] = true,
            None => out.push(SchemaOp::AddCheck {
                table: table.clone(),
                check: t.clone(),
            }),
        }
    }
    for (c, _) in c_checks.iter().zip(&c_done).filter(|(_, d)| !**d) {
        out.push(SchemaOp::DropCheck {
            table: table.clone(),
            check: c.clone(),
        });
    }
}
