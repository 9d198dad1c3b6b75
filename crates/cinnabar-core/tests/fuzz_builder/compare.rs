//! Comparisons `= <> < <= > >=`, through the typed `Expression` methods and through
//! `Expr::binary` (a bound NULL compared with `=` / `<>` becomes `IS [NOT] NULL`).

use cinnabar_core::sql::{BinOp, Expr, Expression, TypedExpr};
use cinnabar_core::types::kind;
use proptest::prelude::*;

use super::Gen;

const OPS: &[BinOp] = &[
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::Gt,
    BinOp::Ge,
];

/// `left op right`.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    (prop::sample::select(OPS), any::<bool>(), e.clone(), e)
        .prop_map(|(op, typed, l, r)| {
            Gen::new(move |ctx| {
                let since = ctx.values.len();
                let (l, r) = (l.build(ctx), r.build(ctx));
                super::tuple::row_refusals(ctx, op, &l, &r, since);
                if !typed {
                    return l.binary(op, r);
                }
                let l = TypedExpr::<kind::Text>::from_expr(l);
                let r = TypedExpr::<kind::Text>::from_expr(r);
                match op {
                    BinOp::Eq => l.eq(r),
                    BinOp::Ne => l.ne(r),
                    BinOp::Lt => l.lt(r),
                    BinOp::Le => l.le(r),
                    BinOp::Gt => l.gt(r),
                    _ => l.ge(r),
                }
                .expr()
            })
        })
        .boxed()
}
