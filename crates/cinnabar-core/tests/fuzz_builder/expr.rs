//! The recursive expression strategy: leaves ([`super::leaf`]) combined by the constructs
//! listed in [`CONSTRUCTS`], nested a few levels deep (subqueries included).

use cinnabar_core::sql::Expr;
use proptest::prelude::*;
use proptest::strategy::Union;

use super::Gen;

/// An expression strategy, given the strategy for sub-expressions.
pub(crate) type Construct = fn(BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>>;

/// Every expression construct: one line per generator module.
pub(crate) const CONSTRUCTS: &[Construct] = &[
    super::compare::strategy,
    super::arith::strategy,
    super::logic::strategy,
    super::predicates::strategy,
    super::functions::strategy,
    super::subquery::strategy,
    super::case::strategy,
    super::cast::strategy,
    super::call::strategy,
    super::tuple::strategy,
    super::datetime::strategy,
    super::window::strategy,
];

/// Random expressions, up to four levels deep.
pub(crate) fn strategy() -> BoxedStrategy<Gen<Expr>> {
    super::leaf::strategy()
        .prop_recursive(4, 16, 3, |inner| {
            Union::new(CONSTRUCTS.iter().map(|c| c(inner.clone())))
        })
        .boxed()
}
