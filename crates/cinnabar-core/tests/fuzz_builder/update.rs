//! UPDATE: one to four `SET column = expression` assignments (values, columns, subqueries),
//! WHERE, and RETURNING (refused where the dialect has none).

use cinnabar_core::dialect::DmlKind;
use cinnabar_core::sql::{Expr, Statement, Update};
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::hostile;
use super::Gen;

/// An UPDATE.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Statement>> {
    (
        hostile::name(),
        prop::collection::vec((hostile::name(), e.clone()), 1..5),
        prop::collection::vec(e, 0..3),
        super::returning(),
    )
        .prop_map(|(table, set, filters, returning)| {
            Gen::new(move |ctx| {
                let mut up = Update::table(ctx.ident(&table));
                for (col, x) in &set {
                    let col = ctx.ident(col);
                    up = up.set(col, ctx.in_clause("UPDATE ... SET", |c| x.build(c)));
                }
                for f in &filters {
                    up = up.filter(ctx.in_clause("WHERE", |c| f.build(c)));
                }
                for r in &returning {
                    up = up.returning(ctx.ident(r));
                }
                if !returning.is_empty() {
                    ctx.refuse(
                        ErrorKind::Unsupported,
                        |d| !d.supports_returning_in(DmlKind::Update),
                        "RETURNING",
                    );
                }
                Statement::from(up)
            })
        })
        .boxed()
}
