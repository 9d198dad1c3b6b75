//! The compiler's statement forms of issue 14: WITH (CTEs, `WITH RECURSIVE`), set operations
//! (`UNION`, `INTERSECT`, `EXCEPT`), window functions (`OVER (...)`), `INSERT ... SELECT` and
//! the per-statement RETURNING check. The shared walk is in `mod.rs`; this file adds the
//! [`Writer`] methods it delegates to.

use super::{exprs, Writer};
use crate::dialect::DmlKind;
use crate::error::{Error, Result};
use crate::sql::{
    Compound, Cte, Expr, FrameBound, FrameUnits, Insert, RankFunction, Select, Window,
};

/// The clauses of a compound `Select` that must stay empty (they would be ambiguous: the
/// operands have their own), with the name an error gives each.
fn compound_extra_clause(s: &Select) -> Option<&'static str> {
    if !s.columns.is_empty() {
        Some("a select list")
    } else if s.from.is_some() || !s.joins.is_empty() {
        Some("FROM / JOIN")
    } else if s.filter.is_some() {
        Some("WHERE")
    } else if !s.group_by.is_empty() || s.having.is_some() {
        Some("GROUP BY / HAVING")
    } else if s.distinct {
        Some("DISTINCT")
    } else if s.lock.is_some() {
        Some("FOR UPDATE")
    } else {
        None
    }
}

