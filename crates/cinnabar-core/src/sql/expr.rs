//! The untyped expression tree that every statement is built from.
//!
//! User values only ever enter as [`Expr::Value`], which every dialect renders as a bound
//! parameter; identifiers only as [`ColumnRef`]/table names, which every dialect quotes.
//! The typed layer ([`super::typed`]) builds these; the compiler renders them.

use std::borrow::Cow;

use crate::value::Value;

use super::select::Select;

/// A reference to a column, optionally qualified by its table (or alias).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    /// Table or alias qualifying the column, if any.
    pub table: Option<Cow<'static, str>>,
    /// Column name.
    pub name: Cow<'static, str>,
}

impl ColumnRef {
    /// A column qualified by its table.
    pub fn qualified(
        table: impl Into<Cow<'static, str>>,
        name: impl Into<Cow<'static, str>>,
    ) -> Self {
        ColumnRef {
            table: Some(table.into()),
            name: name.into(),
        }
    }

    /// An unqualified column.
    pub fn bare(name: impl Into<Cow<'static, str>>) -> Self {
        ColumnRef {
            table: None,
            name: name.into(),
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// String concatenation (`||`, or `CONCAT()` where the dialect needs it).
    Concat,
    /// Integer division truncating toward zero: `/` on SQLite and PostgreSQL, where integer
    /// operands divide that way, `DIV` on MySQL/MariaDB, where `/` gives a decimal.
    IntDiv,
}

impl BinOp {
    /// The operator's SQL token (dialects may override some, e.g. concatenation).
    pub fn token(self) -> &'static str {
        match self {
            BinOp::Eq => " = ",
            BinOp::Ne => " <> ",
            BinOp::Lt => " < ",
            BinOp::Le => " <= ",
            BinOp::Gt => " > ",
            BinOp::Ge => " >= ",
            BinOp::Add => " + ",
            BinOp::Sub => " - ",
            BinOp::Mul => " * ",
            BinOp::Div => " / ",
            BinOp::Mod => " % ",
            BinOp::Concat => " || ",
            BinOp::IntDiv => " / ",
        }
    }
}

/// SQL functions the expression language can call: a closed set, so no API takes a
/// function name as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `COUNT(x)`
    Count,
    /// `SUM(x)`
    Sum,
    /// `AVG(x)`
    Avg,
    /// `MIN(x)`
    Min,
    /// `MAX(x)`
    Max,
    /// `LOWER(x)`
    Lower,
    /// `UPPER(x)`
    Upper,
    /// `LENGTH(x)` (character length)
    Length,
    /// `ABS(x)`
    Abs,
    /// `COALESCE(a, b, ...)`: at least two arguments.
    Coalesce,
    /// `NULLIF(a, b)`: exactly two arguments.
    Nullif,
}

impl Function {
    /// The function's SQL name.
    pub fn name(self) -> &'static str {
        match self {
            Function::Count => "COUNT",
            Function::Sum => "SUM",
            Function::Avg => "AVG",
            Function::Min => "MIN",
            Function::Max => "MAX",
            Function::Lower => "LOWER",
            Function::Upper => "UPPER",
            Function::Length => "LENGTH",
            Function::Abs => "ABS",
            Function::Coalesce => "COALESCE",
            Function::Nullif => "NULLIF",
        }
    }

    /// Whether this is an aggregate function (`COUNT`, `SUM`, `AVG`, `MIN`, `MAX`): the
    /// functions that take `DISTINCT` and, besides the ranking functions, `OVER (...)`.
    pub fn is_aggregate(self) -> bool {
        matches!(
            self,
            Function::Count | Function::Sum | Function::Avg | Function::Min | Function::Max
        )
    }

    /// Checks a call of this function with `args` arguments: COALESCE takes at least two
    /// (SQLite refuses one), NULLIF exactly two, every other function exactly one; only an
    /// aggregate takes `DISTINCT`. The compiler checks every [`Expr::Func`] with it.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming the function and the count.
    pub fn check_call(self, args: usize, distinct: bool) -> crate::Result<()> {
        let (ok, want) = match self {
            Function::Coalesce => (args >= 2, "at least 2 arguments"),
            Function::Nullif => (args == 2, "exactly 2 arguments"),
            _ => (args == 1, "exactly 1 argument"),
        };
        if !ok {
            return Err(crate::Error::misuse(format!(
                "{} takes {want}, got {args}",
                self.name()
            )));
        }
        if distinct && !self.is_aggregate() {
            return Err(crate::Error::misuse(format!(
                "{}(DISTINCT ..): only an aggregate function (COUNT, SUM, AVG, MIN, MAX) \
                 takes DISTINCT",
                self.name()
            )));
        }
        Ok(())
    }
}

