//! Subqueries inside expressions: `EXISTS` / `NOT EXISTS` (`exists`, `not_exists`), `[NOT]
//! IN (SELECT ..)` (`.in_select`, `.not_in_select`, `Expr::InSelect`) and scalar subqueries
//! (`scalar`), each over a whole random SELECT (set operations included). A scalar subquery
//! must select exactly one column and an IN subquery as many as its left side holds, else
//! the compile refuses with `Misuse`.

use cinnabar_core::sql::{exists, not_exists, scalar, Expr, Expression, ExpressionExt, TypedExpr};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::Gen;

/// A subquery expression.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let sel = super::select::simple(e.clone());
    // Mostly one column, as IN and scalar subqueries need.
    let one = prop_oneof![
        4 => super::select::with_width(e.clone(), 1),
        1 => sel.clone(),
    ];
    (0u8..5, any::<bool>(), e, sel, one)
        .prop_map(|(how, neg, x, any_width, one)| {
            Gen::new(move |ctx| match how {
                0 => exists(any_width.build(ctx)).expr(),
                1 => not_exists(any_width.build(ctx)).expr(),
                2 | 3 => {
                    let x = x.build(ctx);
                    let s = one.build(ctx);
                    // (`SELECT *` is not checked; a set operation's width is its first
                    // operand's.)
                    if s.output_width()
                        .is_some_and(|w| w != super::tuple::width(&x))
                    {
                        ctx.refuse(
                            ErrorKind::Misuse,
                            |_| true,
                            "IN (subquery) of another width",
                        );
                    }
                    let x = TypedExpr::<kind::Text>::from_expr(x);
                    match (how, neg) {
                        (2, false) => x.in_select(s).expr(),
                        (2, true) => x.not_in_select(s).expr(),
                        _ => Expr::InSelect {
                            expr: Box::new(x.expr()),
                            select: Box::new(s),
                            negated: neg,
                        },
                    }
                }
                _ => {
                    let s = one.build(ctx);
                    // `SELECT *` is refused; a set operation's width is its first operand's.
                    if s.output_width() != Some(1) {
                        ctx.refuse(
                            ErrorKind::Misuse,
                            |_| true,
                            "a scalar subquery of another width",
                        );
                    }
                    scalar::<kind::Text>(s).expr()
                }
            })
        })
        .boxed()
}
