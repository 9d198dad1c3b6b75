//! CAST to every SQL type (`cast::<T>(..)`, `.cast::<T>()` and `Expr::Cast`); a cast the
//! dialect has no spelling for (`Dialect::cast_spelling` is `None`, MariaDB's boolean and
//! JSON) must be refused with `Unsupported`.

use cinnabar_core::sql::{cast, Expr, Expression, ExpressionExt, TypedExpr};
use cinnabar_core::types::{kind, SqlType};
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::Gen;

const TYPES: &[SqlType] = &[
    SqlType::SmallInt,
    SqlType::Integer,
    SqlType::BigInt,
    SqlType::Float,
    SqlType::Double,
    SqlType::Boolean,
    SqlType::Text(None),
    SqlType::Text(Some(20)),
    SqlType::Blob,
    SqlType::Date,
    SqlType::Time,
    SqlType::DateTime,
    SqlType::DateTimeTz,
    SqlType::Decimal(10, 2),
    SqlType::Uuid,
    SqlType::Json,
];

/// A CAST.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    (prop::sample::select(TYPES), 0u8..3, e)
        .prop_map(|(to, how, x)| {
            Gen::new(move |ctx| {
                let x = x.build(ctx);
                ctx.refuse(
                    ErrorKind::Unsupported,
                    move |d| d.cast_spelling(to).is_none(),
                    "a CAST the dialect cannot write",
                );
                match (how, to) {
                    (0, SqlType::BigInt) => cast::<i64>(x).expr(),
                    (1, SqlType::Text(None)) => TypedExpr::<kind::Integer>::from_expr(x)
                        .cast::<String>()
                        .expr(),
                    (1, SqlType::Boolean) => TypedExpr::<kind::Integer>::from_expr(x)
                        .cast::<bool>()
                        .expr(),
                    _ => Expr::Cast {
                        expr: Box::new(x),
                        to,
                    },
                }
            })
        })
        .boxed()
}