impl<'a> Writer<'_, 'a> {
    /// Writes any SELECT: its WITH clause, then its core or its compound. Window functions
    /// are allowed again inside (a subquery in WHERE may use them).
    pub(super) fn select(&mut self, s: &'a Select) -> Result<()> {
        let outer = self.window_ban.take();
        let result = self.select_unbanned(s);
        self.window_ban = outer;
        result
    }

    fn select_unbanned(&mut self, s: &'a Select) -> Result<()> {
        self.with_clause(&s.with)?;
        match &s.compound {
            Some(c) => self.compound(s, c),
            None => self.select_core(s),
        }
    }

    /// Writes `e` in a clause where window functions are refused.
    pub(super) fn expr_in(&mut self, clause: &'static str, e: &'a Expr) -> Result<()> {
        let outer = self.window_ban.replace(clause);
        let result = self.expr(e);
        self.window_ban = outer;
        result
    }

    fn with_clause(&mut self, ctes: &'a [Cte]) -> Result<()> {
        if ctes.is_empty() {
            return Ok(());
        }
        for (i, cte) in ctes.iter().enumerate() {
            if ctes[..i].iter().any(|c| c.name == cte.name) {
                return Err(Error::misuse(format!(
                    "WITH names the common table expression {:?} twice",
                    cte.name
                )));
            }
        }
        self.sql.push_str(if ctes.iter().any(|c| c.recursive) {
            "WITH RECURSIVE "
        } else {
            "WITH "
        });
        for (i, cte) in ctes.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.ident(&cte.name, "common table expression")?;
            if !cte.columns.is_empty() {
                if let Some(width) = cte.query.output_width() {
                    if width != cte.columns.len() {
                        return Err(Error::misuse(format!(
                            "WITH {}: {} column names for a query of {} columns",
                            cte.name,
                            cte.columns.len(),
                            width
                        )));
                    }
                }
                self.sql.push_str(" (");
                self.comma_idents(&cte.columns)?;
                self.sql.push(')');
            }
            self.sql.push_str(" AS (");
            self.select(&cte.query)?;
            self.sql.push(')');
        }
        self.sql.push(' ');
        Ok(())
    }

    /// `first op second op ...` then the compound's ORDER BY / LIMIT / OFFSET.
    fn compound(&mut self, s: &'a Select, c: &'a Compound) -> Result<()> {
        if let Some(clause) = compound_extra_clause(s) {
            return Err(Error::misuse(format!(
                "a compound SELECT ({} ...) cannot have {clause} of its own: give it to an \
                 operand, or select from the compound as a derived table \
                 (Select::from_subquery)",
                c.rest.first().map_or("UNION", |(op, _)| op.keyword())
            )));
        }
        let width = c.first.output_width();
        self.set_operand(&c.first, 1)?;
        for (i, (op, operand)) in c.rest.iter().enumerate() {
            if let (Some(w), Some(ow)) = (width, operand.output_width()) {
                if w != ow {
                    return Err(Error::misuse(format!(
                        "{}: operand {} selects {ow} columns, operand 1 selects {w}",
                        op.keyword(),
                        i + 2
                    )));
                }
            }
            self.sql.push(' ');
            self.sql.push_str(op.keyword());
            self.sql.push(' ');
            self.set_operand(operand, i + 2)?;
        }
        self.order_by(&s.order_by)?;
        if s.limit.is_some() || s.offset.is_some() {
            self.d.write_limit_offset(self.sql, s.limit, s.offset);
        }
        Ok(())
    }

    /// One operand: bare when it is a plain SELECT core; otherwise parenthesized, or, where
    /// the dialect has no parenthesized operands, a derived table `SELECT * FROM (...) AS
    /// "_cN"`. An operand with a WITH clause of its own is a derived table everywhere:
    /// MariaDB refuses `(WITH ...) UNION ...` but takes WITH inside a derived table, as do
    /// the others.
    fn set_operand(&mut self, s: &'a Select, n: usize) -> Result<()> {
        if s.lock.is_some() {
            // PostgreSQL: "FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT"; MariaDB
            // reads `SELECT .. FOR UPDATE UNION ..` as a syntax error. (A subquery, CTE or
            // derived table may lock: both take FOR UPDATE there.)
            return Err(Error::misuse(format!(
                "FOR UPDATE on operand {n} of a set operation: databases lock no rows of a \
                 UNION / INTERSECT / EXCEPT; lock in a query that reads the rows themselves"
            )));
        }
        let plain = s.compound.is_none()
            && s.with.is_empty()
            && s.order_by.is_empty()
            && s.limit.is_none()
            && s.offset.is_none();
        if plain {
            return self.select(s);
        }
        if s.with.is_empty() && self.d.compound_operands_parenthesized() {
            self.sql.push('(');
            self.select(s)?;
            self.sql.push(')');
        } else {
            self.sql.push_str("SELECT * FROM (");
            self.select(s)?;
            self.sql.push_str(") AS ");
            self.ident(&format!("_c{n}"), "alias")?;
        }
        Ok(())
    }

    /// After `INSERT INTO "t"`: ` ("a", "b") SELECT ...`.
    pub(super) fn insert_select(&mut self, s: &'a Insert, query: &'a Select) -> Result<()> {
        if !s.rows.is_empty() {
            return Err(Error::misuse(format!(
                "INSERT INTO {} has both rows of values and a SELECT",
                s.table
            )));
        }
        if let Some(width) = query.output_width() {
            if !s.columns.is_empty() && width != s.columns.len() {
                return Err(Error::misuse(format!(
                    "INSERT INTO {} ... SELECT: {} columns named, the SELECT gives {width}",
                    s.table,
                    s.columns.len()
                )));
            }
        }
        if !s.columns.is_empty() {
            self.sql.push_str(" (");
            self.comma_idents(&s.columns)?;
            self.sql.push(')');
        }
        self.sql.push(' ');
        if s.on_conflict.is_some() && self.d.insert_select_upsert_needs_where() {
            self.sql.push_str("SELECT * FROM (");
            self.select(query)?;
            self.sql.push_str(") AS ");
            self.ident("_s", "alias")?;
            self.sql.push_str(" WHERE 1 = 1");
            return Ok(());
        }
        self.select(query)
    }

    pub(super) fn returning_unsupported(&self, kind: DmlKind) -> Error {
        let others: Vec<&str> = [DmlKind::Insert, DmlKind::Update, DmlKind::Delete]
            .into_iter()
            .filter(|k| self.d.supports_returning_in(*k))
            .map(DmlKind::keyword)
            .collect();
        let has = if others.is_empty() {
            "on no statement".to_owned()
        } else {
            format!("only on {}", others.join(" and "))
        };
        Error::unsupported(format!(
            "the {} dialect does not support {} ... RETURNING (it has RETURNING {has})",
            self.d.name(),
            kind.keyword()
        ))
    }

    /// A ranking function outside OVER: refused.
    pub(super) fn ranking_alone(&mut self, r: RankFunction) -> Result<()> {
        Err(Error::misuse(format!(
            "{} is a window function: it needs OVER (...) (call .over(window))",
            r.sql()
        )))
    }

    /// `func OVER (PARTITION BY .. ORDER BY .. frame)`. Only an aggregate (without
    /// DISTINCT), a ranking function or a function called by name takes OVER; no window
    /// function may sit in its arguments, PARTITION BY or ORDER BY.
    pub(super) fn over(&mut self, func: &'a Expr, window: &'a Window) -> Result<()> {
        if let Some(clause) = self.window_ban {
            return Err(Error::misuse(format!(
                "a window function (... OVER (...)) cannot be used in {clause}: databases \
                 compute window functions over the rows WHERE, GROUP BY and HAVING produced, \
                 once per row of the select list, and reject them elsewhere (nested in \
                 another window too); select it in a subquery or CTE and use the outer \
                 query's column"
            )));
        }
        match func {
            Expr::Ranking(r) => self.sql.push_str(r.sql()),
            Expr::Func {
                func: f, distinct, ..
            } if f.is_aggregate() => {
                if *distinct {
                    return Err(Error::misuse(format!(
                        "{}(DISTINCT ..) OVER (...): databases take no DISTINCT in a window \
                         function",
                        f.name()
                    )));
                }
                self.expr_in("a window function's argument", func)?;
            }
            // A function called by name may be a window or aggregate function (`lag`,
            // `string_agg`): the database decides. An invalid expression reports its own
            // error.
            Expr::CountStar | Expr::Call { .. } | Expr::Invalid(_) => {
                self.expr_in("a window function's argument", func)?
            }
            other => {
                return Err(Error::misuse(format!(
                    "OVER (...) applies to an aggregate (COUNT, SUM, AVG, MIN, MAX), a ranking \
                     function or a function called by name, not to {}",
                    exprs::describe(other)
                )))
            }
        }
        self.sql.push_str(" OVER (");
        let mut space = false;
        if !window.partition_by.is_empty() {
            self.sql.push_str("PARTITION BY ");
            let outer = self.window_ban.replace("a window's PARTITION BY");
            let result = self.exprs(&window.partition_by);
            self.window_ban = outer;
            result?;
            space = true;
        }
        if !window.order_by.is_empty() {
            if space {
                self.sql.push(' ');
            }
            let at = self.sql.len();
            let outer = self.window_ban.replace("a window's ORDER BY");
            let result = self.order_by(&window.order_by);
            self.window_ban = outer;
            result?;
            // `order_by` writes the clause with a leading space.
            self.sql.remove(at);
            space = true;
        }
        if let Some(frame) = &window.frame {
            if frame.start == FrameBound::UnboundedFollowing
                || frame.end == FrameBound::UnboundedPreceding
                || frame.start.rank() > frame.end.rank()
            {
                return Err(Error::misuse(format!(
                    "window frame starts after it ends: {:?} to {:?}",
                    frame.start, frame.end
                )));
            }
            if space {
                self.sql.push(' ');
            }
            self.sql.push_str(match frame.units {
                FrameUnits::Rows => "ROWS BETWEEN ",
                FrameUnits::Range => "RANGE BETWEEN ",
            });
            self.frame_bound(frame.start);
            self.sql.push_str(" AND ");
            self.frame_bound(frame.end);
        }
        self.sql.push(')');
        Ok(())
    }

    fn frame_bound(&mut self, b: FrameBound) {
        match b {
            FrameBound::UnboundedPreceding => self.sql.push_str("UNBOUNDED PRECEDING"),
            FrameBound::UnboundedFollowing => self.sql.push_str("UNBOUNDED FOLLOWING"),
            FrameBound::CurrentRow => self.sql.push_str("CURRENT ROW"),
            FrameBound::Preceding(n) | FrameBound::Following(n) => {
                // A number, not a value: written as a literal like LIMIT.
                crate::dialect::push_u64(self.sql, n);
                self.sql.push_str(if matches!(b, FrameBound::Preceding(_)) {
                    " PRECEDING"
                } else {
                    " FOLLOWING"
                });
            }
        }
    }
}
