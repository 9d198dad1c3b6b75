//! Running a [`SelectQuery`]: autoflush, compile with the connection's dialect, stream the
//! rows and read each one as the select list's tuple ([`SelectList::decode_row`]) or as a
//! `#[derive(FromRow)]` struct, through [`ItemRow`], which names the items and reads each
//! value as its item wants (see [`ReadAs`]).

use std::any::type_name;
use std::borrow::Cow;
use std::cell::Cell;

use cinnabar_core::dialect::compile;
use cinnabar_core::sql::{
    Expr, ReadAs, SelectItem, SelectList, SingleColumn, Statement, ValueSource,
};
use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};
use cinnabar_engine::{FromRow, Row};

use super::{check_from, SelectQuery};

/// How the items are named: in errors (`label` or `table.column`) and to a `FromRow` struct
/// (`label` or the column's name); `None` where the database's own column name is used.
struct ItemNames {
    describe: Vec<Option<String>>,
    field: Vec<Option<String>>,
}

impl ItemNames {
    fn of(items: &[SelectItem]) -> Self {
        let mut describe = Vec::with_capacity(items.len());
        let mut field = Vec::with_capacity(items.len());
        for item in items {
            match (&item.alias, &item.expr) {
                (Some(a), _) => {
                    describe.push(Some(a.to_string()));
                    field.push(Some(a.to_string()));
                }
                (None, Expr::Column(c)) => {
                    describe.push(Some(match &c.table {
                        Some(t) => format!("{t}.{}", c.name),
                        None => c.name.to_string(),
                    }));
                    field.push(Some(c.name.to_string()));
                }
                (None, _) => {
                    describe.push(None);
                    field.push(None);
                }
            }
        }
        ItemNames { describe, field }
    }
}

/// A result row as the select's items see it: values read per [`ReadAs`], columns named as
/// [`ItemNames`] says, and which columns were read (for a `FromRow` struct's arity check).
pub(super) struct ItemRow<'r> {
    row: &'r dyn Row,
    names: &'r ItemNames,
    read_as: &'r [ReadAs],
    read: Cell<u64>,
}

impl ItemRow<'_> {
    fn mark(&self, idx: usize) {
        if idx < 64 {
            self.read.set(self.read.get() | 1 << idx);
        }
    }

    /// Every item was read by `R`'s `from_row`: an item no field takes is an error, not a
    /// value silently dropped.
    fn check_all_read<R>(&self) -> Result<()> {
        let unread: Vec<String> = (0..self.row.len().min(64))
            .filter(|&i| self.read.get() & (1 << i) == 0)
            .map(|i| format!("{} ({})", i + 1, self.column_name(i)))
            .collect();
        if unread.is_empty() {
            return Ok(());
        }
        Err(Error::misuse(format!(
            "{} reads {} of the {} select items; no field takes item {}: label each item \
             with the name of a field (`.label(\"field\")`) or drop it from the select",
            short_name::<R>(),
            self.row.len() - unread.len(),
            self.row.len(),
            unread.join(", item "),
        )))
    }
}

fn short_name<R>() -> &'static str {
    let full = type_name::<R>();
    full.rsplit("::").next().unwrap_or(full)
}

impl Row for ItemRow<'_> {
    fn len(&self) -> usize {
        self.row.len()
    }

    fn column_name(&self, idx: usize) -> &str {
        match self.names.field.get(idx) {
            Some(Some(name)) => name,
            _ => self.row.column_name(idx),
        }
    }

    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        self.mark(idx);
        let read_as = self.read_as.get(idx).copied().unwrap_or_default();
        Ok(read_as.apply(self.row.value(idx)?))
    }
}

impl ValueSource for ItemRow<'_> {
    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        self.mark(idx);
        self.row.value(idx)
    }

    fn describe(&self, idx: usize) -> Cow<'_, str> {
        match self.names.describe.get(idx) {
            Some(Some(name)) => Cow::Borrowed(name),
            _ => Cow::Borrowed(self.row.column_name(idx)),
        }
    }
}

