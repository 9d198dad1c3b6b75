//! DELETE: WHERE (zero to two filters ANDed) and RETURNING (refused where the dialect has
//! none).

use cinnabar_core::dialect::DmlKind;
use cinnabar_core::sql::{Delete, Expr, Statement};
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::hostile;
use super::Gen;

/// A DELETE.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Statement>> {
    (
        hostile::name(),
        prop::collection::vec(e, 0..3),
        super::returning(),
    )
        .prop_map(|(table, filters, returning)| {
            Gen::new(move |ctx| {
                let mut del = Delete::from(ctx.ident(&table));
                for f in &filters {
                    del = del.filter(ctx.in_clause("WHERE", |c| f.build(c)));
                }
                for r in &returning {
                    del = del.returning(ctx.ident(r));
                }
                if !returning.is_empty() {
                    ctx.refuse(
                        ErrorKind::Unsupported,
                        |d| !d.supports_returning_in(DmlKind::Delete),
                        "RETURNING",
                    );
                }
                Statement::from(del)
            })
        })
        .boxed()
}
