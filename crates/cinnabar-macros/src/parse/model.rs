//! `#[derive(Model)]` input: the checks that span fields (primary and generated keys, the
//! version column, renames, duplicate columns) and the struct-level lists.

use syn::ext::IdentExt;
use syn::{DeriveInput, Ident, LitStr};

use super::defs::{CheckDef, FieldDef, IndexDef, ModelDef};
use super::field_attrs::{check_field, parse_field_attrs, FieldAttrs};
use super::meta::{named_fields, Errors};
use super::struct_attrs::parse_struct_attrs;
use super::types::{is_generated_key_type, snake_case, GENERATED_KEY_TYPES};

/// Parses and validates a `#[derive(Model)]` input.
pub(crate) fn model(input: &DeriveInput) -> syn::Result<ModelDef> {
    let raw_fields = named_fields(input, "Model")?;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "#[derive(Model)] does not support generic parameters",
        ));
    }
    let mut errors = Errors::default();
    let struct_attrs = parse_struct_attrs(&input.attrs, &mut errors);
    let name = input.ident.unraw().to_string();
    let table = struct_attrs
        .table
        .as_ref()
        .map_or_else(|| snake_case(&name), LitStr::value);

    let mut parsed: Vec<(FieldDef, FieldAttrs)> = Vec::with_capacity(raw_fields.len());
    let mut relations = Vec::new();
    for field in raw_fields {
        let ident = field.ident.clone().expect("named field");
        if let Some((kind, target)) = crate::relations::relation_type(&field.ty) {
            match crate::relations::parse(&ident, kind, target, &field.attrs) {
                Ok(r) => relations.push(r),
                Err(e) => errors.push(e),
            }
            continue;
        }
        let attrs = parse_field_attrs(&field.attrs, &mut errors);
        let def = check_field(ident, field.ty.clone(), &attrs, &mut errors);
        parsed.push((def, attrs));
    }

    // Duplicate column names.
    for (i, (f, a)) in parsed.iter().enumerate() {
        if parsed[..i].iter().any(|(o, _)| o.column == f.column) {
            let msg = format!("column `{}` is declared twice in `{}`", f.column, table);
            errors.push(match &a.column {
                Some(lit) => syn::Error::new_spanned(lit, msg),
                None => syn::Error::new_spanned(&f.ident, msg),
            });
        }
    }

    // Primary key and the generated key.
    let pk_count = parsed.iter().filter(|(f, _)| f.primary_key).count();
    if pk_count == 0 {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "a Model needs a primary key: mark a field #[cinnabar(primary_key)]",
        ));
    }
    let mut generated_key = None;
    for (i, (f, a)) in parsed.iter_mut().enumerate() {
        let int_key = f.option_inner.as_ref().is_some_and(is_generated_key_type);
        if let Some((on, span)) = a.autoincrement {
            // `autoincrement = false` on a key that would not be generated anyway is allowed.
            let problem = if !f.primary_key {
                Some("autoincrement applies only to a primary key field".to_string())
            } else if !on {
                None
            } else if pk_count > 1 {
                Some("autoincrement is not supported on a composite primary key".to_string())
            } else if !int_key {
                Some(format!(
                    "autoincrement needs the key field to be {} (None until the database assigns the key)",
                    GENERATED_KEY_TYPES
                        .iter()
                        .map(|t| format!("Option<{t}>"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            } else {
                None
            };
            if let Some(msg) = problem {
                errors.push(syn::Error::new(span, msg));
                continue;
            }
        }
        let wanted = !matches!(a.autoincrement, Some((false, _)));
        if f.primary_key && pk_count == 1 && int_key && wanted {
            f.autoincrement = true;
            generated_key = Some(i);
        }
    }

    // The version column: one, an integer, not part of the key.
    let mut version = None;
    for (i, (f, a)) in parsed.iter().enumerate() {
        let Some(span) = a.version else { continue };
        let problem = if f.primary_key {
            Some("a version column cannot be part of the primary key")
        } else if f.option_inner.is_some() || !is_generated_key_type(&f.ty) {
            Some("a version column must be i64, i32 or i16 (not Option): the session sets it to 1 at INSERT and adds 1 at every UPDATE")
        } else if version.is_some() {
            Some("a model has at most one version column")
        } else {
            None
        };
        match problem {
            Some(msg) => errors.push(syn::Error::new(span, msg)),
            None => version = Some(i),
        }
    }

    // Renames: the old name is another name than the new one and than every other column's,
    // and no two fields claim the same old column.
    for (i, (f, a)) in parsed.iter().enumerate() {
        let Some(lit) = &a.renamed_from else { continue };
        let old = lit.value();
        let problem = if old == f.column {
            Some(format!(
                "renamed_from = {old:?} is this column's own name; give the name it had before"
            ))
        } else if parsed.iter().any(|(o, _)| o.column == old) {
            Some(format!(
                "renamed_from = {old:?} names a column the model still has; a renamed column's \
                 old name must be gone from the model"
            ))
        } else if parsed[..i]
            .iter()
            .any(|(o, _)| o.renamed_from.as_deref() == Some(old.as_str()))
        {
            Some(format!("two fields are renamed_from {old:?}"))
        } else {
            None
        };
        if let Some(msg) = problem {
            errors.push(syn::Error::new_spanned(lit, msg));
        }
    }
    if let Some(lit) = &struct_attrs.renamed_from {
        if lit.value() == table {
            errors.push(syn::Error::new_spanned(
                lit,
                format!(
                    "renamed_from = {:?} is the table's own name; give the name it had before",
                    table
                ),
            ));
        }
    }

    let fields: Vec<FieldDef> = parsed.into_iter().map(|(f, _)| f).collect();
    let mut uniques = Vec::new();
    for list in &struct_attrs.uniques {
        if let Some(cols) = resolve_columns(list, &fields, &name, &mut errors) {
            uniques.push(cols);
        }
    }
    let mut indexes = Vec::new();
    for list in &struct_attrs.indexes {
        if let Some(columns) = resolve_columns(list, &fields, &name, &mut errors) {
            indexes.push(IndexDef {
                name: format!("ix_{}_{}", table, columns.join("_")),
                columns,
            });
        }
    }

    let checks = struct_attrs
        .checks
        .iter()
        .map(|(name, sql)| CheckDef {
            name: name.as_ref().map(LitStr::value),
            sql: sql.value(),
        })
        .collect();

    errors.finish()?;
    Ok(ModelDef {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        name,
        table,
        renamed_from: struct_attrs.renamed_from.as_ref().map(LitStr::value),
        fields,
        uniques,
        indexes,
        checks,
        generated_key,
        version,
        relations,
        validate_with: struct_attrs.validate_with.clone(),
    })
}

/// Maps the identifiers of a struct-level `unique(...)`/`index(...)` to column names.
pub(super) fn resolve_columns(
    list: &[Ident],
    fields: &[FieldDef],
    model: &str,
    errors: &mut Errors,
) -> Option<Vec<String>> {
    let mut cols: Vec<String> = Vec::with_capacity(list.len());
    let mut ok = true;
    for ident in list {
        let wanted = ident.unraw().to_string();
        let found = fields
            .iter()
            .find(|f| f.ident.unraw() == wanted)
            .or_else(|| fields.iter().find(|f| f.column == wanted));
        match found {
            Some(f) if cols.contains(&f.column) => {
                errors.push(syn::Error::new_spanned(
                    ident,
                    format!("column `{}` is listed twice", f.column),
                ));
                ok = false;
            }
            Some(f) => cols.push(f.column.clone()),
            None => {
                errors.push(syn::Error::new_spanned(
                    ident,
                    format!("`{model}` has no field or column named `{wanted}`"),
                ));
                ok = false;
            }
        }
    }
    ok.then_some(cols)
}
