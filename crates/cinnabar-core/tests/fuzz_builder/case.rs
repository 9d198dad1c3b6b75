//! CASE: searched (`case().when(..)`) and simple (`case_on(x).when(..)`), with and without
//! ELSE, through the builders; a CASE without WHEN (built as an `Expr`) must be refused.

use cinnabar_core::sql::{case, case_on, Condition, Expr, Expression, TypedExpr};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::Gen;

type Text = TypedExpr<kind::Text>;

/// A CASE expression.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    (
        any::<bool>(),
        prop::option::of(e.clone()),
        prop_oneof![
            39 => prop::collection::vec((e.clone(), e.clone()), 1..4),
            1 => Just(Vec::new()),
        ],
        prop::option::of(e),
    )
        .prop_map(|(builder, operand, whens, else_)| {
            Gen::new(move |ctx| {
                let operand = operand.as_ref().map(|o| o.build(ctx));
                let whens: Vec<(Expr, Expr)> = whens
                    .iter()
                    .map(|(w, t)| (w.build(ctx), t.build(ctx)))
                    .collect();
                let else_ = else_.as_ref().map(|x| x.build(ctx));
                if whens.is_empty() {
                    ctx.refuse(ErrorKind::Misuse, |_| true, "CASE without WHEN");
                }
                if !builder || whens.is_empty() {
                    return Expr::Case {
                        operand: operand.map(Box::new),
                        whens,
                        else_: else_.map(Box::new),
                    };
                }
                let typed = match operand {
                    None => {
                        let mut c = case::<kind::Text>();
                        for (w, t) in whens {
                            c = c.when(Condition::from_expr(w), Text::from_expr(t));
                        }
                        match else_ {
                            Some(x) => c.else_(Text::from_expr(x)),
                            None => c.end(),
                        }
                    }
                    Some(op) => {
                        let mut c = case_on::<Text, kind::Text>(Text::from_expr(op));
                        for (w, t) in whens {
                            c = c.when(Text::from_expr(w), Text::from_expr(t));
                        }
                        match else_ {
                            Some(x) => c.else_(Text::from_expr(x)),
                            None => c.end(),
                        }
                    }
                };
                typed.expr()
            })
        })
        .boxed()
}
