//! `AND`, `OR` (empty, flattened, nested) and `NOT`, through `Expr::and`/`or`, the typed
//! `Condition` operators and `and_all` / `or_any` / `not`.

use cinnabar_core::sql::{and_all, not, or_any, Condition, Expr, Expression};
use proptest::prelude::*;

use super::Gen;

/// A conjunction, disjunction or negation.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let list = prop::collection::vec(e.clone(), 0..4);
    prop_oneof![
        (0u8..6, list).prop_map(|(how, items)| Gen::new(move |ctx| {
            let items: Vec<Expr> = super::build_all(&items, ctx);
            let conds = items.into_iter().map(Condition::from_expr);
            match how {
                0 => and_all(conds).expr(),
                1 => or_any(conds).expr(),
                2 => conds
                    .reduce(|a, b| a & b)
                    .map_or(Expr::And(vec![]), |c| c.expr()),
                3 => conds
                    .reduce(|a, b| a | b)
                    .map_or(Expr::Or(vec![]), |c| c.expr()),
                4 => conds.map(|c| c.expr()).fold(Expr::And(vec![]), Expr::and),
                _ => conds.map(|c| c.expr()).fold(Expr::Or(vec![]), Expr::or),
            }
        })),
        (any::<bool>(), e).prop_map(|(typed, x)| Gen::new(move |ctx| {
            let x = x.build(ctx);
            if typed {
                (!Condition::from_expr(x)).expr()
            } else {
                not(Condition::from_expr(x)).expr()
            }
        })),
    ]
    .boxed()
}
