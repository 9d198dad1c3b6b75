//! The built-in functions (`COUNT`, `SUM`, `LOWER`, `COALESCE`, ...), with and without
//! `DISTINCT`, through the typed methods and the untyped `Expr::Func`.

use cinnabar_core::sql::{Expr, Expression, Function, TextExpression, TypedExpr};
use cinnabar_core::types::kind;
use proptest::prelude::*;

use super::Gen;

const FUNCTIONS: &[Function] = &[
    Function::Count,
    Function::Sum,
    Function::Avg,
    Function::Min,
    Function::Max,
    Function::Lower,
    Function::Upper,
    Function::Length,
    Function::Abs,
    Function::Coalesce,
];

/// A function call.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    prop_oneof![
        (
            prop::sample::select(FUNCTIONS),
            any::<bool>(),
            prop::collection::vec(e.clone(), 0..4)
        )
            .prop_map(|(func, distinct, args)| Gen::new(move |ctx| Expr::Func {
                func,
                args: super::build_all(&args, ctx),
                distinct,
            })),
        (0u8..8, e).prop_map(|(which, x)| Gen::new(move |ctx| {
            let x = TypedExpr::<kind::Text>::from_expr(x.build(ctx));
            match which {
                0 => x.max().expr(),
                1 => x.min().expr(),
                2 => x.sum().expr(),
                3 => x.avg().expr(),
                4 => x.count().expr(),
                5 => x.lower().expr(),
                6 => x.upper().expr(),
                _ => x.length().expr(),
            }
        })),
    ]
    .boxed()
}
