//! The built-in functions (`COUNT`, `SUM`, `LOWER`, `COALESCE`, `NULLIF`, ...), with and
//! without `DISTINCT`, through the typed methods and the untyped `Expr::Func`. Refused with
//! `Misuse`: a wrong argument count (COALESCE takes two or more, NULLIF two, the others one)
//! and DISTINCT on a function that is not an aggregate.

use cinnabar_core::sql::{Expr, Expression, Function, TextExpression, TypedExpr};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
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
    Function::Nullif,
];

/// Whether `func` takes `n` arguments (COALESCE two or more, NULLIF two, the rest one) and,
/// when `distinct`, is an aggregate: the compile refuses anything else.
fn valid_call(func: Function, n: usize, distinct: bool) -> bool {
    let aggregate = matches!(
        func,
        Function::Count | Function::Sum | Function::Avg | Function::Min | Function::Max
    );
    let arity = match func {
        Function::Coalesce => n >= 2,
        Function::Nullif => n == 2,
        _ => n == 1,
    };
    arity && (aggregate || !distinct)
}

/// A function call.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    prop_oneof![
        (
            prop::sample::select(FUNCTIONS),
            any::<bool>(),
            prop::collection::vec(e.clone(), 1..4),
            prop::bool::weighted(0.9),
        )
            .prop_map(|(func, distinct, args, dodge)| Gen::new(move |ctx| {
                // `dodge`: most calls take a valid argument count (repeating a recipe where
                // they need more) and DISTINCT only on aggregates, so most compile.
                let (n, distinct) = if dodge {
                    let n = match func {
                        Function::Coalesce => args.len().max(2),
                        Function::Nullif => 2,
                        _ => 1,
                    };
                    (n, distinct && valid_call(func, n, true))
                } else {
                    (args.len(), distinct)
                };
                if !valid_call(func, n, distinct) {
                    ctx.refuse(
                        ErrorKind::Misuse,
                        |_| true,
                        "a function's argument count, or DISTINCT on a non-aggregate",
                    );
                }
                Expr::Func {
                    func,
                    args: (0..n).map(|i| args[i % args.len()].build(ctx)).collect(),
                    distinct,
                }
            })),
        (0u8..8, e).prop_map(|(which, x)| Gen::new(move |ctx| {
            let x = TypedExpr::<kind::Text>::from_expr(x.build(ctx));
            match which {
                0 => x.max().expr(),
                1 => x.min().expr(),
                2 => x.sum().expr(),
                3 => TypedExpr::<kind::Integer>::from_expr(x.expr()).avg().expr(),
                4 => x.count().expr(),
                5 => x.lower().expr(),
                6 => x.upper().expr(),
                _ => x.length().expr(),
            }
        })),
    ]
    .boxed()
}
