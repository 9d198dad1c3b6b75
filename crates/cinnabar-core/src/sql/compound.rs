//! Set operations: `UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT` (SQLAlchemy's `union()`,
//! `union_all()`, `intersect()`, `except_()`).
//!
//! A compound is a [`Select`] whose [`compound`](Select::compound) field holds the operands,
//! and whose own ORDER BY / LIMIT / OFFSET (and WITH clause) apply to the whole compound.
//! Why a field of `Select` rather than a `Statement` variant of its own: a compound is then
//! accepted everywhere a `Select` is, with no conversion and no second code path — as a
//! statement, a derived table ([`Select::from_subquery`]), a CTE body (the recursive CTE's
//! `anchor UNION ALL step`), `IN (subquery)`, `EXISTS`, an INSERT's rows — and the ORM and
//! the other builders need not know it exists. The price is that a compound `Select` must
//! leave its other clauses (columns, FROM, WHERE, ...) empty; the compiler refuses one that
//! does not, naming the clause.
//!
//! How an operand is written is a dialect capability
//! ([`Dialect::compound_operands_parenthesized`](crate::dialect::Dialect::compound_operands_parenthesized)):
//! an operand with its own ORDER BY / LIMIT / OFFSET, or a nested compound, is written
//! `(SELECT ...)` on PostgreSQL and MariaDB, and `SELECT * FROM (SELECT ...) AS "_c2"` on
//! SQLite, whose grammar has no parenthesized operands. An operand with a WITH clause of its
//! own is such a derived table on every dialect (MariaDB refuses `(WITH ...) UNION ...`).
//! Compiled by `dialect/compiler/statements.rs`.

use super::select::Select;

/// A set operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    /// `UNION`: rows of either operand, duplicates removed.
    Union,
    /// `UNION ALL`: rows of either operand, duplicates kept.
    UnionAll,
    /// `INTERSECT`: rows in both operands (MariaDB since 10.3).
    Intersect,
    /// `EXCEPT`: rows of the left operand not in the right one (MariaDB since 10.3).
    Except,
}

impl SetOp {
    /// The operator's SQL keyword(s).
    pub fn keyword(self) -> &'static str {
        match self {
            SetOp::Union => "UNION",
            SetOp::UnionAll => "UNION ALL",
            SetOp::Intersect => "INTERSECT",
            SetOp::Except => "EXCEPT",
        }
    }
}

/// The operands of a compound SELECT: `first op1 rest[0] op2 rest[1] ...`, evaluated left to
/// right (the builders nest an operand where a database's precedence would differ).
#[derive(Debug, Clone, PartialEq)]
pub struct Compound {
    /// The first operand.
    pub first: Select,
    /// Each further operand with the operator before it.
    pub rest: Vec<(SetOp, Select)>,
}

impl Select {
    /// `self UNION other`.
    ///
    /// ORDER BY / LIMIT / OFFSET set on the result apply to the whole compound; those set on
    /// `self` or `other` before stay with that operand.
    ///
    /// ```
    /// use cinnabar_core::dialect::{compile, PostgresDialect, SqliteDialect};
    /// use cinnabar_core::sql::{ColumnRef, Expr, OrderBy, Select};
    ///
    /// let name = || Expr::Column(ColumnRef::bare("name"));
    /// let q = Select::from("students")
    ///     .column(name())
    ///     .union(Select::from("teachers").column(name()))
    ///     .order_by(OrderBy { expr: name(), desc: false })
    ///     .limit(10);
    /// let c = compile(&SqliteDialect, &q.into()).unwrap();
    /// assert_eq!(
    ///     c.sql,
    ///     r#"SELECT "name" FROM "students" UNION SELECT "name" FROM "teachers" ORDER BY "name" LIMIT 10"#
    /// );
    /// ```
    pub fn union(self, other: Select) -> Select {
        self.set_op(SetOp::Union, other)
    }

    /// `self UNION ALL other` (see [`union`](Select::union)).
    pub fn union_all(self, other: Select) -> Select {
        self.set_op(SetOp::UnionAll, other)
    }

    /// `self INTERSECT other` (see [`union`](Select::union)).
    pub fn intersect(self, other: Select) -> Select {
        self.set_op(SetOp::Intersect, other)
    }

    /// `self EXCEPT other` (see [`union`](Select::union)).
    pub fn except(self, other: Select) -> Select {
        self.set_op(SetOp::Except, other)
    }

    /// `self op other`. A chain `a.union(b).union_all(c)` stays one flat compound; the left
    /// side becomes a nested operand when it has its own ORDER BY / LIMIT / OFFSET / WITH, or
    /// when `op` is INTERSECT after another operator (PostgreSQL and MariaDB bind INTERSECT
    /// tighter, SQLite reads left to right: nesting makes all three read the chain left to
    /// right, as it was built).
    pub fn set_op(self, op: SetOp, other: Select) -> Select {
        if let Some(compound) = &self.compound {
            let bare = self.with.is_empty()
                && self.order_by.is_empty()
                && self.limit.is_none()
                && self.offset.is_none();
            let precedence_safe =
                op != SetOp::Intersect || compound.rest.iter().all(|(o, _)| *o == SetOp::Intersect);
            if bare && precedence_safe {
                let mut this = self;
                if let Some(c) = this.compound.as_mut() {
                    c.rest.push((op, other));
                }
                return this;
            }
        }
        Select {
            compound: Some(Box::new(Compound {
                first: self,
                rest: vec![(op, other)],
            })),
            ..Select::default()
        }
    }

    /// Whether this is a compound SELECT (`UNION`, ...).
    pub fn is_compound(&self) -> bool {
        self.compound.is_some()
    }

    /// How many columns the statement returns, when its select list says (`None` for
    /// `SELECT *`); a compound's is its first operand's.
    pub fn output_width(&self) -> Option<usize> {
        match &self.compound {
            Some(c) => c.first.output_width(),
            None if self.columns.is_empty() => None,
            None => Some(self.columns.len()),
        }
    }
}
