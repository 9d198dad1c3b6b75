//! Code generation: turns a validated [`ModelDef`] or [`RowDef`] into the items the derives
//! emit. Generated code names only `::cinnabar::__private::...`.
//!
//! Every expression that needs a field type to implement a trait is spanned at that field's
//! type, so a type that is not a column type is reported at the field. Local names (`row`,
//! `self`, ...) are never given a user span, which keeps them hygienic when the struct comes
//! from a `macro_rules!` macro.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Type};

use crate::parse::{self, FieldDef, ModelDef, RowDef, SqlTypeOverride};

/// `#[derive(Model)]`: the validated expansion, or the compile errors.
pub(crate) fn derive_model(input: &DeriveInput) -> TokenStream {
    match parse::model(input) {
        Ok(def) => model(&def),
        Err(e) => e.into_compile_error(),
    }
}

/// `#[derive(FromRow)]`: the validated expansion, or the compile errors.
pub(crate) fn derive_from_row(input: &DeriveInput) -> TokenStream {
    match parse::row(input) {
        Ok(def) => from_row(&def),
        Err(e) => e.into_compile_error(),
    }
}

pub(crate) fn private() -> TokenStream {
    quote!(::cinnabar::__private)
}

/// `i` as an unsuffixed literal (`3`, not `3usize`).
fn lit(i: usize) -> Literal {
    Literal::usize_unsuffixed(i)
}

/// A path expression spanned at `ty`, so trait errors point at the field type.
fn at_type(ty: &Type, tokens: TokenStream) -> TokenStream {
    let span = ty.span();
    quote_spanned!(span=> #tokens)
}

/// Everything `#[derive(Model)]` emits.
pub(crate) fn model(def: &ModelDef) -> TokenStream {
    let consts = column_consts(def);
    let p = private();
    let single_pk = {
        let pk: Vec<usize> = def.primary_key().map(|(i, _)| i).collect();
        (pk.len() == 1).then(|| pk[0])
    };
    let column_index = |ident: &syn::Ident| def.fields.iter().position(|f| f.ident == *ident);
    let relation_consts = match crate::relations::consts(
        &p,
        &def.ident,
        &def.vis,
        &def.relations,
        single_pk,
        &column_index,
    ) {
        Ok(tokens) => {
            let ident = &def.ident;
            Ok(quote! {
                #[automatically_derived]
                impl #ident {
                    #tokens
                }
            })
        }
        Err(e) => Err(e.into_compile_error()),
    };
    // Without its constants the relationship table would add unrelated errors: report only
    // the cause.
    let relations_ok = relation_consts.is_ok();
    let relation_consts = relation_consts.unwrap_or_else(|e| e);
    let model_impl = model_impl(def, relations_ok);
    let from_row = model_from_row(def);
    let checks = type_checks(def);
    quote! {
        #consts
        #relation_consts
        #model_impl
        #from_row
        #checks
    }
}

/// `impl Student { pub const name: Column<Student, String> = ...; }`
fn column_consts(def: &ModelDef) -> TokenStream {
    let p = private();
    let ident = &def.ident;
    let vis = &def.vis;
    let consts = def.fields.iter().enumerate().map(|(i, f)| {
        let name = &f.ident;
        let ty = &f.ty;
        let table = &def.table;
        let column = &f.column;
        let idx = lit(i);
        let doc = format!("The column `{table}.{column}`, for building queries.");
        quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            #vis const #name: #p::Column<#ident, #ty> = #p::Column::new(#table, #column, #idx);
        }
    });
    quote! {
        #[automatically_derived]
        impl #ident {
            #(#consts)*
        }
    }
}

/// `"<table>.<column>"` for error messages.
fn qualified(def: &ModelDef, f: &FieldDef) -> String {
    format!("{}.{}", def.table, f.column)
}

