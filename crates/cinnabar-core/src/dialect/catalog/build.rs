//! Assembling reflected [`Table`]s from catalog rows: typed access to a row's values, the set
//! of tables being built, and the rules every catalog shares for telling a column's own
//! UNIQUE / index (what `Column::unique` / `Column::index` declare) from a table-level one.
//! Used by the SQLite and PostgreSQL catalogs.

use std::collections::HashMap;

use crate::schema::{shorten_generated_name, Index, Table, UniqueConstraint};
use crate::{Error, Result, Value};

/// One row of a catalog query, read with errors that name the query and the column.
pub(crate) struct Cells<'a> {
    row: &'a [Value],
    query: &'static str,
}

impl<'a> Cells<'a> {
    /// Reads a row of the query called `query` (used in error messages).
    pub(crate) fn new(row: &'a [Value], query: &'static str) -> Self {
        Cells { row, query }
    }

    fn get(&self, i: usize) -> Result<&'a Value> {
        self.row.get(i).ok_or_else(|| {
            Error::conversion(format!(
                "reflection: a row of the {} catalog query has {} columns, expected at least {}",
                self.query,
                self.row.len(),
                i + 1
            ))
        })
    }

    fn wrong(&self, i: usize, want: &str, got: &Value) -> Error {
        Error::conversion(format!(
            "reflection: column {} of the {} catalog query is {got:?}, expected {want}",
            i + 1,
            self.query
        ))
    }

    /// Column `i` as text (never NULL).
    pub(crate) fn text(&self, i: usize) -> Result<&'a str> {
        match self.get(i)? {
            Value::Text(s) => Ok(s),
            other => Err(self.wrong(i, "text", other)),
        }
    }

    /// Column `i` as text, or `None` for NULL.
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<&'a str>> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s)),
            other => Err(self.wrong(i, "text or NULL", other)),
        }
    }

    /// Column `i` as an integer.
    pub(crate) fn int(&self, i: usize) -> Result<i64> {
        match self.get(i)? {
            Value::Int(n) => Ok(*n),
            other => Err(self.wrong(i, "an integer", other)),
        }
    }

    /// Column `i` as a flag: a boolean, or an integer (non-zero is true).
    pub(crate) fn flag(&self, i: usize) -> Result<bool> {
        match self.get(i)? {
            Value::Bool(b) => Ok(*b),
            Value::Int(n) => Ok(*n != 0),
            other => Err(self.wrong(i, "a boolean", other)),
        }
    }
}

/// The tables being assembled, found by name.
pub(crate) struct TableSet {
    tables: Vec<Table>,
    by_name: HashMap<String, usize>,
}

impl TableSet {
    /// An empty set.
    pub(crate) fn new() -> Self {
        TableSet {
            tables: Vec::new(),
            by_name: HashMap::new(),
        }
    }

    /// Adds an empty table called `name` (once).
    pub(crate) fn add(&mut self, name: &str) {
        if !self.by_name.contains_key(name) {
            self.by_name.insert(name.to_string(), self.tables.len());
            self.tables.push(Table::new(name));
        }
    }

    /// The table called `name`. `None` for a table the table query did not list (created
    /// while the catalog queries ran): its rows are skipped.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Table> {
        let i = *self.by_name.get(name)?;
        self.tables.get_mut(i)
    }

    /// The table called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Table> {
        self.by_name.get(name).and_then(|&i| self.tables.get(i))
    }

    /// The table whose name equals `name` ignoring ASCII case (SQLite's identifiers).
    pub(crate) fn get_ignore_case(&self, name: &str) -> Option<&Table> {
        self.get(name).or_else(|| {
            self.tables
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(name))
        })
    }

    /// Every table, sorted by name.
    pub(crate) fn into_sorted(mut self) -> Vec<Table> {
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.tables
    }
}

/// Records a UNIQUE constraint of `table`. One over a single column whose name is `None` or
/// the name the database gives an unnamed one (`default_name`) becomes that column's
/// [`Column::unique`](crate::schema::Column#structfield.unique), as a model declares it; any
/// other stays a [`UniqueConstraint`] with its name.
pub(crate) fn add_unique(
    table: &mut Table,
    name: Option<String>,
    columns: Vec<String>,
    default_name: Option<&str>,
) {
    if let [col] = columns.as_slice() {
        let is_default = match (&name, default_name) {
            (None, _) => true,
            (Some(n), Some(d)) => n == d,
            (Some(_), None) => false,
        };
        if is_default {
            if let Some(c) = table
                .columns
                .iter_mut()
                .find(|c| &c.name == col && !c.primary_key)
            {
                if !c.unique {
                    c.unique = true;
                    return;
                }
            }
        }
    }
    table.uniques.push(UniqueConstraint { name, columns });
}

/// Records an index of `table`. A non-unique, non-partial index over one column named
/// `ix_<table>_<column>` (the name `create_all` gives a column declared `index`) becomes that
/// column's [`Column::index`](crate::schema::Column#structfield.index); any other stays an
/// [`Index`].
pub(crate) fn add_index(table: &mut Table, index: Index) {
    if let [col] = index.columns.as_slice() {
        if !index.unique && index.where_sql.is_none() {
            let generated = shorten_generated_name(format!("ix_{}_{}", table.name, col));
            if index.name == generated {
                if let Some(c) = table
                    .columns
                    .iter_mut()
                    .find(|c| &c.name == col && !c.primary_key && !c.index)
                {
                    c.index = true;
                    return;
                }
            }
        }
    }
    table.indexes.push(index);
}

/// Parses `(p, s)` / `(n)` arguments: the numbers inside the first parentheses of `t`.
pub(crate) fn type_args(t: &str) -> Option<Vec<u32>> {
    let open = t.find('(')?;
    let close = t[open..].find(')')? + open;
    t[open + 1..close]
        .split(',')
        .map(|a| a.trim().parse::<u32>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;
    use crate::types::SqlType;

    fn table() -> Table {
        Table::new("t")
            .column(Column::new("id", SqlType::BigInt).primary_key())
            .column(Column::new("a", SqlType::BigInt))
            .column(Column::new("b", SqlType::BigInt))
    }

    #[test]
    fn a_default_named_single_column_unique_is_the_columns() {
        let mut t = table();
        add_unique(
            &mut t,
            Some("t_a_key".into()),
            vec!["a".into()],
            Some("t_a_key"),
        );
        add_unique(
            &mut t,
            Some("uq_b".into()),
            vec!["b".into()],
            Some("t_b_key"),
        );
        add_unique(&mut t, None, vec!["a".into(), "b".into()], None);
        assert!(t.columns[1].unique);
        assert!(!t.columns[2].unique);
        assert_eq!(t.uniques.len(), 2);
        assert_eq!(t.uniques[0].name.as_deref(), Some("uq_b"));
        assert_eq!(t.uniques[1].name, None);
    }

    #[test]
    fn only_a_generated_index_name_is_the_columns() {
        let mut t = table();
        add_index(&mut t, Index::new("ix_t_a", &["a"]));
        add_index(&mut t, Index::new("ix_other", &["b"]));
        add_index(&mut t, Index::new("ix_t_b", &["b"]).where_sql("b > 0"));
        assert!(t.columns[1].index);
        assert!(!t.columns[2].index);
        assert_eq!(t.indexes.len(), 2);
        assert_eq!(type_args("NUMERIC(10, 2)"), Some(vec![10, 2]));
        assert_eq!(type_args("VARCHAR(x)"), None);
        assert_eq!(type_args("TEXT"), None);
    }
}
