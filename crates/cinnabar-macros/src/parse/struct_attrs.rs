//! The struct's `#[cinnabar(table = .., unique(..), index(..), check .., renamed_from = ..)]`.

use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Token};

use super::defs::MODEL_STRUCT_KEYS;
use super::meta::{cinnabar_attrs, key_name, string_value, Errors};

#[derive(Default)]
pub(super) struct StructAttrs {
    pub(super) table: Option<LitStr>,
    pub(super) renamed_from: Option<LitStr>,
    pub(super) uniques: Vec<Vec<Ident>>,
    pub(super) indexes: Vec<Vec<Ident>>,
    /// `(name, sql)` of each `check`.
    pub(super) checks: Vec<(Option<LitStr>, LitStr)>,
    /// `validate_with = path`.
    pub(super) validate_with: Option<syn::Path>,
}

pub(super) fn parse_struct_attrs(attrs: &[Attribute], errors: &mut Errors) -> StructAttrs {
    let mut out = StructAttrs::default();
    for attr in cinnabar_attrs(attrs) {
        let res = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta);
            match key.as_str() {
                "table" => {
                    let lit = string_value(&meta, &out.table, "table")?;
                    out.table = Some(lit);
                }
                "renamed_from" => {
                    let lit = string_value(&meta, &out.renamed_from, "renamed_from")?;
                    out.renamed_from = Some(lit);
                }
                "unique" | "index" => {
                    if !meta.input.peek(syn::token::Paren) {
                        return Err(meta.error(format!(
                            "on the struct, write {key}(column, ...); mark a single field with #[cinnabar({key})] instead"
                        )));
                    }
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let cols = Punctuated::<Ident, Token![,]>::parse_terminated_with(
                        &content,
                        Ident::parse_any,
                    )?;
                    if cols.is_empty() {
                        return Err(meta.error(format!("{key}(...) needs at least one column")));
                    }
                    let cols: Vec<Ident> = cols.into_iter().collect();
                    if key == "unique" {
                        out.uniques.push(cols);
                    } else {
                        out.indexes.push(cols);
                    }
                }
                "validate_with" => {
                    if out.validate_with.is_some() {
                        return Err(super::meta::duplicate(&meta, &key));
                    }
                    out.validate_with = Some(meta.value()?.parse()?);
                }
                "check" => {
                    let (name, sql) = check_attr(&meta)?;
                    if let Some(n) = &name {
                        let taken = out
                            .checks
                            .iter()
                            .any(|(o, _)| o.as_ref().is_some_and(|o| o.value() == n.value()));
                        if taken {
                            return Err(syn::Error::new_spanned(
                                n,
                                format!("two checks are named `{}`", n.value()),
                            ));
                        }
                    }
                    out.checks.push((name, sql));
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown cinnabar struct attribute `{key}`; expected one of: {}",
                        MODEL_STRUCT_KEYS.join(", ")
                    )))
                }
            }
            Ok(())
        });
        if let Err(e) = res {
            errors.push(e);
        }
    }
    out
}

/// `check = "sql"` (a generated name) or `check(name = "...", sql = "...")`.
pub(super) fn check_attr(meta: &ParseNestedMeta<'_>) -> syn::Result<(Option<LitStr>, LitStr)> {
    if meta.input.peek(Token![=]) {
        return Ok((None, string_value(meta, &None::<()>, "check")?));
    }
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(
            "write check = \"<condition>\" or check(name = \"...\", sql = \"<condition>\")",
        ));
    }
    let mut name: Option<LitStr> = None;
    let mut sql: Option<LitStr> = None;
    meta.parse_nested_meta(|inner| {
        match key_name(&inner).as_str() {
            "name" => name = Some(string_value(&inner, &name, "name")?),
            "sql" => sql = Some(string_value(&inner, &sql, "sql")?),
            other => {
                return Err(inner.error(format!(
                    "unknown key `{other}` in check(...); expected name = \"...\", sql = \"...\""
                )))
            }
        }
        Ok(())
    })?;
    match (name, sql) {
        (Some(name), Some(sql)) => Ok((Some(name), sql)),
        (None, _) => Err(meta.error(
            "check(...) needs name = \"...\"; for a generated name write check = \"<condition>\"",
        )),
        (_, None) => Err(meta.error("check(...) needs sql = \"<condition>\"")),
    }
}
