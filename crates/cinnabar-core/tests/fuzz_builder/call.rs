//! Any SQL function by name (`call`, `coalesce`, `nullif`): names that pass the identifier
//! rule are written bare, every other name (hostile strings with a marker, and near misses
//! such as `a.b.c`, `1x`, `été`) must be refused with `Misuse` and never written; the
//! `coalesce` builder with fewer than two arguments is refused too (`call("nullif", ..)` is
//! an ordinary call: its arguments are not counted).

use cinnabar_core::sql::{call, coalesce, nullif, Expr, Expression, TypedExpr};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::{hostile, Ctx, Gen};

/// Names that pass the identifier rule.
#[rustfmt::skip]
const VALID: &[&str] = &[
    "substr", "lower", "my_func", "_f1", "Abs", "pg_catalog.length", "SELECT", "DROP", "nullif",
];

/// Near misses, all refused.
#[rustfmt::skip]
const NEAR_MISSES: &[&str] = &[
    "a.b.c", "1x", "été", "", "a b", "a;b", "a--", "x(", "a.", ".a", "a\0", "x\"", "s$1", "f?",
];

/// Whether `name` may be written as a function name: `[A-Za-z_][A-Za-z0-9_]*` with at most
/// one `schema.` prefix.
fn valid(name: &str) -> bool {
    fn ident(p: &str) -> bool {
        let mut b = p.bytes();
        matches!(b.next(), Some(c) if c == b'_' || c.is_ascii_alphabetic())
            && b.all(|c| c == b'_' || c.is_ascii_alphanumeric())
    }
    match name.split_once('.') {
        Some((a, b)) => ident(a) && ident(b),
        None => ident(name),
    }
}

/// Hostile names also pick a COALESCE with too few arguments now and then.
fn n_is_hostile(n: &FnName) -> bool {
    matches!(n, FnName::Hostile(..))
}

#[derive(Debug, Clone)]
enum FnName {
    Listed(&'static str),
    Hostile(String, String),
}

fn name(ctx: &mut Ctx, n: &FnName) -> String {
    match n {
        FnName::Listed(s) => (*s).to_owned(),
        FnName::Hostile(a, b) => ctx.rejected_name(a, b),
    }
}

/// A function call.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let names = prop_oneof![
        40 => prop::sample::select(VALID).prop_map(FnName::Listed),
        1 => prop::sample::select(NEAR_MISSES).prop_map(FnName::Listed),
        1 => (hostile::string(3), hostile::string(3)).prop_map(|(a, b)| FnName::Hostile(a, b)),
    ];
    (names, 0u8..6, prop::collection::vec(e, 0..4))
        .prop_map(|(n, how, args)| {
            Gen::new(move |ctx| {
                let args = super::build_all(&args, ctx);
                let name = match how {
                    0 if args.len() >= 2 || n_is_hostile(&n) => "COALESCE".to_owned(),
                    1 if args.len() == 2 => "NULLIF".to_owned(),
                    _ => name(ctx, &n),
                };
                if valid(&name) {
                    for part in name.split('.') {
                        ctx.allow_word(part);
                    }
                } else {
                    ctx.refuse(
                        ErrorKind::Misuse,
                        |_| true,
                        "a function name that is not an identifier",
                    );
                }
                // The builders `coalesce` and `nullif` check their argument counts (they
                // build `Function::Coalesce` / `Function::Nullif`); `call` by name does not,
                // whatever the name.
                let arity_ok = match (how, name.as_str()) {
                    (0, "COALESCE") => args.len() >= 2,
                    _ => true,
                };
                if !arity_ok {
                    ctx.refuse(ErrorKind::Misuse, |_| true, "COALESCE / NULLIF arity");
                }
                let text = |x: Expr| TypedExpr::<kind::Text>::from_expr(x);
                match (how, name.as_str()) {
                    (0, "COALESCE") => {
                        coalesce::<kind::Text>(args.into_iter().map(text).collect::<Vec<_>>())
                            .expr()
                    }
                    (1, "NULLIF") if args.len() == 2 => {
                        let mut it = args.into_iter().map(text);
                        match (it.next(), it.next()) {
                            (Some(a), Some(b)) => nullif::<kind::Text>(a, b).expr(),
                            _ => unreachable!("two arguments"),
                        }
                    }
                    _ => call::<kind::Text>(name, args).expr(),
                }
            })
        })
        .boxed()
}
