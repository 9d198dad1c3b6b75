//! A field's `validate(...)`: `length(min = .., max = ..)`, `range(min = .., max = ..)`,
//! `one_of(..)`, `pattern = "regex"` and `sensitive`, each checked here (bounds in order, a
//! pattern that compiles, a rule that fits the field's type as far as the type can be read
//! syntactically) and reported at its own span.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitStr, Token, Type, UnOp};

use super::meta::{duplicate, key_name};

/// The rules of one field.
#[derive(Default, Clone, Debug)]
pub(crate) struct ValidateDef {
    /// `length(min, max)`: characters.
    pub length: Option<(Option<u64>, Option<u64>, Span)>,
    /// `range(min, max)`.
    pub range: Option<(Option<Number>, Option<Number>, Span)>,
    /// `one_of(...)`.
    pub one_of: Option<(OneOf, Span)>,
    /// `pattern = "..."`.
    pub pattern: Option<LitStr>,
    /// `sensitive`: the value is never shown in errors.
    pub sensitive: bool,
    /// Where `validate` was written.
    pub span: Option<Span>,
}

impl ValidateDef {
    /// Whether any rule is declared (`sensitive` alone is not a rule).
    pub(crate) fn has_rules(&self) -> bool {
        self.length.is_some()
            || self.range.is_some()
            || self.one_of.is_some()
            || self.pattern.is_some()
    }
}

/// A number in a rule.
#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// The values of `one_of`: all strings or all integers.
#[derive(Clone, Debug)]
pub(crate) enum OneOf {
    Text(Vec<String>),
    Int(Vec<i64>),
}

const RULES: &str = "length(min = .., max = ..), range(min = .., max = ..), one_of(..), pattern = \"..\", sensitive";

/// Parses `validate(...)` into `def` (several `validate(..)` on one field add up).
pub(super) fn parse_validate(meta: &ParseNestedMeta<'_>, def: &mut ValidateDef) -> syn::Result<()> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!("write validate(<rules>) with rules among: {RULES}")));
    }
    def.span = Some(meta.path.span());
    meta.parse_nested_meta(|rule| {
        let key = key_name(&rule);
        match key.as_str() {
            "length" => {
                if def.length.is_some() {
                    return Err(duplicate(&rule, &key));
                }
                let (min, max) = bounds(&rule, &key)?;
                let as_count = |n: Option<(Number, Span)>| -> syn::Result<Option<u64>> {
                    match n {
                        None => Ok(None),
                        Some((Number::Int(i), _)) if i >= 0 => Ok(Some(i as u64)),
                        Some((_, span)) => Err(syn::Error::new(
                            span,
                            "a length is a count of characters: a non-negative integer",
                        )),
                    }
                };
                let (lo, hi) = (as_count(min)?, as_count(max)?);
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    if lo > hi {
                        return Err(rule.error(format!("length: min ({lo}) is greater than max ({hi})")));
                    }
                }
                def.length = Some((lo, hi, rule.path.span()));
            }
            "range" => {
                if def.range.is_some() {
                    return Err(duplicate(&rule, &key));
                }
                let (min, max) = bounds(&rule, &key)?;
                if let (Some((lo, _)), Some((hi, _))) = (min, max) {
                    if lo.as_f64() > hi.as_f64() {
                        return Err(rule.error(format!(
                            "range: min ({}) is greater than max ({})",
                            show(lo),
                            show(hi)
                        )));
                    }
                }
                def.range = Some((min.map(|m| m.0), max.map(|m| m.0), rule.path.span()));
            }
            "one_of" => {
                if def.one_of.is_some() {
                    return Err(duplicate(&rule, &key));
                }
                let content;
                syn::parenthesized!(content in rule.input);
                let items = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
                if items.is_empty() {
                    return Err(rule.error("one_of(...) needs at least one value"));
                }
                let mut texts = Vec::new();
                let mut ints = Vec::new();
                for item in &items {
                    match item {
                        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => texts.push(s.value()),
                        other => match number(other) {
                            Some(Number::Int(i)) => ints.push(i),
                            _ => {
                                return Err(syn::Error::new_spanned(
                                    other,
                                    "one_of takes string or integer literals",
                                ))
                            }
                        },
                    }
                }
                let values = match (texts.is_empty(), ints.is_empty()) {
                    (false, true) => OneOf::Text(texts),
                    (true, false) => OneOf::Int(ints),
                    _ => {
                        return Err(rule.error(
                            "one_of mixes strings and integers: use one kind, as the field has one type",
                        ))
                    }
                };
                def.one_of = Some((values, rule.path.span()));
            }
            "pattern" => {
                if def.pattern.is_some() {
                    return Err(duplicate(&rule, &key));
                }
                let lit: LitStr = rule.value()?.parse()?;
                if let Err(e) = regex::Regex::new(&lit.value()) {
                    return Err(syn::Error::new_spanned(
                        &lit,
                        format!("pattern does not compile as a regular expression: {e}"),
                    ));
                }
                def.pattern = Some(lit);
            }
            "sensitive" => {
                if def.sensitive {
                    return Err(duplicate(&rule, &key));
                }
                def.sensitive = true;
            }
            _ => {
                return Err(rule.error(format!(
                    "unknown validation rule `{key}`; expected one of: {RULES}"
                )))
            }
        }
        Ok(())
    })
}

