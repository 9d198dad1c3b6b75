//! A column field's `#[cinnabar(...)]`: reading every key, then the checks that need only
//! this field (defaults need `Option`, length vs precision, the foreign key's form,
//! `on_delete`).

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitBool, LitInt, LitStr, Token, Type};

use super::defs::{FieldDef, ForeignKeyDef, OnDelete, SqlTypeOverride, MODEL_FIELD_KEYS};
use super::meta::{cinnabar_attrs, duplicate, flag, int_value, key_name, string_value, Errors};
use super::types::option_inner;

#[derive(Default)]
pub(super) struct FieldAttrs {
    pub(super) primary_key: Option<Span>,
    pub(super) autoincrement: Option<(bool, Span)>,
    pub(super) column: Option<LitStr>,
    pub(super) length: Option<(u32, Span)>,
    pub(super) precision: Option<(u8, Span)>,
    pub(super) scale: Option<(u8, Span)>,
    pub(super) unique: Option<Span>,
    pub(super) index: Option<Span>,
    pub(super) default: Option<(Expr, Span)>,
    pub(super) server_default: Option<LitStr>,
    pub(super) foreign_key: Option<LitStr>,
    pub(super) on_delete: Option<LitStr>,
    pub(super) version: Option<Span>,
    pub(super) renamed_from: Option<LitStr>,
    pub(super) validate: super::validate::ValidateDef,
}

pub(super) fn parse_field_attrs(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut a = FieldAttrs::default();
    for attr in cinnabar_attrs(attrs) {
        let res = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta);
            match key.as_str() {
                "primary_key" => a.primary_key = Some(flag(&meta, &a.primary_key, &key)?),
                "unique" => a.unique = Some(flag(&meta, &a.unique, &key)?),
                "index" => a.index = Some(flag(&meta, &a.index, &key)?),
                "version" => a.version = Some(flag(&meta, &a.version, &key)?),
                "autoincrement" => {
                    if a.autoincrement.is_some() {
                        return Err(duplicate(&meta, &key));
                    }
                    let on = if meta.input.peek(Token![=]) {
                        meta.value()?.parse::<LitBool>()?.value
                    } else {
                        true
                    };
                    a.autoincrement = Some((on, meta.path.span()));
                }
                "column" => a.column = Some(string_value(&meta, &a.column, &key)?),
                "server_default" => {
                    a.server_default = Some(string_value(&meta, &a.server_default, &key)?)
                }
                "foreign_key" => a.foreign_key = Some(string_value(&meta, &a.foreign_key, &key)?),
                "on_delete" => a.on_delete = Some(string_value(&meta, &a.on_delete, &key)?),
                "renamed_from" => {
                    a.renamed_from = Some(string_value(&meta, &a.renamed_from, &key)?)
                }
                "validate" => super::validate::parse_validate(&meta, &mut a.validate)?,
                "length" => a.length = Some(int_value(&meta, &a.length, &key)?),
                "precision" => a.precision = Some(int_value(&meta, &a.precision, &key)?),
                "scale" => {
                    if a.scale.is_some() {
                        return Err(duplicate(&meta, &key));
                    }
                    // Zero is a valid scale.
                    let lit: LitInt = meta.value()?.parse()?;
                    a.scale = Some((lit.base10_parse()?, lit.span()));
                }
                "default" => {
                    if a.default.is_some() {
                        return Err(duplicate(&meta, &key));
                    }
                    let span = meta.path.span();
                    let expr: Expr = meta.value()?.parse()?;
                    a.default = Some((expr, span));
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown cinnabar attribute `{key}`; expected one of: {}",
                        MODEL_FIELD_KEYS.join(", ")
                    )))
                }
            }
            Ok(())
        });
        if let Err(e) = res {
            errors.push(e);
        }
    }
    a
}

