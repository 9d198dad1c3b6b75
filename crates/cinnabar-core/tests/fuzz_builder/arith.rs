//! Arithmetic `+ - * / %`, integer division (`DIV` on MySQL), unary minus and
//! concatenation (`||`, or `CONCAT()` on MySQL), typed and untyped.

use cinnabar_core::sql::{BinOp, Expr, Expression, ExpressionExt, TextExpression, TypedExpr};
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
    BinOp::IntDiv,
];

/// `left op right`, or `-x`.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let neg = e
        .clone()
        .prop_map(|x| Gen::new(move |ctx| Expr::Neg(Box::new(x.build(ctx)))));
    let binary =
        (prop::sample::select(OPS), any::<bool>(), e.clone(), e).prop_map(|(op, typed, l, r)| {
            Gen::new(move |ctx| {
                let since = ctx.values.len();
                let (l, r) = (l.build(ctx), r.build(ctx));
                super::tuple::row_refusals(ctx, op, &l, &r, since);
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
                    BinOp::IntDiv => {
                        let int = |x: TypedExpr<kind::Text>| {
                            TypedExpr::<kind::Integer>::from_expr(x.expr())
                        };
                        TypedExpr::from_expr(int(l).int_div(int(r)).expr())
                    }
                    _ => l.concat(r),
                }
                .expr()
            })
        });
    prop_oneof![4 => binary, 1 => neg].boxed()
}
