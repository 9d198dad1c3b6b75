//! What `validate(..)` and `validate_with` expand to: the model's constant rule table
//! (`Model::FIELD_RULES`, interpreted by `cinnabar_orm::validate_object`), `VALIDATES`, the
//! `validate_model` hook, and the CHECK constraints of the rules that have a SQL form.

use proc_macro2::TokenStream;
use quote::quote;

use crate::parse::{ModelDef, Number, OneOf};

/// The `Model` items for validation; empty for a model without rules or hook, so the trait's
/// defaults (`VALIDATES = false`) apply.
pub(crate) fn model_items(def: &ModelDef, p: &TokenStream) -> TokenStream {
    let entries: Vec<TokenStream> = def
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.validate.has_rules() || f.validate.sensitive)
        .map(|(i, f)| {
            let v = &f.validate;
            let mut rules = Vec::new();
            if let Some((min, max, _)) = &v.length {
                let (min, max) = (opt(min.map(|m| quote!(#m))), opt(max.map(|m| quote!(#m))));
                rules.push(quote!(#p::Rule::Length { min: #min, max: #max }));
            }
            if let Some((min, max, _)) = &v.range {
                let b = |n: &Option<Number>| opt(n.map(|n| bound(p, n)));
                let (min, max) = (b(min), b(max));
                rules.push(quote!(#p::Rule::Range { min: #min, max: #max }));
            }
            if let Some((values, _)) = &v.one_of {
                rules.push(match values {
                    OneOf::Text(t) => quote!(#p::Rule::OneOfText(&[#(#t),*])),
                    OneOf::Int(n) => quote!(#p::Rule::OneOfInt(&[#(#n),*])),
                });
            }
            if let Some(pattern) = &v.pattern {
                rules.push(quote! {
                    #p::Rule::Pattern {
                        source: #pattern,
                        cache: {
                            fn cache() -> &'static #p::OnceLock<::core::option::Option<#p::Regex>> {
                                static CACHE: #p::OnceLock<::core::option::Option<#p::Regex>> =
                                    #p::OnceLock::new();
                                &CACHE
                            }
                            cache
                        },
                    }
                });
            }
            let field = f.ident.to_string();
            let field = field.strip_prefix("r#").unwrap_or(&field);
            let sensitive = v.sensitive;
            let column = i;
            quote! {
                #p::FieldRules {
                    field: #field,
                    column: #column,
                    sensitive: #sensitive,
                    rules: &[#(#rules),*],
                }
            }
        })
        .collect();
    if entries.is_empty() && def.validate_with.is_none() {
        return TokenStream::new();
    }
    let hook = def.validate_with.as_ref().map(|path| {
        // Spanned at the path, so a function of another shape is reported there.
        let span = syn::spanned::Spanned::span(path);
        let f = quote::quote_spanned! {span=>
            let f: fn(&Self) -> ::core::result::Result<(), #p::ValidationErrors> = #path;
        };
        quote! {
            fn validate_model(&self) -> ::core::result::Result<(), #p::ValidationErrors> {
                #f
                f(self)
            }
        }
    });
    quote! {
        const VALIDATES: bool = true;
        const FIELD_RULES: &'static [#p::FieldRules] = &[#(#entries),*];
        #hook
    }
}

/// `.check_rule(..)` for each rule with a SQL form (length, range, one_of).
pub(crate) fn rule_checks(def: &ModelDef, p: &TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in &def.fields {
        let v = &f.validate;
        let column = &f.column;
        if let Some((min, max, _)) = &v.length {
            let (min, max) = (opt(min.map(|m| quote!(#m))), opt(max.map(|m| quote!(#m))));
            out.push(quote! {
                .check_rule(#p::CheckRule::Length {
                    column: ::std::string::String::from(#column), min: #min, max: #max,
                })
            });
        }
        if let Some((min, max, _)) = &v.range {
            let b = |n: &Option<Number>| opt(n.map(|n| rule_value(p, n)));
            let (min, max) = (b(min), b(max));
            out.push(quote! {
                .check_rule(#p::CheckRule::Range {
                    column: ::std::string::String::from(#column), min: #min, max: #max,
                })
            });
        }
        if let Some((values, _)) = &v.one_of {
            let values: Vec<TokenStream> = match values {
                OneOf::Text(t) => t
                    .iter()
                    .map(|t| quote!(#p::RuleValue::Text(::std::string::String::from(#t))))
                    .collect(),
                OneOf::Int(n) => n.iter().map(|n| quote!(#p::RuleValue::Int(#n))).collect(),
            };
            out.push(quote! {
                .check_rule(#p::CheckRule::OneOf {
                    column: ::std::string::String::from(#column),
                    values: ::std::vec![#(#values),*],
                })
            });
        }
    }
    out
}

fn opt(t: Option<TokenStream>) -> TokenStream {
    match t {
        Some(t) => quote!(::core::option::Option::Some(#t)),
        None => quote!(::core::option::Option::None),
    }
}

fn bound(p: &TokenStream, n: Number) -> TokenStream {
    match n {
        Number::Int(i) => quote!(#p::Bound::Int(#i)),
        Number::Float(f) => quote!(#p::Bound::Float(#f)),
    }
}

fn rule_value(p: &TokenStream, n: Number) -> TokenStream {
    match n {
        Number::Int(i) => quote!(#p::RuleValue::Int(#i)),
        Number::Float(f) => quote!(#p::RuleValue::Float(#f)),
    }
}
