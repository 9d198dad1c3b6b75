//! The portable date and time functions: today's date and the current timestamp (both in
//! UTC), the parts of a date or timestamp as integers, and adding days to a date.
//!
//! Each is one [`Expr`] variant that every dialect renders its own way (SQLite's
//! `strftime`, PostgreSQL's `EXTRACT`, MariaDB's `EXTRACT`/`DATE_ADD`); see
//! [`Dialect::extract_template`](crate::dialect::Dialect::extract_template). Re-exported by
//! the facade as `cinnabar::func`.

use super::expr::Expr;
use super::typed::{Bindable, Expression, TypedExpr};
use crate::types::kind;

/// A part of a date or timestamp, extracted as an integer by [`Expr::Extract`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatePart {
    /// The year (e.g. 2024).
    Year,
    /// The month, 1 to 12.
    Month,
    /// The day of the month, 1 to 31.
    Day,
    /// The hour, 0 to 23 (0 for a date).
    Hour,
    /// The minute, 0 to 59 (0 for a date).
    Minute,
    /// The whole seconds, 0 to 59 (fractions are dropped; 0 for a date).
    Second,
}

impl DatePart {
    /// The part's SQL keyword: `YEAR`, `MONTH`, `DAY`, `HOUR`, `MINUTE`, `SECOND`.
    pub fn keyword(self) -> &'static str {
        match self {
            DatePart::Year => "YEAR",
            DatePart::Month => "MONTH",
            DatePart::Day => "DAY",
            DatePart::Hour => "HOUR",
            DatePart::Minute => "MINUTE",
            DatePart::Second => "SECOND",
        }
    }
}

/// The kinds whose parts [`extract`] reads: dates ([`kind::Date`]) and timestamps
/// ([`kind::Timestamp`]).
pub trait Temporal {}
impl Temporal for kind::Date {}
impl Temporal for kind::Timestamp {}

/// Today's date in UTC: SQLite `CURRENT_DATE` (UTC), PostgreSQL
/// `CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS DATE)`, MariaDB `UTC_DATE()`.
pub fn current_date() -> TypedExpr<kind::Date> {
    TypedExpr::from_expr(Expr::CurrentDate)
}

/// The current date and time in UTC, without time zone (read it as a `NaiveDateTime`):
/// SQLite `CURRENT_TIMESTAMP` (UTC, whole seconds), PostgreSQL
/// `(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')` (the transaction's start), MariaDB
/// `UTC_TIMESTAMP(6)`.
pub fn current_timestamp() -> TypedExpr<kind::Timestamp> {
    TypedExpr::from_expr(Expr::CurrentTimestamp)
}

/// `part` of a date or timestamp, as an integer. Also as methods: `Enrollment::day.year()`
/// (see [`DateTimeExpression`]).
///
/// On PostgreSQL a `TIMESTAMP WITH TIME ZONE` column (`DateTime<Utc>`) is read in the
/// session's time zone, which Cinnabar's connections leave at the server's setting.
pub fn extract<E>(part: DatePart, expr: E) -> TypedExpr<kind::Integer>
where
    E: Expression,
    E::Kind: Temporal,
{
    TypedExpr::from_expr(Expr::Extract {
        part,
        expr: Box::new(expr.expr()),
    })
}

/// `date + days` days, a date (`days` may be negative): SQLite
/// `date(d, (n) || ' days')`, PostgreSQL `(d + CAST(n AS INTEGER))`, MariaDB `DATE_ADD(d, INTERVAL n DAY)`.
pub fn add_days<E>(date: E, days: impl Bindable<kind::Integer>) -> TypedExpr<kind::Date>
where
    E: Expression<Kind = kind::Date>,
{
    TypedExpr::from_expr(Expr::AddDays {
        date: Box::new(date.expr()),
        days: Box::new(days.into_operand()),
    })
}

/// Date and time methods of date and timestamp expressions and columns:
/// `Enrollment::enrolled_on.year()`. Import it through the prelude.
pub trait DateTimeExpression: Expression
where
    Self::Kind: Temporal,
{
    /// The year, as an integer.
    fn year(self) -> TypedExpr<kind::Integer> {
        extract(DatePart::Year, self)
    }
    /// The month (1 to 12).
    fn month(self) -> TypedExpr<kind::Integer> {
        extract(DatePart::Month, self)
    }
    /// The day of the month (1 to 31).
    fn day(self) -> TypedExpr<kind::Integer> {
        extract(DatePart::Day, self)
    }
    /// The hour (0 to 23).
    fn hour(self) -> TypedExpr<kind::Integer> {
        extract(DatePart::Hour, self)
    }
    /// The minute (0 to 59).
    fn minute(self) -> TypedExpr<kind::Integer> {
        extract(DatePart::Minute, self)
    }
    /// The whole seconds (0 to 59).
    fn second(self) -> TypedExpr<kind::Integer> {
        extract(DatePart::Second, self)
    }
    /// This date plus `days` days (dates only).
    fn add_days(self, days: impl Bindable<kind::Integer>) -> TypedExpr<kind::Date>
    where
        Self: Expression<Kind = kind::Date>,
    {
        add_days(self, days)
    }
}

impl<E: Expression> DateTimeExpression for E where E::Kind: Temporal {}
