//! The expression walk: writes any [`Expr`] (the issue-14 forms are in `exprs.rs`), with
//! the parentheses operands need and the `IS [NOT] NULL` rewrite of a comparison with a bound
//! NULL. Called from the statement writers (`dml.rs`, `statements.rs`).

use super::{exprs, Writer};
use crate::error::{Error, Result};
use crate::sql::{BinOp, Expr};
use crate::value::Value;

/// In a comparison of `left` with `right`, the side compared with a bound NULL, if one side
/// is a bound NULL.
fn null_comparison<'e>(left: &'e Expr, right: &'e Expr) -> Option<&'e Expr> {
    match (left, right) {
        (_, Expr::Value(Value::Null)) => Some(left),
        (Expr::Value(Value::Null), _) => Some(right),
        _ => None,
    }
}

impl<'a> Writer<'_, 'a> {
    pub(super) fn exprs(&mut self, list: &'a [Expr]) -> Result<()> {
        for (i, e) in list.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.expr(e)?;
        }
        Ok(())
    }

    /// Writes an operand, parenthesised when it is itself a compound expression.
    pub(super) fn operand(&mut self, e: &'a Expr) -> Result<()> {
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

    pub(super) fn expr(&mut self, e: &'a Expr) -> Result<()> {
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
            Expr::Subquery(sel) if exprs::scalar_width_mismatch(sel) => {
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
                    if let Some(i) = list.iter().position(exprs::is_row) {
                        return Err(Error::misuse(format!(
                            "entry {} of an IN list is a row value, but the value looked up \
                             is {}: look a row value up among row values",
                            i + 1,
                            exprs::describe(expr)
                        )));
                    }
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
                func.check_call(args.len(), *distinct)?;
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
}
