//! [`SelectQuery`]: typed column and aggregate selects bound to a session (SQLAlchemy 2.0's
//! `session.execute(select(Student.name, func.avg(Enrollment.mark)))`):
//! `session.select((Student::name, avg(Enrollment::mark)))` returns rows as
//! `(String, Option<f64>)` tuples, or as a `#[derive(FromRow)]` struct with
//! [`SelectQuery::all_as`].
//!
//! The builder methods are here, the joins in `joins.rs`, running and reading rows in
//! `run.rs`. The select list comes from core's [`SelectList`]; this module adds FROM (the
//! first item's table unless given), joins over declared relationships, and the session:
//! autoflush, its connection and transaction.

mod joins;
mod run;

use std::marker::PhantomData;

use cinnabar_core::sql::{
    Bindable, Expr, Expression, JoinKind, OrderBy, ReadAs, Select, SelectList, TableRef,
};
use cinnabar_core::types::kind;
use cinnabar_core::{Error, Result};

use crate::model::Model;
use crate::relation::Relation;
use crate::session::Session;

/// A typed select of columns and aggregates bound to a session, made by
/// [`Session::select`]. `L` is the select list (one item or a tuple of 1 to 12); each row
/// is read as `L::Output`.
///
/// ```
/// use cinnabar::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// #[cinnabar(table = "marks")]
/// struct Mark {
///     #[cinnabar(primary_key)]
///     id: Option<i64>,
///     student: String,
///     mark: i64,
/// }
///
/// # fn main() -> cinnabar::Result<()> {
/// let engine = create_engine("sqlite://")?;
/// MetaData::new().with(Mark::table().clone()).create_all(&engine)?;
/// let mut session = Session::new(&engine);
/// for (student, mark) in [("Asha", 80), ("Asha", 90), ("Ravi", 70)] {
///     session.add(Mark { id: None, student: student.into(), mark });
/// }
/// let rows: Vec<(String, Option<f64>, i64)> = session
///     .select((Mark::student, avg(Mark::mark), count_star()))
///     .group_by(Mark::student)
///     .order_by(avg(Mark::mark).desc())
///     .all()?;
/// assert_eq!(rows, [("Asha".to_string(), Some(85.0), 2), ("Ravi".to_string(), Some(70.0), 1)]);
/// # Ok(())
/// # }
/// ```
pub struct SelectQuery<'s, L> {
    session: &'s mut Session,
    select: Select,
    read_as: Vec<ReadAs>,
    error: Option<Error>,
    _list: PhantomData<fn() -> L>,
}

impl Session {
    /// Starts a typed select of columns and aggregates:
    /// `session.select((Student::name, avg(Enrollment::mark)))`. FROM is the table of the
    /// first column the items name (call [`SelectQuery::select_from`] when they name none,
    /// or to start elsewhere); other tables come in with [`SelectQuery::join`].
    pub fn select<L: SelectList>(&mut self, items: L) -> SelectQuery<'_, L> {
        let mut columns = Vec::with_capacity(L::WIDTH);
        let mut read_as = Vec::with_capacity(L::WIDTH);
        items.push_items(&mut columns, &mut read_as);
        let from = columns.iter().find_map(|item| first_table(&item.expr));
        let select = Select {
            columns,
            from: from.map(TableRef::new),
            ..Select::default()
        };
        SelectQuery {
            session: self,
            select,
            read_as,
            error: None,
            _list: PhantomData,
        }
    }
}

/// The table of the first qualified column in `expr`, looking through operators and
/// function calls (not into subqueries, whose tables are their own).
fn first_table(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Column(c) => c.table.as_ref().map(|t| t.to_string()),
        Expr::Binary { left, right, .. } => first_table(left).or_else(|| first_table(right)),
        Expr::Not(e) | Expr::IsNull { expr: e, .. } => first_table(e),
        Expr::Func { args, .. } => args.iter().find_map(first_table),
        Expr::And(es) | Expr::Or(es) => es.iter().find_map(first_table),
        Expr::Between { expr, .. } | Expr::Like { expr, .. } | Expr::InList { expr, .. } => {
            first_table(expr)
        }
        Expr::Cast { expr, .. } | Expr::Extract { expr, .. } | Expr::Neg(expr) => first_table(expr),
        Expr::Call { args, .. } | Expr::Tuple(args) => args.iter().find_map(first_table),
        Expr::Case {
            operand,
            whens,
            else_,
        } => operand
            .as_deref()
            .and_then(first_table)
            .or_else(|| {
                whens
                    .iter()
                    .find_map(|(w, t)| first_table(w).or_else(|| first_table(t)))
            })
            .or_else(|| else_.as_deref().and_then(first_table)),
        Expr::AddDays { date, days } => first_table(date).or_else(|| first_table(days)),
        Expr::Over { func, window } => first_table(func)
            .or_else(|| window.partition_by.iter().find_map(first_table))
            .or_else(|| window.order_by.iter().find_map(|o| first_table(&o.expr))),
        _ => None,
    }
}

