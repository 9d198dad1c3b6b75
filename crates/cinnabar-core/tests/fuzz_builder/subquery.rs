//! Subqueries inside expressions: `EXISTS (..)`, `[NOT] IN (SELECT ..)` and a scalar
//! `(SELECT ..)`, each a whole random SELECT over the sub-expressions.

use cinnabar_core::sql::Expr;
use proptest::prelude::*;

use super::Gen;

/// A subquery expression.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let sel = super::select::simple(e.clone());
    (0u8..3, any::<bool>(), e, sel)
        .prop_map(|(how, neg, x, s)| {
            Gen::new(move |ctx| match how {
                0 => Expr::Exists(Box::new(s.build(ctx))),
                1 => Expr::InSelect {
                    expr: Box::new(x.build(ctx)),
                    select: Box::new(s.build(ctx)),
                    negated: neg,
                },
                _ => Expr::Subquery(Box::new(s.build(ctx))),
            })
        })
        .boxed()
}