/// Builds a field from its attributes, reporting the checks that need only this field.
pub(super) fn check_field(ident: Ident, ty: Type, a: &FieldAttrs, errors: &mut Errors) -> FieldDef {
    let option_inner = option_inner(&ty).cloned();
    let column = a
        .column
        .as_ref()
        .map_or_else(|| ident.unraw().to_string(), LitStr::value);

    if let Some((_, span)) = &a.default {
        if option_inner.is_none() {
            errors.push(syn::Error::new(
                *span,
                "default = ... applies when the field is None; make the field Option<T>",
            ));
        }
    }
    if let Some(lit) = &a.server_default {
        if option_inner.is_none() {
            errors.push(syn::Error::new_spanned(
                lit,
                "server_default = ... applies when the field is None (the database fills it in); make the field Option<T>",
            ));
        }
    }

    let sql_type = match (a.length, a.precision, a.scale) {
        (Some(_), Some((_, span)), _) => {
            errors.push(syn::Error::new(
                span,
                "`length` (text) and `precision` (decimal) cannot both be set",
            ));
            None
        }
        (Some((length, span)), None, None) => Some(SqlTypeOverride::Text { length, span }),
        (_, None, Some((_, span))) => {
            errors.push(syn::Error::new(span, "`scale` needs `precision`"));
            None
        }
        (None, Some((precision, span)), scale) => {
            let scale = scale.map_or(0, |(s, _)| s);
            if scale > precision {
                errors.push(syn::Error::new(
                    a.scale.map_or(span, |(_, s)| s),
                    format!("`scale` ({scale}) cannot exceed `precision` ({precision})"),
                ));
            }
            Some(SqlTypeOverride::Decimal {
                precision,
                scale,
                span,
            })
        }
        (None, None, None) => None,
    };

    let mut foreign_key = None;
    if let Some(lit) = &a.foreign_key {
        let target = lit.value();
        match target.rsplit_once('.') {
            Some((t, c))
                if !t.is_empty()
                    && !c.is_empty()
                    && !target.chars().any(char::is_whitespace) =>
            {
                foreign_key = Some(ForeignKeyDef {
                    table: t.to_string(),
                    column: c.to_string(),
                    on_delete: None,
                });
            }
            _ => errors.push(syn::Error::new_spanned(
                lit,
                format!("foreign_key = {target:?} must have the form \"table.column\", e.g. \"courses.id\""),
            )),
        }
    }
    if let Some(lit) = &a.on_delete {
        match OnDelete::parse(&lit.value()) {
            None => errors.push(syn::Error::new_spanned(
                lit,
                format!(
                    "unknown on_delete action {:?}; expected one of: {}",
                    lit.value(),
                    OnDelete::VALID
                ),
            )),
            Some(_) if a.foreign_key.is_none() => errors.push(syn::Error::new_spanned(
                lit,
                "on_delete needs foreign_key = \"table.column\" on the same field",
            )),
            Some(OnDelete::SetNull) if option_inner.is_none() => {
                errors.push(syn::Error::new_spanned(
                    lit,
                    "on_delete = \"set null\" needs a nullable field: make it Option<T>",
                ))
            }
            Some(action) => {
                if let Some(fk) = &mut foreign_key {
                    fk.on_delete = Some(action);
                }
            }
        }
    }

    let value_ty = option_inner.as_ref().unwrap_or(&ty);
    for e in super::validate::check_fits(&a.validate, value_ty) {
        errors.push(e);
    }

    FieldDef {
        validate: a.validate.clone(),
        ident,
        ty,
        option_inner,
        column,
        primary_key: a.primary_key.is_some(),
        autoincrement: false,
        sql_type,
        unique: a.unique.is_some(),
        index: a.index.is_some(),
        default: a.default.as_ref().map(|(e, _)| e.clone()),
        server_default: a.server_default.as_ref().map(LitStr::value),
        foreign_key,
        renamed_from: a.renamed_from.as_ref().map(LitStr::value),
    }
}
