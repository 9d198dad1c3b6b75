//! Compiles statements to SQL text plus an ordered list of bound values, for any [`Dialect`].
//!
//! The walk is shared; every point where databases differ is a [`Dialect`] method. Values are
//! never written into the SQL: each becomes a placeholder and is pushed to
//! [`Compiled::params`]. A bound NULL compared with `=` / `<>` is written `IS [NOT] NULL`.

mod exprs;
mod statements;

use super::identifiers::check_with;
use super::{Dialect, DmlKind, IdentifierLimit};
use crate::error::{Error, Result};
use crate::sql::{
    BinOp, ColumnRef, Delete, Expr, Insert, JoinKind, OnConflict, OrderBy, Select, Statement, Text,
    TextPiece, Update,
};
use crate::value::{Value, ValueRef};

/// A compiled statement: SQL text and the values for its placeholders, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// SQL text with dialect placeholders.
    pub sql: String,
    /// Bound values, in placeholder order.
    pub params: Vec<Value>,
    /// Number of [`Expr::Param`] slots, whose values the caller supplies at execution.
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

/// In a comparison of `left` with `right`, the side compared with a bound NULL, if one side
/// is a bound NULL.
fn null_comparison<'e>(left: &'e Expr, right: &'e Expr) -> Option<&'e Expr> {
    match (left, right) {
        (_, Expr::Value(Value::Null)) => Some(left),
        (Expr::Value(Value::Null), _) => Some(right),
        _ => None,
    }
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

    fn exprs(&mut self, list: &'a [Expr]) -> Result<()> {
        for (i, e) in list.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.expr(e)?;
        }
        Ok(())
    }

    /// Writes an operand, parenthesised when it is itself a compound expression.
    fn operand(&mut self, e: &'a Expr) -> Result<()> {
        let compound = matches!(
            e,
            Expr::Binary { .. }
                | Expr::And(_)
                | Expr::Or(_)
                | Expr::Not(_)
                | Expr::IsNull { .. }
                | Expr::InList { .. }
                | Expr::InSelect { .. }
                | Expr::Between { .. }
                | Expr::Like { .. }
        );
        if compound {
            self.sql.push('(');
            self.expr(e)?;
            self.sql.push(')');
            Ok(())
        } else {
            self.expr(e)
        }
    }

    fn expr(&mut self, e: &'a Expr) -> Result<()> {
        match e {
            Expr::Column(c) => self.column(c)?,
            Expr::Value(v) => self.bind(v),
            Expr::Param => {
                self.placeholder();
                self.slots += 1;
            }
            Expr::Binary { op, left, right } if exprs::is_row(left) || exprs::is_row(right) => {
                self.row_comparison(*op, left, right)?
            }
            Expr::Binary {
                op: BinOp::IntDiv,
                left,
                right,
            } => self.int_div(left, right)?,
            Expr::InList {
                expr,
                list,
                negated,
            } if exprs::is_row(expr) => self.row_in_list(expr, list, *negated)?,
            Expr::InSelect { expr, select, .. }
                if exprs::in_select_width_mismatch(expr, select) =>
            {
                return Err(exprs::in_select_width_error(expr, select))
            }
            Expr::Subquery(sel) if sel.columns.len() != 1 => {
                return Err(exprs::scalar_width_error(sel))
            }
            Expr::Case { .. }
            | Expr::Cast { .. }
            | Expr::Call { .. }
            | Expr::Neg(_)
            | Expr::Tuple(_)
            | Expr::Extract { .. }
            | Expr::CurrentDate
            | Expr::CurrentTimestamp
            | Expr::AddDays { .. } => self.expr_ext(e)?,
            Expr::Binary { op, left, right } => {
                if let (BinOp::Eq | BinOp::Ne, Some(other)) = (op, null_comparison(left, right)) {
                    // `x = NULL` is never true: a comparison with a bound NULL is
                    // `x IS [NOT] NULL`, as SQLAlchemy renders `col == None`.
                    self.operand(other)?;
                    self.sql.push_str(if *op == BinOp::Ne {
                        " IS NOT NULL"
                    } else {
                        " IS NULL"
                    });
                } else if *op == BinOp::Concat && self.d.concat_is_function() {
                    self.sql.push_str("CONCAT(");
                    self.expr(left)?;
                    self.sql.push_str(", ");
                    self.expr(right)?;
                    self.sql.push(')');
                } else {
                    self.operand(left)?;
                    self.sql.push_str(op.token());
                    self.operand(right)?;
                }
            }
            Expr::Not(inner) => {
                self.sql.push_str("NOT ");
                self.operand(inner)?;
            }
            Expr::IsNull { expr, negated } => {
                self.operand(expr)?;
                self.sql
                    .push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                if list.is_empty() {
                    self.sql.push_str(if *negated { "1 = 1" } else { "1 <> 1" });
                } else {
                    self.operand(expr)?;
                    self.sql
                        .push_str(if *negated { " NOT IN (" } else { " IN (" });
                    self.exprs(list)?;
                    self.sql.push(')');
                }
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                self.operand(expr)?;
                self.sql.push_str(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                });
                self.operand(low)?;
                self.sql.push_str(" AND ");
                self.operand(high)?;
            }
            Expr::Like {
                expr,
                pattern,
                negated,
            } => {
                self.operand(expr)?;
                self.sql
                    .push_str(if *negated { " NOT LIKE " } else { " LIKE " });
                self.operand(pattern)?;
            }
            Expr::Func {
                func,
                args,
                distinct,
            } => {
                self.sql.push_str(func.name());
                self.sql.push('(');
                if *distinct {
                    self.sql.push_str("DISTINCT ");
                }
                self.exprs(args)?;
                self.sql.push(')');
            }
            Expr::CountStar => self.sql.push_str("COUNT(*)"),
            Expr::And(list) | Expr::Or(list) if list.is_empty() => {
                let is_and = matches!(e, Expr::And(_));
                self.sql.push_str(if is_and { "1 = 1" } else { "1 <> 1" });
            }
            Expr::And(list) | Expr::Or(list) => {
                let sep = if matches!(e, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, item) in list.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(sep);
                    }
                    self.operand(item)?;
                }
            }
            Expr::InSelect {
                expr,
                select,
                negated,
            } => {
                self.operand(expr)?;
                self.sql
                    .push_str(if *negated { " NOT IN (" } else { " IN (" });
                self.select(select)?;
                self.sql.push(')');
            }
            Expr::Exists(sel) => {
                self.sql.push_str("EXISTS (");
                self.select(sel)?;
                self.sql.push(')');
            }
            Expr::Subquery(sel) => {
                self.sql.push('(');
                self.select(sel)?;
                self.sql.push(')');
            }
            Expr::Invalid(msg) => return Err(Error::conversion(msg.clone())),
            Expr::Ranking(r) => self.ranking_alone(*r)?,
            Expr::Over { func, window } => self.over(func, window)?,
        }
        Ok(())
    }

    fn where_clause(&mut self, filter: &'a Option<Expr>) -> Result<()> {
        if let Some(f) = filter {
            self.sql.push_str(" WHERE ");
            self.expr_in("WHERE", f)?;
        }
        Ok(())
    }

    fn order_by(&mut self, list: &'a [OrderBy]) -> Result<()> {
        for (i, o) in list.iter().enumerate() {
            self.sql.push_str(if i == 0 { " ORDER BY " } else { ", " });
            self.operand(&o.expr)?;
            if o.desc {
                self.sql.push_str(" DESC");
            }
        }
        Ok(())
    }

    fn returning<S: AsRef<str>>(&mut self, kind: DmlKind, cols: &[S]) -> Result<()> {
        if cols.is_empty() {
            return Ok(());
        }
        if !self.d.supports_returning_in(kind) {
            return Err(self.returning_unsupported(kind));
        }
        self.sql.push_str(" RETURNING ");
        self.comma_idents(cols)
    }

    /// A SELECT core: everything but WITH and set operations (see `statements.rs`).
    fn select_core(&mut self, s: &'a Select) -> Result<()> {
        self.sql.push_str("SELECT ");
        if s.distinct {
            self.sql.push_str("DISTINCT ");
        }
        if s.columns.is_empty() {
            self.sql.push('*');
        }
        for (i, item) in s.columns.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.expr(&item.expr)?;
            if let Some(a) = &item.alias {
                self.sql.push_str(" AS ");
                self.ident(a, "alias")?;
            }
        }
        if let Some(from) = &s.from {
            self.sql.push_str(" FROM ");
            self.table_ref(from)?;
        }
        for j in &s.joins {
            self.sql.push_str(match j.kind {
                JoinKind::Inner => " JOIN ",
                JoinKind::Left => " LEFT OUTER JOIN ",
                JoinKind::Right => " RIGHT OUTER JOIN ",
            });
            self.table_ref(&j.table)?;
            self.sql.push_str(" ON ");
            self.expr_in("JOIN ... ON", &j.on)?;
        }
        self.where_clause(&s.filter)?;
        if !s.group_by.is_empty() {
            self.sql.push_str(" GROUP BY ");
            let outer = self.window_ban.replace("GROUP BY");
            self.exprs(&s.group_by)?;
            self.window_ban = outer;
        }
        if let Some(h) = &s.having {
            self.sql.push_str(" HAVING ");
            self.expr_in("HAVING", h)?;
        }
        self.order_by(&s.order_by)?;
        if s.limit.is_some() || s.offset.is_some() {
            self.d.write_limit_offset(self.sql, s.limit, s.offset);
        }
        if let Some(lock) = s.lock {
            self.d.write_row_lock(self.sql, lock);
        }
        Ok(())
    }

    fn insert(&mut self, s: &'a Insert) -> Result<()> {
        self.sql.push_str("INSERT INTO ");
        self.ident(&s.table, "table")?;
        if let Some(query) = &s.select {
            self.insert_select(s, query)?;
        } else if s.columns.is_empty() {
            if s.rows.iter().any(|r| !r.is_empty()) {
                return Err(Error::misuse(format!(
                    "INSERT INTO {} has values but no columns",
                    s.table
                )));
            }
            self.sql.push_str(self.d.default_values_clause());
        } else {
            self.sql.push_str(" (");
            self.comma_idents(&s.columns)?;
            self.sql.push_str(") VALUES ");
            if s.rows.is_empty() {
                return Err(Error::misuse(format!(
                    "INSERT INTO {} has columns but no rows",
                    s.table
                )));
            }
            for (i, row) in s.rows.iter().enumerate() {
                if row.len() != s.columns.len() {
                    return Err(Error::misuse(format!(
                        "INSERT INTO {}: row {} has {} values for {} columns",
                        s.table,
                        i + 1,
                        row.len(),
                        s.columns.len()
                    )));
                }
                if i > 0 {
                    self.sql.push_str(", ");
                }
                self.sql.push('(');
                self.exprs(row)?;
                self.sql.push(')');
            }
        }
        self.on_conflict(s)?;
        self.returning(DmlKind::Insert, &s.returning)
    }

    fn on_conflict(&mut self, s: &'a Insert) -> Result<()> {
        if let Some(oc) = &s.on_conflict {
            let (OnConflict::DoNothing { target } | OnConflict::Update { target, .. }) = oc;
            let updated = match oc {
                OnConflict::Update { columns, .. } => columns.as_slice(),
                OnConflict::DoNothing { .. } => &[],
            };
            for c in target.iter().chain(updated) {
                check_with(self.d, self.limit, c, "column")?;
            }
            match &s.select {
                Some(_) => self
                    .d
                    .write_on_conflict_after_select(self.sql, &s.table, oc, &s.columns)?,
                None => self.d.write_on_conflict(self.sql, oc, &s.columns)?,
            }
        }
        Ok(())
    }

    fn update(&mut self, s: &'a Update) -> Result<()> {
        if s.set.is_empty() {
            return Err(Error::misuse(format!(
                "UPDATE {} has no SET assignments",
                s.table
            )));
        }
        self.sql.push_str("UPDATE ");
        self.ident(&s.table, "table")?;
        self.sql.push_str(" SET ");
        for (i, (col, e)) in s.set.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.ident(col, "column")?;
            self.sql.push_str(" = ");
            self.expr_in("UPDATE ... SET", e)?;
        }
        self.where_clause(&s.filter)?;
        self.returning(DmlKind::Update, &s.returning)
    }

    fn delete(&mut self, s: &'a Delete) -> Result<()> {
        self.sql.push_str("DELETE FROM ");
        self.ident(&s.table, "table")?;
        self.where_clause(&s.filter)?;
        self.returning(DmlKind::Delete, &s.returning)
    }

    fn text(&mut self, t: &'a Text) -> Result<()> {
        if let Some(e) = &t.error {
            return Err(Error::conversion(e.clone()));
        }
        for piece in crate::sql::text::pieces(&t.sql, self.d.lex_rules()) {
            match piece {
                TextPiece::Sql(s) => self.sql.push_str(s),
                TextPiece::Param(name) => {
                    let v = t.value_of(name)?;
                    self.bind(v);
                }
            }
        }
        Ok(())
    }
}
