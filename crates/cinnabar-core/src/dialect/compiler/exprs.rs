//! Rendering of the issue-14 expressions: CASE, CAST, calls of any function by name, unary
//! minus, row values (and their AND/OR expansion where the dialect has none), date parts,
//! the current date and timestamp, date arithmetic and integer division; and the checks of
//! scalar and IN subqueries' widths. Called from [`Writer::expr`](super::Writer).

use super::Writer;
use crate::dialect::CastSpelling;
use crate::error::{Error, Result};
use crate::sql::{check_function_name, BinOp, Expr, Select};
use crate::value::Value;

/// Whether `e` is a row value.
pub(super) fn is_row(e: &Expr) -> bool {
    matches!(e, Expr::Tuple(_))
}

/// The number of values `e` stands for in a comparison: a row value's width, else 1.
fn width(e: &Expr) -> usize {
    match e {
        Expr::Tuple(items) => items.len(),
        _ => 1,
    }
}

/// Whether `expr IN (select)` compares a different number of values than the select has
/// columns (a set operation's width is its first operand's; `SELECT *` is not checked: its
/// width is the table's).
pub(super) fn in_select_width_mismatch(expr: &Expr, select: &Select) -> bool {
    select.output_width().is_some_and(|w| w != width(expr))
}

/// The error for [`in_select_width_mismatch`].
pub(super) fn in_select_width_error(expr: &Expr, select: &Select) -> Error {
    Error::misuse(format!(
        "IN (subquery) compares {} value(s) with a subquery of {} column(s)",
        width(expr),
        select.output_width().unwrap_or(0)
    ))
}

/// Whether a scalar subquery selects other than exactly one column (a set operation's
/// width is its first operand's; `SELECT *` is refused: its width is not known here).
pub(super) fn scalar_width_mismatch(select: &Select) -> bool {
    select.output_width() != Some(1)
}

/// The error for [`scalar_width_mismatch`].
pub(super) fn scalar_width_error(select: &Select) -> Error {
    Error::misuse(format!(
        "a scalar subquery must select exactly one column, this one selects {}",
        match select.output_width() {
            None => "* (all columns)".to_owned(),
            Some(n) => n.to_string(),
        }
    ))
}

/// What `e` is, for messages that name a construct used where it does not belong.
pub(super) fn describe(e: &Expr) -> String {
    let s = match e {
        Expr::Column(_) => "a column",
        Expr::Value(_) => "a value",
        Expr::Param => "a parameter slot",
        Expr::Binary { op, .. } => {
            return format!("an operator expression ({})", op.token().trim())
        }
        Expr::Not(_) | Expr::And(_) | Expr::Or(_) => "a condition (AND / OR / NOT)",
        Expr::IsNull { .. } => "IS NULL",
        Expr::InList { .. } => "IN (list)",
        Expr::Between { .. } => "BETWEEN",
        Expr::Like { .. } => "LIKE",
        Expr::Func { func, .. } => return format!("{}(..)", func.name()),
        Expr::CountStar => "COUNT(*)",
        Expr::Exists(_) => "EXISTS (subquery)",
        Expr::InSelect { .. } => "IN (subquery)",
        Expr::Subquery(_) => "a scalar subquery",
        Expr::Invalid(_) => "an invalid expression",
        Expr::Ranking(r) => return r.sql().to_owned(),
        Expr::Over { .. } => "a window function (.. OVER (..))",
        Expr::Case { .. } => "a CASE expression",
        Expr::Cast { .. } => "a CAST",
        Expr::Call { name, .. } => return format!("{name}(..)"),
        Expr::Neg(_) => "unary minus",
        Expr::Tuple(_) => "a row value",
        Expr::Extract { .. } => "a date part (extract)",
        Expr::CurrentDate => "CURRENT_DATE",
        Expr::CurrentTimestamp => "CURRENT_TIMESTAMP",
        Expr::AddDays { .. } => "date arithmetic (add_days)",
    };
    s.to_owned()
}

/// Whether a negated operand needs parentheses (`-(a + b)`, `-(-a)`: `--` starts a comment).
fn neg_needs_parens(e: &Expr) -> bool {
    !matches!(
        e,
        Expr::Column(_)
            | Expr::Value(_)
            | Expr::Param
            | Expr::Func { .. }
            | Expr::Call { .. }
            | Expr::Cast { .. }
            | Expr::Case { .. }
            | Expr::Subquery(_)
            | Expr::Extract { .. }
            | Expr::CountStar
    )
}