impl<'s, L: SelectList> SelectQuery<'s, L> {
    /// Selects FROM `M`'s table instead of the first item's (SQLAlchemy's
    /// `select_from`): for items that name no table (`count_star()`), or to start the joins
    /// elsewhere. Call it before the joins.
    pub fn select_from<M: Model>(mut self) -> Self {
        self.select.from = Some(TableRef::new(M::table().name.as_str()));
        self
    }

    /// Selects FROM a derived table, `(SELECT ...) AS alias` (made by
    /// [`SelectQuery::subquery`] or `TableRef::subquery`): to filter on a window function's
    /// result, or to aggregate an aggregate. Name its columns with
    /// [`Column::of`](cinnabar_core::sql::Column::of)`(alias)`, or with a
    /// `Column::new(alias, name, 0)` for a computed column.
    pub fn from_subquery(mut self, table: TableRef) -> Self {
        self.select.from = Some(table);
        self
    }

    /// Joins through a declared relationship (INNER JOIN): `.join(Enrollment::student)`.
    /// Either side may be the one already in the query (FROM or an earlier join); the other
    /// is joined, so `Student` rows can reach `Enrollment` by `Student::enrollments` or by
    /// `Enrollment::student`. A many-to-many relationship joins its association table too.
    pub fn join<M: Model, R: Model>(self, relation: Relation<M, R>) -> Self {
        self.relation_join(relation, JoinKind::Inner)
    }

    /// As [`SelectQuery::join`], with LEFT OUTER JOIN: rows of the side already in the query
    /// are kept when the other has no match (its columns are then NULL: select them with
    /// [`Column::nullable`](cinnabar_core::sql::Column::nullable)).
    pub fn outer_join<M: Model, R: Model>(self, relation: Relation<M, R>) -> Self {
        self.relation_join(relation, JoinKind::Left)
    }

    /// Joins `M`'s table ON a condition, for tables without a declared relationship:
    /// `.join_on::<Course>(Course::id.eq(Enrollment::course_id))`.
    pub fn join_on<M: Model>(self, on: impl Bindable<kind::Bool>) -> Self {
        self.condition_join::<M>(JoinKind::Inner, on.into_operand())
    }

    /// As [`SelectQuery::join_on`], with LEFT OUTER JOIN.
    pub fn outer_join_on<M: Model>(self, on: impl Bindable<kind::Bool>) -> Self {
        self.condition_join::<M>(JoinKind::Left, on.into_operand())
    }

    /// Adds a WHERE condition (ANDed with earlier ones).
    pub fn filter(mut self, cond: impl Bindable<kind::Bool>) -> Self {
        self.select.add_filter(cond.into_operand());
        self
    }

    /// Adds a GROUP BY term: `.group_by(Course::title)`.
    pub fn group_by(mut self, expr: impl Expression) -> Self {
        self.select.group_by.push(expr.expr());
        self
    }

    /// Adds a HAVING condition (ANDed with earlier ones): `.having(count_star().ge(2))`.
    pub fn having(mut self, cond: impl Bindable<kind::Bool>) -> Self {
        self.select = self.select.having(cond.into_operand());
        self
    }

    /// Adds an ORDER BY term: a column (ascending), `Student::name.desc()`, or an aggregate
    /// (`avg(Enrollment::mark).desc()`).
    pub fn order_by(mut self, order: impl Into<OrderBy>) -> Self {
        self.select.order_by.push(order.into());
        self
    }

    /// `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.select.distinct = true;
        self
    }

    /// Sets LIMIT.
    pub fn limit(mut self, n: u64) -> Self {
        self.select.limit = Some(n);
        self
    }

    /// Sets OFFSET.
    pub fn offset(mut self, n: u64) -> Self {
        self.select.offset = Some(n);
        self
    }

    /// The core SELECT this query runs, for use inside other statements (EXISTS, IN, a
    /// derived table, a CTE).
    ///
    /// # Errors
    /// What a builder method recorded (a join whose tables are not in the query), or
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when FROM is unknown.
    pub fn statement(&self) -> Result<Select> {
        if let Some(e) = &self.error {
            return Err(Error::new(e.kind(), e.message()));
        }
        check_from(&self.select)?;
        Ok(self.select.clone())
    }

    /// This query as a derived table, `(SELECT ...) AS alias`, to select or join from.
    ///
    /// # Errors
    /// As [`SelectQuery::statement`].
    pub fn subquery(&self, alias: &'static str) -> Result<TableRef> {
        Ok(TableRef::subquery(self.statement()?, alias))
    }
}

/// FROM must be known before the statement runs or is used.
fn check_from(select: &Select) -> Result<()> {
    if select.from.is_some() {
        return Ok(());
    }
    Err(Error::misuse(
        "a column select needs a FROM table: none of the selected items names a column; \
         call .select_from::<Model>()",
    ))
}