fn model_impl(def: &ModelDef, with_relation_table: bool) -> TokenStream {
    let p = private();
    let ident = &def.ident;
    let name = &def.name;
    let pk: Vec<(usize, &FieldDef)> = def.primary_key().collect();

    let columns = def.fields.iter().map(|f| &f.column);
    let pk_idx = pk.iter().map(|(i, _)| lit(*i));
    let generated = match def.generated_key {
        Some(i) => {
            let i = lit(i);
            quote!(::core::option::Option::Some(#i))
        }
        None => quote!(::core::option::Option::None),
    };
    let version = match def.version {
        Some(i) => {
            let i = lit(i);
            quote!(::core::option::Option::Some(#i))
        }
        None => quote!(::core::option::Option::None),
    };
    let server_defaults = def
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.server_default.is_some())
        .map(|(i, _)| lit(i));

    // The key type, the key of `self`, and the key decoded from a row.
    let key_types: Vec<&Type> = pk.iter().map(|(_, f)| f.key_type()).collect();
    let key_parts: Vec<TokenStream> = pk
        .iter()
        .enumerate()
        .map(|(n, (_, f))| {
            let var = quote::format_ident!("__key{}", n);
            let field = &f.ident;
            if f.option_inner.is_some() {
                quote! {
                    let #var = match &self.#field {
                        ::core::option::Option::Some(v) => ::core::clone::Clone::clone(v),
                        ::core::option::Option::None => return ::core::option::Option::None,
                    };
                }
            } else {
                quote!(let #var = ::core::clone::Clone::clone(&self.#field);)
            }
        })
        .collect();
    let key_vars: Vec<_> = (0..pk.len())
        .map(|n| quote::format_ident!("__key{}", n))
        .collect();
    let key_decoders: Vec<TokenStream> = pk
        .iter()
        .map(|(i, f)| {
            let getter = at_type(f.key_type(), {
                let kt = f.key_type();
                quote!(#p::get_at::<#kt>)
            });
            let idx = lit(*i);
            let what = qualified(def, f);
            quote!(#getter(row, offset + #idx, #what))
        })
        .collect();
    let (key_type, key_value, key_from_row) = if pk.len() == 1 {
        let t = key_types[0];
        let v = &key_vars[0];
        let d = &key_decoders[0];
        (quote!(#t), quote!(#v), quote!(#d))
    } else {
        (
            quote!((#(#key_types,)*)),
            quote!((#(#key_vars,)*)),
            quote!(::core::result::Result::Ok((#(#key_decoders?,)*))),
        )
    };
    let key_type = match pk.first() {
        Some((_, f)) => {
            let span = f.key_type().span();
            quote_spanned!(span=> #key_type)
        }
        None => key_type,
    };

    let field_names: Vec<_> = def.fields.iter().map(|f| &f.ident).collect();
    let decode_at = def.fields.iter().enumerate().map(|(i, f)| {
        let ty = &f.ty;
        let idx = lit(i);
        let what = qualified(def, f);
        match declared_decimal(&p, f) {
            // A declared scale is applied on read (SQLite keeps NUMERIC(5, 2)'s 1.50 as 1.5).
            Some(sql_type) => {
                let getter = at_type(ty, quote!(#p::get_column_at::<#ty>));
                quote!(#getter(row, offset + #idx, #what, #sql_type)?)
            }
            None => {
                let getter = at_type(ty, quote!(#p::get_at::<#ty>));
                quote!(#getter(row, offset + #idx, #what)?)
            }
        }
    });
    let value_arms = def.fields.iter().enumerate().map(|(i, f)| {
        let ty = &f.ty;
        let field = &f.ident;
        let to_sql = at_type(ty, quote!(<#ty as #p::ToSql>::to_sql));
        let idx = lit(i);
        quote!(#idx => #to_sql(&self.#field),)
    });
    let changed_arms = def.fields.iter().enumerate().map(|(i, f)| {
        let field = &f.ident;
        let idx = lit(i);
        quote!(#idx => ::core::cmp::PartialEq::ne(&self.#field, &other.#field),)
    });
    let set_arms = def.fields.iter().enumerate().map(|(i, f)| {
        let ty = &f.ty;
        let field = &f.ident;
        let idx = lit(i);
        let context = format!("column {}", qualified(def, f));
        let read = match declared_decimal(&p, f) {
            Some(sql_type) => {
                let from_sql = at_type(ty, quote!(<#ty as #p::FromSql>::from_sql_column));
                quote!(#from_sql(value, #sql_type))
            }
            None => {
                let from_sql = at_type(ty, quote!(<#ty as #p::FromSql>::from_sql));
                quote!(#from_sql(value))
            }
        };
        quote! {
            #idx => {
                self.#field = #read.map_err(|e| e.context(#context))?;
            }
        }
    });
    let out_of_range = quote! {
        #p::Error::misuse(::std::format!(
            "{} has no column at index {} (it has {})", #name, idx, <Self as #p::Model>::COLUMNS.len()
        ))
    };

    let defaults: Vec<TokenStream> = def
        .fields
        .iter()
        .filter_map(|f| {
            let expr = f.default.as_ref()?;
            let field = &f.ident;
            let span = expr.span();
            let some = quote_spanned!(span=> ::core::option::Option::Some(#expr));
            Some(quote! {
                if ::core::option::Option::is_none(&self.#field) {
                    self.#field = #some;
                }
            })
        })
        .collect();
    let apply_defaults = if defaults.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            fn apply_defaults(&mut self) {
                #(#defaults)*
            }
        }
    };

    let table = table_builder(def);
    let validation = crate::validate::model_items(def, &p);
    let relation_inits = crate::relations::not_loaded_inits(&def.relations);
    let relation_table = if with_relation_table {
        crate::relations::table(&p, ident, &def.relations)
    } else {
        TokenStream::new()
    };

    quote! {
        #[automatically_derived]
        impl #p::Model for #ident {
            #relation_table

            type Key = #key_type;
            const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            const PRIMARY_KEY: &'static [usize] = &[#(#pk_idx),*];
            const GENERATED_KEY: ::core::option::Option<usize> = #generated;
            const SERVER_DEFAULTS: &'static [usize] = &[#(#server_defaults),*];
            const VERSION: ::core::option::Option<usize> = #version;
            #validation

            fn table() -> &'static #p::Table {
                static TABLE: #p::OnceLock<#p::Table> = #p::OnceLock::new();
                TABLE.get_or_init(|| #table)
            }

            fn model_name() -> &'static str {
                #name
            }

            fn key(&self) -> ::core::option::Option<Self::Key> {
                #(#key_parts)*
                ::core::option::Option::Some(#key_value)
            }

            fn key_from_row(row: &dyn #p::Row, offset: usize) -> #p::Result<Self::Key> {
                #key_from_row
            }

            fn from_row_at(row: &dyn #p::Row, offset: usize) -> #p::Result<Self> {
                ::core::result::Result::Ok(Self {
                    #(#field_names: #decode_at,)*
                    #relation_inits
                })
            }

            #[inline]
            fn column_value(&self, idx: usize) -> #p::Result<#p::ValueRef<'_>> {
                match idx {
                    #(#value_arms)*
                    _ => ::core::result::Result::Err(#out_of_range),
                }
            }

            fn column_changed(&self, other: &Self, idx: usize) -> bool {
                match idx {
                    #(#changed_arms)*
                    _ => false,
                }
            }

            fn set_column(&mut self, idx: usize, value: #p::ValueRef<'_>) -> #p::Result<()> {
                match idx {
                    #(#set_arms)*
                    _ => return ::core::result::Result::Err(#out_of_range),
                }
                ::core::result::Result::Ok(())
            }

            #apply_defaults
        }
    }
}

/// `SqlType::Decimal(p, s)` for a field declared with `precision`/`scale`: its reads go
/// through `FromSql::from_sql_column` so that the value comes back at the declared scale.
fn declared_decimal(p: &TokenStream, f: &FieldDef) -> Option<TokenStream> {
    match f.sql_type {
        Some(SqlTypeOverride::Decimal {
            precision, scale, ..
        }) => Some(quote!(#p::SqlType::Decimal(#precision, #scale))),
        _ => None,
    }
}

/// The expression building the model's `Table`.
fn table_builder(def: &ModelDef) -> TokenStream {
    let p = private();
    let table = &def.table;
    let columns = def.fields.iter().map(|f| {
        let ty = &f.ty;
        let name = &f.column;
        let sql_type = match f.sql_type {
            Some(SqlTypeOverride::Text { length, .. }) => {
                quote!(#p::SqlType::Text(::core::option::Option::Some(#length)))
            }
            Some(SqlTypeOverride::Decimal {
                precision, scale, ..
            }) => quote!(#p::SqlType::Decimal(#precision, #scale)),
            None => at_type(ty, quote!(<#ty as #p::ColumnType>::SQL_TYPE)),
        };
        let mut modifiers = Vec::new();
        if f.primary_key {
            // Key columns are NOT NULL even when the field is `Option` (unassigned key).
            modifiers.push(quote!(let c = c.primary_key();));
        } else {
            let nullable = at_type(ty, quote!(<#ty as #p::ColumnType>::NULLABLE));
            modifiers.push(quote!(let c = if #nullable { c.nullable() } else { c };));
        }
        if f.autoincrement {
            modifiers.push(quote!(let c = c.autoincrement();));
        }
        if f.unique {
            modifiers.push(quote!(let c = c.unique();));
        }
        if f.index {
            modifiers.push(quote!(let c = c.index();));
        }
        if let Some(sql) = &f.server_default {
            modifiers.push(quote!(let c = c.server_default(#sql);));
        }
        if let Some(old) = &f.renamed_from {
            modifiers.push(quote!(let c = c.renamed_from(#old);));
        }
        quote! {
            .column({
                let c = #p::ColumnDef::new(#name, #sql_type);
                #(#modifiers)*
                c
            })
        }
    });
    let foreign_keys = def.fields.iter().filter_map(|f| {
        let fk = f.foreign_key.as_ref()?;
        let column = &f.column;
        let (ref_table, ref_column) = (&fk.table, &fk.column);
        let on_delete = fk.on_delete.map(|a| {
            let variant = syn::Ident::new(a.variant(), Span::call_site());
            quote!(.on_delete(#p::ReferentialAction::#variant))
        });
        // A relationship declared `post_update` over this column may close a cycle: the
        // constraint is added after the tables (`use_alter`).
        let use_alter = def
            .relations
            .iter()
            .any(|r| r.post_update && r.foreign_key == f.ident)
            .then(|| quote!(.use_alter()));
        Some(quote! {
            .foreign_key(#p::ForeignKey::new(#column, #ref_table, #ref_column) #on_delete #use_alter)
        })
    });
    let uniques = def
        .uniques
        .iter()
        .map(|cols| quote!(.unique(&[#(#cols),*])));
    let indexes = def.indexes.iter().map(|ix| {
        let name = &ix.name;
        let cols = &ix.columns;
        quote!(.index(#name, &[#(#cols),*], false))
    });
    let checks = def.checks.iter().map(|c| {
        let sql = &c.sql;
        let name = match &c.name {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        };
        quote!(.check(#name, #sql))
    });
    let rule_checks = crate::validate::rule_checks(def, &p);
    let renamed = def
        .renamed_from
        .as_ref()
        .map(|old| quote!(.renamed_from(#old)));
    quote! {
        #p::Table::new(#table)
            #renamed
            #(#columns)*
            #(#foreign_keys)*
            #(#uniques)*
            #(#indexes)*
            #(#checks)*
            #(#rule_checks)*
    }
}

/// `impl FromRow for Student`, by column name.
fn model_from_row(def: &ModelDef) -> TokenStream {
    let p = private();
    let ident = &def.ident;
    let fields = def.fields.iter().map(|f| {
        let ty = &f.ty;
        let field = &f.ident;
        let column = &f.column;
        let getter = at_type(ty, quote!(#p::get_named::<#ty>));
        quote!(#field: #getter(row, #column)?,)
    });
    let inits = crate::relations::not_loaded_inits(&def.relations);
    quote! {
        #[automatically_derived]
        impl #p::FromRow for #ident {
            fn from_row(row: &dyn #p::Row) -> #p::Result<Self> {
                ::core::result::Result::Ok(Self { #(#fields)* #inits })
            }
        }
    }
}

/// Compile-time checks that `length` sits on a text field and `precision` on a decimal one
/// (a float in a DECIMAL column would not read back on every backend: SQLite stores
/// decimals as text).
///
/// That every field type is a `ColumnType` needs no extra item: the table builder requires
/// it of each field (`SQL_TYPE` or `NULLABLE`, spanned at the type), as do these checks.
fn type_checks(def: &ModelDef) -> TokenStream {
    let p = private();
    let checks: Vec<TokenStream> = def
        .fields
        .iter()
        .filter_map(|f| {
            let ty = &f.ty;
            let sql_type = at_type(ty, quote!(<#ty as #p::ColumnType>::SQL_TYPE));
            let (span, pattern, msg) = match f.sql_type? {
                SqlTypeOverride::Text { span, .. } => (
                    span,
                    quote!(#p::SqlType::Text(_)),
                    format!("`length` applies to text fields, and `{}` is not one", f.ident),
                ),
                SqlTypeOverride::Decimal { span, .. } => (
                    span,
                    quote!(#p::SqlType::Decimal(..)),
                    format!(
                        "`precision` applies to decimal fields (rust_decimal::Decimal), and `{}` is not one",
                        f.ident
                    ),
                ),
            };
            Some(quote_spanned! {span=>
                ::core::assert!(::core::matches!(#sql_type, #pattern), #msg);
            })
        })
        .collect();
    if checks.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const _: () = {
            #(#checks)*
        };
    }
}

/// Everything `#[derive(FromRow)]` emits.
pub(crate) fn from_row(def: &RowDef) -> TokenStream {
    let p = private();
    let ident = &def.ident;
    let mut generics = def.generics.clone();
    if !generics.params.is_empty() {
        let where_clause = generics.make_where_clause();
        for f in &def.fields {
            let ty = &f.ty;
            where_clause
                .predicates
                .push(syn::parse_quote!(#ty: #p::FromSql));
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let fields = def.fields.iter().map(|f| {
        let ty = &f.ty;
        let field = &f.ident;
        let column = &f.column;
        let getter = at_type(ty, quote!(#p::get_named::<#ty>));
        quote!(#field: #getter(row, #column)?,)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #p::FromRow for #ident #ty_generics #where_clause {
            fn from_row(row: &dyn #p::Row) -> #p::Result<Self> {
                ::core::result::Result::Ok(Self { #(#fields)* })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(input: DeriveInput) -> String {
        let tokens = derive_model(&input);
        syn::parse2::<syn::File>(tokens.clone()).expect("expansion parses as items");
        tokens.to_string()
    }

    /// Token strings without spaces, for robust `contains` checks.
    fn squash(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[test]
    fn student_expansion() {
        let out = squash(&expand(parse_quote! {
            #[derive(Clone)]
            #[cinnabar(table = "students", unique(name, course), index(course))]
            pub struct Student {
                #[cinnabar(primary_key)]
                id: Option<i64>,
                #[cinnabar(length = 50)]
                name: String,
                #[cinnabar(default = String::from("Python"))]
                course: Option<String>,
                #[cinnabar(server_default = "CURRENT_TIMESTAMP")]
                created: Option<String>,
                #[cinnabar(foreign_key = "courses.id", on_delete = "cascade")]
                course_id: i64,
            }
        }));
        for needle in [
            "pubconstname:::cinnabar::__private::Column<Student,String>=::cinnabar::__private::Column::new(\"students\",\"name\",1);",
            "typeKey=i64;",
            "constCOLUMNS:&'static[&'staticstr]=&[\"id\",\"name\",\"course\",\"created\",\"course_id\"];",
            "constPRIMARY_KEY:&'static[usize]=&[0];",
            "constGENERATED_KEY:::core::option::Option<usize>=::core::option::Option::Some(0);",
            "constSERVER_DEFAULTS:&'static[usize]=&[3];",
            "SqlType::Text(::core::option::Option::Some(50u32))",
            "letc=c.primary_key();letc=c.autoincrement();",
            "letc=c.server_default(\"CURRENT_TIMESTAMP\");",
            ".foreign_key(::cinnabar::__private::ForeignKey::new(\"course_id\",\"courses\",\"id\").on_delete(::cinnabar::__private::ReferentialAction::Cascade))",
            ".unique(&[\"name\",\"course\"])",
            ".index(\"ix_students_course\",&[\"course\"],false)",
            "get_at::<Option<i64>>(row,offset+0,\"students.id\")?",
            "fnkey_from_row(row:&dyn::cinnabar::__private::Row,offset:usize)->::cinnabar::__private::Result<Self::Key>{::cinnabar::__private::get_at::<i64>(row,offset+0,\"students.id\")}",
            "get_named::<String>(row,\"name\")?",
            "self.course=::core::option::Option::Some(String::from(\"Python\"));",
            "fnmodel_name()->&'staticstr{\"Student\"}",
            "e.context(\"columnstudents.created\")",
        ] {
            assert!(out.contains(needle), "missing {needle}\nin {out}");
        }
    }

    #[test]
    fn renamed_from_expansion() {
        let out = squash(&expand(parse_quote! {
            #[cinnabar(table = "modules", renamed_from = "courses")]
            struct Module {
                #[cinnabar(primary_key)]
                id: i64,
                #[cinnabar(renamed_from = "course")]
                course_code: String,
            }
        }));
        for needle in [
            "::cinnabar::__private::Table::new(\"modules\").renamed_from(\"courses\")",
            "letc=c.renamed_from(\"course\");",
        ] {
            assert!(out.contains(needle), "missing {needle}\nin {out}");
        }
        assert_eq!(out.matches("renamed_from(").count(), 2, "{out}");
    }

    #[test]
    fn composite_key_expansion() {
        let out = squash(&expand(parse_quote! {
            struct CourseStudent {
                #[cinnabar(primary_key)]
                student_id: i64,
                #[cinnabar(primary_key, column = "course")]
                course_id: Option<i32>,
                #[cinnabar(precision = 10, scale = 2)]
                fee: Decimal,
            }
        }));
        for needle in [
            "typeKey=(i64,i32,);",
            "constGENERATED_KEY:::core::option::Option<usize>=::core::option::Option::None;",
            "::core::option::Option::None=>return::core::option::Option::None",
            "::core::option::Option::Some((__key0,__key1,))",
            "::core::result::Result::Ok((::cinnabar::__private::get_at::<i64>(row,offset+0,\"course_student.student_id\")?,::cinnabar::__private::get_at::<i32>(row,offset+1,\"course_student.course\")?,))",
            "SqlType::Decimal(10u8,2u8)",
            // A declared scale is applied when the decimal is read (SQLite's REAL 1.5 is 1.50).
            "get_column_at::<Decimal>(row,offset+2,\"course_student.fee\",::cinnabar::__private::SqlType::Decimal(10u8,2u8))?",
            "Column::new(\"course_student\",\"course\",1)",
        ] {
            assert!(out.contains(needle), "missing {needle}\nin {out}");
        }
        // No Rust-side defaults: the trait's empty default method is kept.
        assert!(!out.contains("fnapply_defaults"), "{out}");
        // The composite key columns are NOT NULL, not autoincrement.
        assert!(!out.contains("autoincrement()"), "{out}");
    }

    #[test]
    fn check_constraints_expansion() {
        let out = squash(&expand(parse_quote! {
            #[cinnabar(table = "people", check = "age >= 0")]
            #[cinnabar(check(name = "age_below_200", sql = "age < 200"))]
            struct Person {
                #[cinnabar(primary_key)]
                id: Option<i64>,
                age: i32,
            }
        }));
        let needle = ".check(::core::option::Option::None,\"age>=0\").check(::core::option::Option::Some(\"age_below_200\"),\"age<200\")";
        assert!(out.contains(needle), "missing {needle}\nin {out}");
    }

    #[test]
    fn validation_expansion() {
        // Without rules nothing is emitted: the trait's `VALIDATES = false` applies.
        let plain = squash(&expand(parse_quote! {
            struct Plain {
                #[cinnabar(primary_key)]
                id: Option<i64>,
                name: String,
            }
        }));
        assert!(!plain.contains("VALIDATES"), "{plain}");
        assert!(!plain.contains("check_rule"), "{plain}");
        let out = squash(&expand(parse_quote! {
            #[cinnabar(validate_with = crate::rules::person)]
            struct Person {
                #[cinnabar(primary_key)]
                id: Option<i64>,
                #[cinnabar(validate(length(max = 5), pattern = "^a"))]
                name: String,
                #[cinnabar(validate(sensitive, range(min = -1, max = 9)))]
                age: i32,
            }
        }));
        for needle in [
            "constVALIDATES:bool=true;",
            "field:\"name\",column:1usize,sensitive:false",
            "Rule::Length{min:::core::option::Option::None,max:::core::option::Option::Some(5u64)}",
            "field:\"age\",column:2usize,sensitive:true",
            "Bound::Int(-1i64)",
            ".check_rule(::cinnabar::__private::CheckRule::Length{column:::std::string::String::from(\"name\")",
            "=crate::rules::person;",
        ] {
            assert!(out.contains(needle), "missing {needle}\nin {out}");
        }
    }

    #[test]
    fn errors_become_compile_errors() {
        let out = derive_model(&parse_quote! { struct S { id: i64 } }).to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("a Model needs a primary key"), "{out}");
    }

    #[test]
    fn from_row_expansion() {
        let input: DeriveInput = parse_quote! {
            struct Wrapper<T> {
                #[cinnabar(column = "n")]
                count: i64,
                value: T,
            }
        };
        let tokens = derive_from_row(&input);
        syn::parse2::<syn::File>(tokens.clone()).unwrap();
        let out = squash(&tokens.to_string());
        for needle in [
            "impl<T>::cinnabar::__private::FromRowforWrapper<T>wherei64:::cinnabar::__private::FromSql,T:::cinnabar::__private::FromSql",
            "count:::cinnabar::__private::get_named::<i64>(row,\"n\")?",
            "value:::cinnabar::__private::get_named::<T>(row,\"value\")?",
        ] {
            assert!(out.contains(needle), "missing {needle}\nin {out}");
        }
    }
}
