//! Compiles statements to SQL text plus an ordered list of bound values, for any [`Dialect`].
//!
//! The walk is shared; every point where databases differ is a [`Dialect`] method. Values are
//! never written into the SQL: each becomes a placeholder and is pushed to
//! [`Compiled::params`]. A bound NULL compared with `=` / `<>` is written `IS [NOT] NULL`.

mod dml;
mod exprs;
mod statements;
mod walk;

use super::identifiers::check_with;
use super::{Dialect, IdentifierLimit};
use crate::error::{Error, Result};
use crate::sql::{ColumnRef, Statement};
use crate::value::{Value, ValueRef};

/// A compiled statement: SQL text and the values for its placeholders, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// SQL text with dialect placeholders.
    pub sql: String,
    /// Bound values, in placeholder order.
    pub params: Vec<Value>,
    /// Number of [`Expr::Param`](crate::sql::Expr::Param) slots, whose values the caller supplies at execution.
    pub slots: usize,
}

/// Compiles `statement` for `dialect`.
///
/// # Errors
/// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) for statements that cannot be rendered
/// (an unbound raw-SQL parameter, an invalid value, a row of the wrong width),
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) for features the dialect lacks,
/// [`ErrorKind::IdentifierTooLong`](crate::ErrorKind::IdentifierTooLong) for a name longer
/// than the dialect's [`identifier_limit`](Dialect::identifier_limit) and `Misuse` for a name
/// holding a NUL byte.
pub fn compile(dialect: &dyn Dialect, statement: &Statement) -> Result<Compiled> {
    let mut sql = String::with_capacity(256);
    let mut params = Vec::new();
    let slots = compile_into(dialect, statement, &mut sql, &mut params)?;
    Ok(Compiled {
        sql,
        params: params.into_iter().map(ValueRef::to_owned_value).collect(),
        slots,
    })
}

/// Compiles `statement` into `sql` (appended) and `params` (borrowing the statement's
/// values, so nothing is copied); returns the number of parameter slots. The allocation-free
/// form of [`compile`], for hot paths that reuse buffers.
///
/// # Errors
/// As [`compile`].
pub fn compile_into<'a>(
    dialect: &dyn Dialect,
    statement: &'a Statement,
    sql: &mut String,
    params: &mut Vec<ValueRef<'a>>,
) -> Result<usize> {
    write_statement(dialect, statement, sql, params, false)
}

/// Writes into `sql` a cache key for the SQL text [`compile_into`] gives `statement`, and
/// into `params` the same values in the same order; for callers that cache compiled SELECTs
/// by shape (the ORM's queries). The key is the SQL text with each identifier written as a
/// marker, its length and the name, unquoted and unchecked: two statements have the same
/// key exactly when they have the same SQL text, and a key costs about half a compile.
/// Only the SQL text from [`compile_into`] may be run: it checks the identifiers.
///
/// # Errors
/// As [`compile`], except for identifier checks.
pub fn compile_key_into<'a>(
    dialect: &dyn Dialect,
    statement: &'a Statement,
    key: &mut String,
    params: &mut Vec<ValueRef<'a>>,
) -> Result<usize> {
    write_statement(dialect, statement, key, params, true)
}

fn write_statement<'a>(
    dialect: &dyn Dialect,
    statement: &'a Statement,
    sql: &mut String,
    params: &mut Vec<ValueRef<'a>>,
    key: bool,
) -> Result<usize> {
    let mut w = Writer {
        d: dialect,
        limit: dialect.identifier_limit(),
        sql,
        params,
        slots: 0,
        key,
        window_ban: None,
    };
    match statement {
        Statement::Select(s) => w.select(s)?,
        Statement::Insert(s) => w.insert(s)?,
        Statement::Update(s) => w.update(s)?,
        Statement::Delete(s) => w.delete(s)?,
        Statement::Text(t) => w.text(t)?,
        Statement::Ddl(d) => super::compile_ddl_into(dialect, d, w.sql)?,
    }
    if w.slots > 0 && !w.params.is_empty() {
        return Err(Error::misuse(
            "a statement cannot mix bound values with parameter slots",
        ));
    }
    Ok(w.slots)
}

struct Writer<'d, 'a> {
    d: &'d dyn Dialect,
    limit: IdentifierLimit,
    sql: &'d mut String,
    params: &'d mut Vec<ValueRef<'a>>,
    slots: usize,
    /// Writing a cache key ([`compile_key_into`]), not SQL.
    key: bool,
    /// The clause being written where window functions are not allowed (`WHERE`, ...).
    window_ban: Option<&'static str>,
}

impl<'a> Writer<'_, 'a> {
    /// Writes a quoted identifier whose role (`table`, `column`, `alias`) messages name.
    fn ident(&mut self, name: &str, what: &str) -> Result<()> {
        if self.key {
            // Unambiguous without quoting: no fixed token holds the marker, and the length
            // says where the name ends.
            self.sql.push('\u{1}');
            super::push_u64(self.sql, name.len() as u64);
            self.sql.push(':');
            self.sql.push_str(name);
            return Ok(());
        }
        check_with(self.d, self.limit, name, what)?;
        self.d.quote_identifier(self.sql, name);
        Ok(())
    }

    fn placeholder(&mut self) {
        let n = self.params.len() + self.slots + 1;
        self.d.write_placeholder(self.sql, n);
    }

    fn bind(&mut self, v: &'a Value) {
        self.placeholder();
        self.params.push(v.as_ref());
    }

    fn column(&mut self, c: &ColumnRef) -> Result<()> {
        if let Some(t) = &c.table {
            self.ident(t, "table")?;
            self.sql.push('.');
        }
        self.ident(&c.name, "column")
    }

    /// A table with its alias, or `(SELECT ...) AS alias`.
    fn table_ref(&mut self, t: &'a crate::sql::TableRef) -> Result<()> {
        match &t.subquery {
            Some(sub) => {
                self.sql.push('(');
                self.select(sub)?;
                self.sql.push(')');
            }
            None => self.ident(&t.name, "table")?,
        }
        if let Some(a) = &t.alias {
            self.sql.push_str(" AS ");
            self.ident(a, "alias")?;
        }
        Ok(())
    }

    fn comma_idents<S: AsRef<str>>(&mut self, names: &[S]) -> Result<()> {
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.ident(n.as_ref(), "column")?;
        }
        Ok(())
    }
}
