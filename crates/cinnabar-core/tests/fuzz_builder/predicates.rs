//! `IS [NOT] NULL`, `[NOT] BETWEEN`, `[NOT] LIKE` and `[NOT] IN (list)`; an empty list is
//! written as a constant test, so its operand is droppable.

use cinnabar_core::sql::{Expr, Expression, TextExpression, TypedExpr};
use cinnabar_core::types::kind;
use proptest::prelude::*;

use super::Gen;

type Text = TypedExpr<kind::Text>;

/// One predicate.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let list = prop::collection::vec(e.clone(), 0..4);
    prop_oneof![
        (any::<bool>(), e.clone()).prop_map(|(neg, x)| Gen::new(move |ctx| {
            let x = Text::from_expr(x.build(ctx));
            if neg { x.is_not_null() } else { x.is_null() }.expr()
        })),
        (any::<bool>(), e.clone(), e.clone(), e.clone()).prop_map(|(neg, x, lo, hi)| {
            Gen::new(move |ctx| {
                let (x, lo, hi) = (x.build(ctx), lo.build(ctx), hi.build(ctx));
                if neg {
                    Expr::Between {
                        expr: Box::new(x),
                        low: Box::new(lo),
                        high: Box::new(hi),
                        negated: true,
                    }
                } else {
                    Text::from_expr(x)
                        .between(Text::from_expr(lo), Text::from_expr(hi))
                        .expr()
                }
            })
        }),
        (any::<bool>(), e.clone(), e.clone()).prop_map(|(neg, x, pat)| Gen::new(move |ctx| {
            let (x, pat) = (
                Text::from_expr(x.build(ctx)),
                Text::from_expr(pat.build(ctx)),
            );
            if neg { x.not_like(pat) } else { x.like(pat) }.expr()
        })),
        (any::<bool>(), e, list).prop_map(|(neg, x, items)| Gen::new(move |ctx| {
            let x = if items.is_empty() {
                ctx.droppable(|c| x.build(c))
            } else {
                x.build(ctx)
            };
            let items = super::build_all(&items, ctx);
            super::tuple::in_list_refusals(ctx, &x, &items);
            let items = items.into_iter().map(Text::from_expr);
            let x = Text::from_expr(x);
            if neg { x.not_in(items) } else { x.in_(items) }.expr()
        })),
    ]
    .boxed()
}