type Bounds = (Option<(Number, Span)>, Option<(Number, Span)>);

/// `(min = n, max = n)`, at least one of them.
fn bounds(rule: &ParseNestedMeta<'_>, key: &str) -> syn::Result<Bounds> {
    if !rule.input.peek(syn::token::Paren) {
        return Err(rule.error(format!(
            "write {key}(min = .., max = ..) (either may be left out)"
        )));
    }
    let empty = {
        let fork = rule.input.fork();
        let content;
        syn::parenthesized!(content in fork);
        content.is_empty()
    };
    if empty {
        return Err(rule.error(format!("{key}(...) needs min = .., max = .. or both")));
    }
    let mut min = None;
    let mut max = None;
    rule.parse_nested_meta(|b| {
        let which = key_name(&b);
        let slot = match which.as_str() {
            "min" => &mut min,
            "max" => &mut max,
            other => {
                return Err(b.error(format!(
                    "unknown key `{other}` in {key}(...); expected min, max"
                )))
            }
        };
        if slot.is_some() {
            return Err(duplicate(&b, &which));
        }
        let expr: Expr = b.value()?.parse()?;
        match number(&expr) {
            Some(n) => *slot = Some((n, expr.span())),
            None => {
                return Err(syn::Error::new_spanned(
                    &expr,
                    format!("{key}: `{which}` must be a number literal"),
                ))
            }
        }
        Ok(())
    })?;
    if min.is_none() && max.is_none() {
        return Err(rule.error(format!("{key}(...) needs min = .., max = .. or both")));
    }
    Ok((min, max))
}

/// An integer or float literal, maybe negated.
fn number(expr: &Expr) -> Option<Number> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<i64>().ok().map(Number::Int),
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f
            .base10_parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number::Float),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match number(expr)? {
            Number::Int(i) => i.checked_neg().map(Number::Int),
            Number::Float(f) => Some(Number::Float(-f)),
        },
        Expr::Group(g) => number(&g.expr),
        _ => None,
    }
}

fn show(n: Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => format!("{f:?}"),
    }
}

/// What the field's type says, read syntactically (the last path segment, inside `Option`).
#[derive(PartialEq)]
enum Kind {
    Text,
    Integer,
    Float,
    Other,
}

fn kind(ty: &Type) -> Kind {
    let Type::Path(p) = ty else {
        return Kind::Other;
    };
    let Some(last) = p.path.segments.last() else {
        return Kind::Other;
    };
    match last.ident.to_string().as_str() {
        "String" => Kind::Text,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" => Kind::Integer,
        "f32" | "f64" => Kind::Float,
        _ => Kind::Other,
    }
}

/// Errors for rules that do not fit the field's type (`value_ty` is the type inside
/// `Option`).
pub(super) fn check_fits(def: &ValidateDef, value_ty: &Type) -> Vec<syn::Error> {
    let k = kind(value_ty);
    let mut out = Vec::new();
    if let Some((_, _, span)) = &def.length {
        if k != Kind::Text {
            out.push(syn::Error::new(*span, "length applies to String fields"));
        }
    }
    if let Some(p) = &def.pattern {
        if k != Kind::Text {
            out.push(syn::Error::new_spanned(
                p,
                "pattern applies to String fields",
            ));
        }
    }
    if let Some((min, max, span)) = &def.range {
        match k {
            Kind::Integer => {
                if matches!(min, Some(Number::Float(_))) || matches!(max, Some(Number::Float(_))) {
                    out.push(syn::Error::new(
                        *span,
                        "range on an integer field takes integer bounds",
                    ));
                }
            }
            Kind::Float => {}
            _ => out.push(syn::Error::new(
                *span,
                "range applies to integer (i8..i64, u8..u32) and float (f32, f64) fields",
            )),
        }
    }
    if let Some((values, span)) = &def.one_of {
        let fits = matches!(
            (values, &k),
            (OneOf::Text(_), Kind::Text) | (OneOf::Int(_), Kind::Integer)
        );
        if !fits {
            out.push(syn::Error::new(
                *span,
                "one_of takes strings on a String field and integers on an integer field",
            ));
        }
    }
    out
}