impl<L: SelectList> SelectQuery<'_, L> {
    /// Every row, read as the select list's output: a tuple for a tuple of items.
    ///
    /// # Errors
    /// Flush and database errors; a conversion error naming the item
    /// (`select item 2 (avg_mark): ...`); what a builder method recorded.
    pub fn all(self) -> Result<Vec<L::Output>> {
        let mut out = Vec::new();
        self.run(|row| {
            out.push(L::decode_row(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, if any (adds `LIMIT 1`).
    ///
    /// # Errors
    /// As [`SelectQuery::all`].
    pub fn first(mut self) -> Result<Option<L::Output>> {
        self.select.limit = Some(1);
        Ok(self.all()?.pop())
    }

    /// Exactly one row.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] or [`ErrorKind::MultipleRows`]; as [`SelectQuery::all`].
    pub fn one(self) -> Result<L::Output> {
        self.one_or_none()?
            .ok_or_else(|| Error::new(ErrorKind::NoRow, "expected one row, found none"))
    }

    /// At most one row (adds `LIMIT 2` when there is no limit, to tell one from several).
    ///
    /// # Errors
    /// [`ErrorKind::MultipleRows`] when there are several; as [`SelectQuery::all`].
    pub fn one_or_none(mut self) -> Result<Option<L::Output>> {
        if self.select.limit.is_none() {
            self.select.limit = Some(2);
        }
        let mut rows = self.all()?;
        match rows.len() {
            0 | 1 => Ok(rows.pop()),
            n => Err(Error::new(
                ErrorKind::MultipleRows,
                format!("expected at most one row, found {n}"),
            )),
        }
    }

    /// The one column of the first row: `session.select(count_star()).select_from::<Student>()
    /// .scalar()?` is an `i64`.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] when there is no row; as [`SelectQuery::all`].
    pub fn scalar(self) -> Result<L::Value>
    where
        L: SingleColumn,
    {
        match self.first()? {
            Some(row) => Ok(L::into_value(row)),
            None => Err(Error::new(
                ErrorKind::NoRow,
                "expected a row for scalar(), found none",
            )),
        }
    }

    /// Every row mapped into `R`, a `#[derive(FromRow)]` struct, by name: each field reads
    /// the item labelled with its name (`.label("avg_mark")`; an unlabelled column is named
    /// by its column name).
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] naming the column when a field has no item of its name, or
    /// when an item is read by no field; a conversion error naming the column when an
    /// item's value does not fit its field's type; as [`SelectQuery::all`].
    pub fn all_as<R: FromRow>(self) -> Result<Vec<R>> {
        let mut out = Vec::new();
        let mut checked = false;
        self.run(|row| {
            let r = R::from_row(row)
                .map_err(|e| e.context(format_args!("reading {}", short_name::<R>())))?;
            if !checked {
                row.check_all_read::<R>()?;
                checked = true;
            }
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row mapped into `R` (adds `LIMIT 1`), as [`SelectQuery::all_as`].
    ///
    /// # Errors
    /// As [`SelectQuery::all_as`].
    pub fn first_as<R: FromRow>(mut self) -> Result<Option<R>> {
        self.select.limit = Some(1);
        Ok(self.all_as::<R>()?.pop())
    }

    /// Autoflushes, compiles with the session's dialect and hands each row to `f`.
    fn run(self, mut f: impl FnMut(&ItemRow<'_>) -> Result<()>) -> Result<()> {
        let SelectQuery {
            session,
            select,
            read_as,
            error,
            ..
        } = self;
        if let Some(e) = error {
            return Err(e);
        }
        check_from(&select)?;
        let names = ItemNames::of(&select.columns);
        session.autoflush()?;
        let conn = session.connection()?;
        let compiled = compile(conn.dialect(), &Statement::Select(select))?;
        if compiled.slots > 0 {
            return Err(Error::misuse(format!(
                "a column select cannot hold parameter slots (Expr::Param); found {}",
                compiled.slots
            )));
        }
        let params: Vec<ValueRef<'_>> = compiled.params.iter().map(Value::as_ref).collect();
        conn.run(
            &compiled.sql,
            &params,
            Some(&mut |row: &dyn Row| {
                f(&ItemRow {
                    row,
                    names: &names,
                    read_as: &read_as,
                    read: Cell::new(0),
                })
            }),
        )?;
        Ok(())
    }
}
