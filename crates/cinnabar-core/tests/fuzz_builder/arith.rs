//! Arithmetic `+ - * / %` and concatenation (`||`, or `CONCAT()` on MySQL), typed and
//! untyped.

use cinnabar_core::sql::{BinOp, Expr, Expression, TextExpression, TypedExpr};
use cinnabar_core::types::kind;
use proptest::prelude::*;

use super::Gen;

const OPS: &[BinOp] = &[
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::Div,
    BinOp::Mod,
    BinOp::Concat,
];

/// `left op right`.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    (prop::sample::select(OPS), any::<bool>(), e.clone(), e)
        .prop_map(|(op, typed, l, r)| {
            Gen::new(move |ctx| {
                let (l, r) = (l.build(ctx), r.build(ctx));
                if !typed {
                    return l.binary(op, r);
                }
                let r = TypedExpr::<kind::Text>::from_expr(r);
                let l = TypedExpr::<kind::Text>::from_expr(l);
                match op {
                    BinOp::Add => l.add(r),
                    BinOp::Sub => l.sub(r),
                    BinOp::Mul => l.mul(r),
                    BinOp::Div => l.div(r),
                    BinOp::Mod => l.modulo(r),
                    _ => l.concat(r),
                }
                .expr()
            })
        })
        .boxed()
}
