//! Reading `#[cinnabar(...)]` items: the error collector and the helpers that parse one
//! `key`, `key = "..."` or `key = n`, each at most once.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, LitInt, LitStr, Token};

/// Collects several errors so one compile reports them all.
#[derive(Default)]
pub(super) struct Errors(Option<syn::Error>);

impl Errors {
    pub(super) fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub(super) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

pub(super) fn named_fields<'a>(
    input: &'a DeriveInput,
    derive: &str,
) -> syn::Result<&'a Punctuated<syn::Field, Token![,]>> {
    match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Ok(&named.named),
            other => Err(syn::Error::new_spanned(
                other,
                format!("#[derive({derive})] needs a struct with named fields"),
            )),
        },
        _ => Err(syn::Error::new_spanned(
            &input.ident,
            format!("#[derive({derive})] needs a struct with named fields"),
        )),
    }
}

pub(super) fn cinnabar_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("cinnabar"))
}

/// The key of a nested meta item as written (`a::b` for paths).
pub(super) fn key_name(meta: &ParseNestedMeta<'_>) -> String {
    match meta.path.get_ident() {
        Some(ident) => ident.unraw().to_string(),
        None => meta
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::"),
    }
}

pub(super) fn duplicate(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Error {
    meta.error(format!("duplicate `{key}` attribute"))
}

/// `key = "..."`, non-empty, at most once.
pub(super) fn string_value<T>(
    meta: &ParseNestedMeta<'_>,
    slot: &Option<T>,
    key: &str,
) -> syn::Result<LitStr> {
    if slot.is_some() {
        return Err(duplicate(meta, key));
    }
    let lit: LitStr = meta.value()?.parse()?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new_spanned(
            &lit,
            format!("`{key}` must not be empty"),
        ));
    }
    Ok(lit)
}

/// A bare flag such as `unique`, at most once.
pub(super) fn flag(
    meta: &ParseNestedMeta<'_>,
    slot: &Option<Span>,
    key: &str,
) -> syn::Result<Span> {
    if slot.is_some() {
        return Err(duplicate(meta, key));
    }
    if !(meta.input.is_empty() || meta.input.peek(Token![,])) {
        return Err(meta.error(format!("`{key}` takes no value: write it alone")));
    }
    Ok(meta.path.span())
}

/// `key = <integer>` parsed as `N`, non-zero, at most once.
pub(super) fn int_value<N>(
    meta: &ParseNestedMeta<'_>,
    slot: &Option<(N, Span)>,
    key: &str,
) -> syn::Result<(N, Span)>
where
    N: std::str::FromStr + PartialEq + Default,
    N::Err: std::fmt::Display,
{
    if slot.is_some() {
        return Err(duplicate(meta, key));
    }
    let lit: LitInt = meta.value()?.parse()?;
    let n: N = lit.base10_parse()?;
    if n == N::default() {
        return Err(syn::Error::new_spanned(
            &lit,
            format!("`{key}` must be greater than zero"),
        ));
    }
    Ok((n, lit.span()))
}