/// An SQL expression.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column.
    Column(ColumnRef),
    /// A value, always rendered as a bound parameter.
    Value(Value),
    /// A parameter slot whose value is supplied when the statement is executed.
    Param,
    /// `left op right`.
    Binary {
        /// Operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `NOT expr`.
    Not(Box<Expr>),
    /// `expr IS [NOT] NULL`.
    IsNull {
        /// Operand.
        expr: Box<Expr>,
        /// `IS NOT NULL` when true.
        negated: bool,
    },
    /// `expr [NOT] IN (list)`; an empty list is rendered as an always-false (or true) test.
    InList {
        /// Operand.
        expr: Box<Expr>,
        /// Candidates.
        list: Vec<Expr>,
        /// `NOT IN` when true.
        negated: bool,
    },
    /// `expr [NOT] BETWEEN low AND high`.
    Between {
        /// Operand.
        expr: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
        /// `NOT BETWEEN` when true.
        negated: bool,
    },
    /// `expr [NOT] LIKE pattern`.
    Like {
        /// Operand.
        expr: Box<Expr>,
        /// Pattern (bound).
        pattern: Box<Expr>,
        /// `NOT LIKE` when true.
        negated: bool,
    },
    /// A call of a built-in function; its arguments and DISTINCT are checked at compile
    /// time ([`Function::check_call`]).
    Func {
        /// Function.
        func: Function,
        /// Arguments.
        args: Vec<Expr>,
        /// `DISTINCT` inside the call (aggregates).
        distinct: bool,
    },
    /// `COUNT(*)`.
    CountStar,
    /// Conjunction; empty means true.
    And(Vec<Expr>),
    /// Disjunction; empty means false.
    Or(Vec<Expr>),
    /// `EXISTS (subquery)`.
    Exists(Box<Select>),
    /// `expr [NOT] IN (subquery)`.
    InSelect {
        /// Operand.
        expr: Box<Expr>,
        /// The subquery (one column).
        select: Box<Select>,
        /// `NOT IN` when true.
        negated: bool,
    },
    /// `(subquery)` used as a value.
    Subquery(Box<Select>),
    /// An expression that could not be built (e.g. a value out of range); compiling it fails
    /// with this message.
    Invalid(String),
    /// A ranking function (`ROW_NUMBER()`, ...); valid only as the function of
    /// [`Expr::Over`].
    Ranking(super::window::RankFunction),
    /// `func OVER (window)`: a window function (see [`super::window`]). Anything but an
    /// aggregate (without DISTINCT), `COUNT(*)`, a ranking function or an [`Expr::Call`] as
    /// the function, or a window function inside this one, fails to compile with
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse).
    Over {
        /// The function: an aggregate call, an [`Expr::Ranking`] or a call by name.
        func: Box<Expr>,
        /// The window.
        window: Box<super::window::Window>,
    },
    /// `CASE [operand] WHEN w THEN r ... [ELSE e] END`: searched when `operand` is `None`
    /// (each `w` a condition), simple otherwise (each `w` a value compared with the operand).
    /// Without ELSE the result is NULL when no WHEN matches; without any WHEN, compiling
    /// fails with [`ErrorKind::Misuse`](crate::ErrorKind::Misuse).
    Case {
        /// The simple CASE's operand.
        operand: Option<Box<Expr>>,
        /// `(WHEN, THEN)` pairs, in order.
        whens: Vec<(Expr, Expr)>,
        /// The ELSE result.
        else_: Option<Box<Expr>>,
    },
    /// `CAST(expr AS type)`, the type spelled by the dialect
    /// ([`Dialect::cast_spelling`](crate::dialect::Dialect::cast_spelling)); a cast the
    /// dialect cannot write fails to compile with
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
    Cast {
        /// The converted expression.
        expr: Box<Expr>,
        /// The target type.
        to: crate::types::SqlType,
    },
    /// A call of any SQL function by name: `name(args...)`. The name is written unquoted and
    /// must be an identifier (`[A-Za-z_][A-Za-z0-9_]*`, optionally with one `schema.` prefix),
    /// else compiling fails with [`ErrorKind::Misuse`](crate::ErrorKind::Misuse). The
    /// arguments are not counted: that is the database's business (the built-in
    /// [`Function`]s, COALESCE and NULLIF among them, are [`Expr::Func`] and counted).
    Call {
        /// The function's name.
        name: Cow<'static, str>,
        /// Arguments (values among them are bound).
        args: Vec<Expr>,
    },
    /// Unary minus, `-expr`.
    Neg(Box<Expr>),
    /// A row value `(a, b, ...)`, compared with another row value (`Binary`) or looked up in
    /// a list of them (`InList`) or in a subquery (`InSelect`). Where the dialect has no row
    /// values ([`Dialect::supports_row_values`](crate::dialect::Dialect::supports_row_values)),
    /// comparisons and lists are expanded to AND/OR, and a subquery fails to compile. A row
    /// value with an operator that is not a comparison, compared with a single value or a
    /// subquery of another width, or in the IN list of a single value, fails to compile with
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse).
    Tuple(Vec<Expr>),
    /// A part of a date or timestamp, as an integer.
    Extract {
        /// Which part.
        part: super::DatePart,
        /// The date or timestamp.
        expr: Box<Expr>,
    },
    /// Today's date in UTC.
    CurrentDate,
    /// The current date and time in UTC, without time zone.
    CurrentTimestamp,
    /// `date` plus `days` days (negative to go back), a date.
    AddDays {
        /// The date.
        date: Box<Expr>,
        /// Number of days, an integer.
        days: Box<Expr>,
    },
}

impl Expr {
    /// A bound value.
    pub fn value(v: impl Into<Value>) -> Expr {
        Expr::Value(v.into())
    }

    /// `self op right`.
    pub fn binary(self, op: BinOp, right: Expr) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(self),
            right: Box::new(right),
        }
    }

    /// `self AND other`, flattening nested conjunctions.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), b) => {
                a.push(b);
                Expr::And(a)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }

    /// `self OR other`, flattening nested disjunctions.
    pub fn or(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Or(mut a), Expr::Or(b)) => {
                a.extend(b);
                Expr::Or(a)
            }
            (Expr::Or(mut a), b) => {
                a.push(b);
                Expr::Or(a)
            }
            (a, b) => Expr::Or(vec![a, b]),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One ORDER BY term.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// What to sort by.
    pub expr: Expr,
    /// Descending when true.
    pub desc: bool,
}
