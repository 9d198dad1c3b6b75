//! `#[derive(FromRow)]` input: one optional `column = "..."` per field.

use syn::ext::IdentExt;
use syn::{DeriveInput, LitStr};

use super::defs::{RowDef, RowField};
use super::meta::{cinnabar_attrs, key_name, named_fields, string_value, Errors};

/// Parses and validates a `#[derive(FromRow)]` input.
pub(crate) fn row(input: &DeriveInput) -> syn::Result<RowDef> {
    let raw_fields = named_fields(input, "FromRow")?;
    let mut errors = Errors::default();
    for attr in cinnabar_attrs(&input.attrs) {
        errors.push(syn::Error::new_spanned(
            attr,
            "#[derive(FromRow)] takes no struct attributes; only fields accept #[cinnabar(column = \"...\")]",
        ));
    }
    let mut fields = Vec::with_capacity(raw_fields.len());
    for field in raw_fields {
        let ident = field.ident.clone().expect("named field");
        let mut column: Option<LitStr> = None;
        for attr in cinnabar_attrs(&field.attrs) {
            let res = attr.parse_nested_meta(|meta| {
                let key = key_name(&meta);
                if key == "column" {
                    let lit = string_value(&meta, &column, "column")?;
                    column = Some(lit);
                    Ok(())
                } else {
                    Err(meta.error(format!(
                        "unknown cinnabar attribute `{key}` for #[derive(FromRow)]; the only valid one is: column"
                    )))
                }
            });
            if let Err(e) = res {
                errors.push(e);
            }
        }
        let column = column.map_or_else(|| ident.unraw().to_string(), |l| l.value());
        fields.push(RowField {
            ident,
            ty: field.ty.clone(),
            column,
        });
    }
    errors.finish()?;
    Ok(RowDef {
        ident: input.ident.clone(),
        generics: input.generics.clone(),
        fields,
    })
}
