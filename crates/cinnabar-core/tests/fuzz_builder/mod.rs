//! Generators for the builder fuzz test (`tests/fuzz_builder.rs`): proptest strategies that
//! yield recipes ([`Gen`]) for random statements, one module per construct.
//!
//! A recipe builds its statement through the public builder API into a [`Ctx`], which gives
//! every hostile identifier and value a unique marker and records what was used, so
//! [`oracle`] can check the compiled SQL against it. Adding a construct is one new module
//! with a `strategy` function and one line in [`expr::CONSTRUCTS`] (expressions) or
//! [`statement`] (statements).

pub(crate) mod ctx;
pub(crate) mod hostile;
pub(crate) mod oracle;

pub(crate) mod arith;
pub(crate) mod call;
pub(crate) mod case;
pub(crate) mod cast;
pub(crate) mod compare;
pub(crate) mod datetime;
pub(crate) mod expr;
pub(crate) mod functions;
pub(crate) mod leaf;
pub(crate) mod logic;
pub(crate) mod predicates;
pub(crate) mod subquery;
pub(crate) mod tuple;
pub(crate) mod window;

pub(crate) mod compound;
pub(crate) mod cte;
pub(crate) mod delete;
pub(crate) mod insert;
pub(crate) mod select;
pub(crate) mod text;
pub(crate) mod update;

use std::fmt;
use std::sync::Arc;

use cinnabar_core::sql::Statement;
use proptest::prelude::*;

pub(crate) use ctx::Ctx;

/// A recipe: builds a `T` through the builder API, recording markers into a [`Ctx`].
///
/// Recipes are what proptest generates and shrinks; building one twice with fresh contexts
/// gives the same value, so its `Debug` shows what it builds.
pub(crate) struct Gen<T>(Arc<dyn Fn(&mut Ctx) -> T>);

impl<T> Clone for Gen<T> {
    fn clone(&self) -> Self {
        Gen(Arc::clone(&self.0))
    }
}

impl<T> Gen<T> {
    /// A recipe from a closure.
    pub(crate) fn new(f: impl Fn(&mut Ctx) -> T + 'static) -> Self {
        Gen(Arc::new(f))
    }

    /// Builds the value, recording into `ctx`.
    pub(crate) fn build(&self, ctx: &mut Ctx) -> T {
        (self.0)(ctx)
    }
}

impl<T: fmt::Debug> fmt::Debug for Gen<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ctx = Ctx::default();
        write!(f, "{:?}", self.build(&mut ctx))
    }
}

/// Builds every recipe of a list.
pub(crate) fn build_all<T>(gens: &[Gen<T>], ctx: &mut Ctx) -> Vec<T> {
    gens.iter().map(|g| g.build(ctx)).collect()
}

/// RETURNING column names: none in four statements out of five.
pub(crate) fn returning() -> BoxedStrategy<Vec<hostile::Name>> {
    prop_oneof![
        4 => Just(Vec::new()),
        1 => prop::collection::vec(hostile::name(), 1..3),
    ]
    .boxed()
}

/// Any statement: SELECT, INSERT, UPDATE, DELETE (the builders) and raw `text()`.
pub(crate) fn statement() -> BoxedStrategy<Gen<Statement>> {
    let e = expr::strategy();
    let sel = prop_oneof![
        4 => select::strategy(e.clone()),
        1 => compound::strategy(e.clone()),
        1 => cte::strategy(e.clone()),
    ];
    prop_oneof![
        5 => sel.prop_map(|g| Gen::new(move |c| Statement::from(g.build(c)))),
        2 => insert::strategy(e.clone()),
        2 => update::strategy(e.clone()),
        2 => delete::strategy(e),
        1 => text::strategy(),
    ]
    .boxed()
}
