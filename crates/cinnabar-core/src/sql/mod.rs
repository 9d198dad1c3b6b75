//! The expression language: statements ([`Select`], [`Insert`], [`Update`], [`Delete`],
//! raw [`Text`], DDL as [`Ddl`]), the untyped [`Expr`] tree, and the typed layer on top of it.
//!
//! Nothing here renders SQL; dialects do (see [`crate::dialect`]).

pub mod case;
pub mod compound;
pub mod cte;
pub mod datetime;
pub mod ddl;
pub mod dml;
pub mod expr;
pub mod func;
pub mod lexer;
pub mod script;
pub mod select;
pub mod text;
pub mod tuple;
pub mod typed;
pub mod window;

pub use case::{case, case_on, Case, SimpleCase};
pub use compound::{Compound, SetOp};
pub use cte::Cte;
pub use datetime::{
    add_days, current_date, current_timestamp, extract, DatePart, DateTimeExpression, Temporal,
};
pub use ddl::{
    AlterAction, AlterTable, ColumnChange, CreateIndex, CreateTable, Ddl, DropIndex, DropTable,
};
pub use dml::{Delete, Insert, OnConflict, Update};
pub use expr::{BinOp, ColumnRef, Expr, Function, OrderBy};
pub use func::{
    call, cast, check_function_name, coalesce, exists, not_exists, nullif, scalar, Argument,
    Arguments, ExpressionExt, Operands,
};
pub use lexer::{tokens, LexRules, Lexer, Token, TokenKind};
pub use script::{first_keyword, leading_keywords, split_statements, Keywords, Statements};
pub use select::{Join, JoinKind, RowLock, Select, SelectItem, TableRef};
pub use text::{pieces, text, Pieces, Text, TextPiece};
pub use tuple::{tuple, Tuple, TupleExprs, TupleOperand};
pub use typed::{
    and_all, count_star, not, or_any, Bindable, Column, Condition, Expression, TextExpression,
    TypedExpr,
};
pub use window::{
    current_row, dense_rank, following, preceding, rank, row_number, unbounded_following,
    unbounded_preceding, Frame, FrameBound, FrameUnits, RankFunction, Window, WindowFn,
};

/// Any statement a connection can execute.
#[derive(Debug, Clone)]
pub enum Statement {
    /// SELECT
    Select(Select),
    /// INSERT
    Insert(Insert),
    /// UPDATE
    Update(Update),
    /// DELETE
    Delete(Delete),
    /// Raw SQL with named parameters.
    Text(Text),
    /// A DDL statement (CREATE / DROP TABLE, ALTER TABLE, CREATE / DROP INDEX).
    Ddl(Ddl),
}

macro_rules! into_statement {
    ($($t:ident),*) => {$(
        impl From<$t> for Statement {
            fn from(s: $t) -> Statement {
                Statement::$t(s)
            }
        }
    )*};
}
into_statement!(Select, Insert, Update, Delete, Text, Ddl);

macro_rules! ddl_into_statement {
    ($($t:ident),*) => {$(
        impl From<$t> for Statement {
            fn from(s: $t) -> Statement {
                Statement::Ddl(Ddl::from(s))
            }
        }
    )*};
}
ddl_into_statement!(CreateTable, DropTable, AlterTable, CreateIndex, DropIndex);