impl<'a> Writer<'_, 'a> {
    /// The variants added for issue 14 (see [`Expr`]).
    pub(super) fn expr_ext(&mut self, e: &'a Expr) -> Result<()> {
        match e {
            Expr::Case {
                operand,
                whens,
                else_,
            } => self.case(operand.as_deref(), whens, else_.as_deref())?,
            Expr::Cast { expr, to } => {
                let spelling = self.d.cast_spelling(*to).ok_or_else(|| {
                    Error::unsupported(format!(
                        "{} has no CAST to {to:?}: convert the value in Rust or use another type",
                        self.d.name()
                    ))
                })?;
                match spelling {
                    CastSpelling::Type(name) => {
                        self.sql.push_str("CAST(");
                        self.typed_value(expr, true)?;
                        self.sql.push_str(" AS ");
                        self.sql.push_str(&name);
                        self.sql.push(')');
                    }
                    CastSpelling::Wrap(before, after) => {
                        self.sql.push_str(before);
                        self.expr(expr)?;
                        self.sql.push_str(after);
                    }
                }
            }
            Expr::Call { name, args } => {
                check_function_name(name)?;
                self.sql.push_str(name);
                self.sql.push('(');
                self.exprs(args)?;
                self.sql.push(')');
            }
            Expr::Neg(inner) => {
                self.sql.push('-');
                if neg_needs_parens(inner) {
                    self.sql.push('(');
                    self.expr(inner)?;
                    self.sql.push(')');
                } else {
                    self.expr(inner)?;
                }
            }
            Expr::Tuple(items) => {
                if !self.d.supports_row_values() {
                    return Err(Error::unsupported(format!(
                        "{} has no row values, so a row value cannot be compared with a \
                         subquery here",
                        self.d.name()
                    )));
                }
                if items.is_empty() {
                    return Err(Error::misuse("a row value needs at least one expression"));
                }
                self.sql.push('(');
                self.exprs(items)?;
                self.sql.push(')');
            }
            Expr::Extract { part, expr } => {
                let (before, after) = self.d.extract_template(*part);
                self.sql.push_str(before);
                self.expr(expr)?;
                self.sql.push_str(after);
            }
            Expr::CurrentDate => self.sql.push_str(self.d.current_date_sql()),
            Expr::CurrentTimestamp => self.sql.push_str(self.d.current_timestamp_sql()),
            Expr::AddDays { date, days } => {
                let [before, between, after] = self.d.add_days_template();
                self.sql.push_str(before);
                self.operand(date)?;
                self.sql.push_str(between);
                self.operand(days)?;
                self.sql.push_str(after);
            }
            other => {
                return Err(Error::misuse(format!(
                    "internal: {other:?} is not an extended expression"
                )))
            }
        }
        Ok(())
    }

    /// Writes `e`; a bound value as `CAST(? AS type)` where the dialect needs parameter types
    /// ([`Dialect::bound_value_type`](crate::dialect::Dialect::bound_value_type)). Text is
    /// cast only when `text` is set: an untyped text parameter adapts to the other results
    /// of a CASE (a date column, say), while a CAST's operand must say it is text.
    fn typed_value(&mut self, e: &'a Expr, text: bool) -> Result<()> {
        if let Expr::Value(v) = e {
            if text || !matches!(v, Value::Text(_)) {
                if let Some(ty) = self.d.bound_value_type(v.as_ref()) {
                    self.sql.push_str("CAST(");
                    self.bind(v);
                    self.sql.push_str(" AS ");
                    self.sql.push_str(ty);
                    self.sql.push(')');
                    return Ok(());
                }
            }
        }
        self.expr(e)
    }

    fn case(
        &mut self,
        operand: Option<&'a Expr>,
        whens: &'a [(Expr, Expr)],
        else_: Option<&'a Expr>,
    ) -> Result<()> {
        if whens.is_empty() {
            return Err(Error::misuse(
                "CASE has no WHEN: add at least one .when(..) before using it",
            ));
        }
        self.sql.push_str("CASE");
        if let Some(op) = operand {
            self.sql.push(' ');
            self.operand(op)?;
        }
        for (when, then) in whens {
            self.sql.push_str(" WHEN ");
            self.expr(when)?;
            self.sql.push_str(" THEN ");
            self.typed_value(then, false)?;
        }
        if let Some(e) = else_ {
            self.sql.push_str(" ELSE ");
            self.typed_value(e, false)?;
        }
        self.sql.push_str(" END");
        Ok(())
    }

    /// `left / right` or `left DIV right`.
    pub(super) fn int_div(&mut self, left: &'a Expr, right: &'a Expr) -> Result<()> {
        self.operand(left)?;
        self.sql.push_str(self.d.integer_division_operator());
        self.operand(right)
    }

    /// A comparison with a row value on either side: `(a, b) > (?, ?)`, or where the
    /// dialect has no row values (or, for `<`, `<=`, `>`, `>=`, does not plan them as index
    /// ranges), `a > ? OR (a = ? AND b > ?)`.
    pub(super) fn row_comparison(
        &mut self,
        op: BinOp,
        left: &'a Expr,
        right: &'a Expr,
    ) -> Result<()> {
        let strict = match op {
            BinOp::Eq | BinOp::Ne => op,
            BinOp::Lt | BinOp::Le => BinOp::Lt,
            BinOp::Gt | BinOp::Ge => BinOp::Gt,
            other => {
                return Err(Error::misuse(format!(
                    "row values are compared with =, <>, <, <=, > or >=, not{}",
                    other.token().trim_end()
                )))
            }
        };
        let (l, r) = match (left, right) {
            (Expr::Tuple(l), Expr::Tuple(r)) => (l, r),
            (Expr::Tuple(_), other) | (other, Expr::Tuple(_)) => {
                return self.row_against_subquery(op, left, right, other)
            }
            _ => {
                return Err(Error::misuse(
                    "internal: a row comparison without a row value",
                ))
            }
        };
        if l.len() != r.len() || l.is_empty() {
            return Err(Error::misuse(format!(
                "a row value of {} compared with a row value of {}",
                l.len(),
                r.len()
            )));
        }
        let ordering = !matches!(op, BinOp::Eq | BinOp::Ne);
        let native = !ordering || self.d.row_value_ranges_use_indexes();
        if self.d.supports_row_values() && native {
            self.expr(left)?;
            self.sql.push_str(op.token());
            return self.expr(right);
        }
        match op {
            BinOp::Eq | BinOp::Ne => {
                let sep = if op == BinOp::Eq { " AND " } else { " OR " };
                for (i, (a, b)) in l.iter().zip(r).enumerate() {
                    if i > 0 {
                        self.sql.push_str(sep);
                    }
                    self.pair(a, op, b)?;
                }
            }
            _ => {
                // (l1 s r1) OR (l1 = r1 AND l2 s r2) OR ... with the last position
                // compared by `op` itself (so `>=` includes equal rows).
                for n in 0..l.len() {
                    if n > 0 {
                        self.sql.push_str(" OR ");
                    }
                    let last_op = if n + 1 == l.len() { op } else { strict };
                    if n > 0 {
                        self.sql.push('(');
                    }
                    for i in 0..n {
                        self.pair(&l[i], BinOp::Eq, &r[i])?;
                        self.sql.push_str(" AND ");
                    }
                    self.pair(&l[n], last_op, &r[n])?;
                    if n > 0 {
                        self.sql.push(')');
                    }
                }
            }
        }
        Ok(())
    }

    /// `(a, b) op (SELECT x, y ...)` (either way round): the subquery must select as many
    /// columns as the row value holds; any other single value is refused.
    fn row_against_subquery(
        &mut self,
        op: BinOp,
        left: &'a Expr,
        right: &'a Expr,
        other: &'a Expr,
    ) -> Result<()> {
        let row = if is_row(left) { left } else { right };
        let Expr::Subquery(sel) = other else {
            return Err(Error::misuse(format!(
                "a row value of {} compared with {}: compare a row value with a row value or \
                 a subquery of as many columns",
                width(row),
                describe(other)
            )));
        };
        if sel.output_width() != Some(width(row)) {
            return Err(Error::misuse(format!(
                "a row value of {} compared with a subquery of {} column(s)",
                width(row),
                sel.output_width()
                    .map_or_else(|| "* (all)".to_owned(), |w| w.to_string())
            )));
        }
        for (i, side) in [left, right].into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(op.token());
            }
            if let Expr::Subquery(s) = side {
                self.sql.push('(');
                self.select(s)?;
                self.sql.push(')');
            } else {
                self.expr(side)?;
            }
        }
        Ok(())
    }

    /// `a op b` without the `IS NULL` rewrite of a bound NULL: in a row value a NULL makes the
    /// comparison unknown, the same with or without the expansion.
    fn pair(&mut self, a: &'a Expr, op: BinOp, b: &'a Expr) -> Result<()> {
        self.operand(a)?;
        self.sql.push_str(op.token());
        self.operand(b)
    }

    /// `(a, b) [NOT] IN ((?, ?), ...)`, or where the dialect has no row values
    /// `[NOT] ((a = ? AND b = ?) OR ...)`.
    pub(super) fn row_in_list(
        &mut self,
        expr: &'a Expr,
        list: &'a [Expr],
        negated: bool,
    ) -> Result<()> {
        let n = width(expr);
        for (i, row) in list.iter().enumerate() {
            if width(row) != n || !is_row(row) {
                return Err(Error::misuse(format!(
                    "row {} of an IN list has {} value(s) for a row value of {n}",
                    i + 1,
                    width(row)
                )));
            }
        }
        if list.is_empty() {
            self.sql.push_str(if negated { "1 = 1" } else { "1 <> 1" });
            return Ok(());
        }
        if self.d.supports_row_values() {
            self.expr(expr)?;
            self.sql
                .push_str(if negated { " NOT IN (" } else { " IN (" });
            self.exprs(list)?;
            self.sql.push(')');
            return Ok(());
        }
        let Expr::Tuple(left) = expr else {
            return Err(Error::misuse("IN over row values needs a row value"));
        };
        self.sql.push_str(if negated { "NOT (" } else { "(" });
        for (i, row) in list.iter().enumerate() {
            let Expr::Tuple(right) = row else {
                continue;
            };
            if i > 0 {
                self.sql.push_str(" OR ");
            }
            self.sql.push('(');
            for (j, (a, b)) in left.iter().zip(right).enumerate() {
                if j > 0 {
                    self.sql.push_str(" AND ");
                }
                self.pair(a, BinOp::Eq, b)?;
            }
            self.sql.push(')');
        }
        self.sql.push(')');
        Ok(())
    }
}
