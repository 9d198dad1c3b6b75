//! Parsing: turns a `syn::DeriveInput` into a validated [`ModelDef`] or [`RowDef`], checking
//! every `#[cinnabar(...)]` attribute and reporting each mistake at its own span.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Expr, Fields, GenericArgument, Generics, Ident, LitBool, LitInt,
    LitStr, PathArguments, Token, Type, Visibility,
};

/// Keys accepted inside a field's `#[cinnabar(...)]` for `#[derive(Model)]`.
pub(crate) const MODEL_FIELD_KEYS: &[&str] = &[
    "primary_key",
    "autoincrement",
    "column",
    "length",
    "precision",
    "scale",
    "unique",
    "index",
    "default",
    "server_default",
    "foreign_key",
    "on_delete",
    "version",
    "renamed_from",
];

/// Keys accepted inside the struct's `#[cinnabar(...)]` for `#[derive(Model)]`.
pub(crate) const MODEL_STRUCT_KEYS: &[&str] = &[
    "table",
    "unique(...)",
    "index(...)",
    "check = \"...\"",
    "check(name = \"...\", sql = \"...\")",
    "renamed_from",
];

/// Integer types whose `Option` makes a single primary key database-generated.
const GENERATED_KEY_TYPES: &[&str] = &["i64", "i32", "i16"];

/// A struct deriving `Model`, with every attribute validated.
#[derive(Debug)]
pub(crate) struct ModelDef {
    /// The struct's name.
    pub ident: Ident,
    /// The struct's visibility, given to the column constants.
    pub vis: Visibility,
    /// The model's name for messages (the struct name without `r#`).
    pub name: String,
    /// The table name.
    pub table: String,
    /// The table's previous name (`renamed_from = "old"`), a hint for migrations.
    pub renamed_from: Option<String>,
    /// One per field, in declaration order (= column order).
    pub fields: Vec<FieldDef>,
    /// Multi-column unique constraints, as column names.
    pub uniques: Vec<Vec<String>>,
    /// Multi-column indexes.
    pub indexes: Vec<IndexDef>,
    /// CHECK constraints, in declaration order.
    pub checks: Vec<CheckDef>,
    /// Position of the database-generated key field, if any.
    pub generated_key: Option<usize>,
    /// Position of the `#[cinnabar(version)]` field (optimistic concurrency), if any.
    pub version: Option<usize>,
    /// Relationship fields (not columns).
    pub relations: Vec<crate::relations::RelationDef>,
}

impl ModelDef {
    /// The primary-key fields with their positions, in field order.
    pub fn primary_key(&self) -> impl Iterator<Item = (usize, &FieldDef)> {
        self.fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.primary_key)
    }
}

/// One field of a model.
#[derive(Debug)]
pub(crate) struct FieldDef {
    /// The field's name.
    pub ident: Ident,
    /// The field's type.
    pub ty: Type,
    /// `T` when the field's type is syntactically `Option<T>`.
    pub option_inner: Option<Type>,
    /// The column name.
    pub column: String,
    /// Whether the field is (part of) the primary key.
    pub primary_key: bool,
    /// Whether the database generates the value (the generated key).
    pub autoincrement: bool,
    /// An explicit SQL type from `length` or `precision`/`scale`.
    pub sql_type: Option<SqlTypeOverride>,
    /// Single-column UNIQUE.
    pub unique: bool,
    /// Single-column index.
    pub index: bool,
    /// Rust-side default, applied when the field is `None`.
    pub default: Option<Expr>,
    /// SQL text of a server-side default.
    pub server_default: Option<String>,
    /// The referenced column.
    pub foreign_key: Option<ForeignKeyDef>,
    /// The column's previous name (`renamed_from = "old"`), a hint for migrations.
    pub renamed_from: Option<String>,
}

impl FieldDef {
    /// The key part type: the field type without `Option`.
    pub fn key_type(&self) -> &Type {
        self.option_inner.as_ref().unwrap_or(&self.ty)
    }
}

/// An SQL type given by attributes instead of the field type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SqlTypeOverride {
    /// `length = n`: `SqlType::Text(Some(n))`.
    Text { length: u32, span: Span },
    /// `precision = p, scale = s`: `SqlType::Decimal(p, s)`.
    Decimal {
        precision: u8,
        scale: u8,
        span: Span,
    },
}

/// `foreign_key = "table.column"` with its `on_delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignKeyDef {
    /// Referenced table.
    pub table: String,
    /// Referenced column.
    pub column: String,
    /// ON DELETE action.
    pub on_delete: Option<OnDelete>,
}

/// The ON DELETE actions of `on_delete = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDelete {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl OnDelete {
    const VALID: &'static str =
        "\"cascade\", \"set null\", \"restrict\", \"no action\", \"set default\"";

    fn parse(s: &str) -> Option<Self> {
        let norm = s
            .split(|c: char| c.is_whitespace() || c == '_')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        Some(match norm.as_str() {
            "cascade" => OnDelete::Cascade,
            "set null" => OnDelete::SetNull,
            "restrict" => OnDelete::Restrict,
            "no action" => OnDelete::NoAction,
            "set default" => OnDelete::SetDefault,
            _ => return None,
        })
    }

    /// The `ReferentialAction` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            OnDelete::NoAction => "NoAction",
            OnDelete::Restrict => "Restrict",
            OnDelete::Cascade => "Cascade",
            OnDelete::SetNull => "SetNull",
            OnDelete::SetDefault => "SetDefault",
        }
    }
}

/// A multi-column index from the struct's `index(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexDef {
    /// `ix_<table>_<columns joined by _>`.
    pub name: String,
    /// Column names.
    pub columns: Vec<String>,
}

/// A table CHECK constraint from the struct's `check = "..."` or
/// `check(name = "...", sql = "...")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckDef {
    /// The constraint's name; `None` lets the table generate `ck_<table>_<n>`.
    pub name: Option<String>,
    /// The condition, SQL written by the model's author.
    pub sql: String,
}

/// A struct deriving `FromRow`.
#[derive(Debug)]
pub(crate) struct RowDef {
    /// The struct's name.
    pub ident: Ident,
    /// The struct's generics.
    pub generics: Generics,
    /// Fields in declaration order.
    pub fields: Vec<RowField>,
}

/// One field of a `FromRow` struct.
#[derive(Debug)]
pub(crate) struct RowField {
    /// The field's name.
    pub ident: Ident,
    /// The field's type.
    pub ty: Type,
    /// The column it is read from.
    pub column: String,
}

/// Collects several errors so one compile reports them all.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

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
    })
}

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

fn named_fields<'a>(
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

fn cinnabar_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("cinnabar"))
}

/// The key of a nested meta item as written (`a::b` for paths).
fn key_name(meta: &ParseNestedMeta<'_>) -> String {
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

fn duplicate(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Error {
    meta.error(format!("duplicate `{key}` attribute"))
}

/// `key = "..."`, non-empty, at most once.
fn string_value<T>(meta: &ParseNestedMeta<'_>, slot: &Option<T>, key: &str) -> syn::Result<LitStr> {
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
fn flag(meta: &ParseNestedMeta<'_>, slot: &Option<Span>, key: &str) -> syn::Result<Span> {
    if slot.is_some() {
        return Err(duplicate(meta, key));
    }
    if !(meta.input.is_empty() || meta.input.peek(Token![,])) {
        return Err(meta.error(format!("`{key}` takes no value: write it alone")));
    }
    Ok(meta.path.span())
}

/// `key = <integer>` parsed as `N`, non-zero, at most once.
fn int_value<N>(
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

#[derive(Default)]
struct StructAttrs {
    table: Option<LitStr>,
    renamed_from: Option<LitStr>,
    uniques: Vec<Vec<Ident>>,
    indexes: Vec<Vec<Ident>>,
    /// `(name, sql)` of each `check`.
    checks: Vec<(Option<LitStr>, LitStr)>,
}

fn parse_struct_attrs(attrs: &[Attribute], errors: &mut Errors) -> StructAttrs {
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
fn check_attr(meta: &ParseNestedMeta<'_>) -> syn::Result<(Option<LitStr>, LitStr)> {
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

/// Maps the identifiers of a struct-level `unique(...)`/`index(...)` to column names.
fn resolve_columns(
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

#[derive(Default)]
struct FieldAttrs {
    primary_key: Option<Span>,
    autoincrement: Option<(bool, Span)>,
    column: Option<LitStr>,
    length: Option<(u32, Span)>,
    precision: Option<(u8, Span)>,
    scale: Option<(u8, Span)>,
    unique: Option<Span>,
    index: Option<Span>,
    default: Option<(Expr, Span)>,
    server_default: Option<LitStr>,
    foreign_key: Option<LitStr>,
    on_delete: Option<LitStr>,
    version: Option<Span>,
    renamed_from: Option<LitStr>,
}

fn parse_field_attrs(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
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
fn check_field(ident: Ident, ty: Type, a: &FieldAttrs, errors: &mut Errors) -> FieldDef {
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

    FieldDef {
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

/// Strips invisible groups and parentheses that macro_rules may wrap around a type.
fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => peel(&g.elem),
        Type::Paren(p) => peel(&p.elem),
        other => other,
    }
}

/// `T` when `ty` is written `Option<T>` (or `std::option::Option<T>`).
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(tp) = peel(ty) else {
        return None;
    };
    if tp.qself.is_some() {
        return None;
    }
    let seg = tp.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    if args.args.len() != 1 {
        return None;
    }
    match &args.args[0] {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// Whether `ty` names one of [`GENERATED_KEY_TYPES`].
fn is_generated_key_type(ty: &Type) -> bool {
    let Type::Path(tp) = peel(ty) else {
        return false;
    };
    tp.qself.is_none()
        && tp.path.segments.last().is_some_and(|s| {
            s.arguments.is_none() && GENERATED_KEY_TYPES.iter().any(|t| s.ident == t)
        })
}

/// `CourseStudent` -> `course_student`, `HTTPRequest` -> `http_request`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                if prev.is_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_uppercase() && next_lower)
                {
                    out.push('_');
                }
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors(input: DeriveInput) -> Vec<String> {
        match model(&input) {
            Ok(def) => panic!("expected errors, got {def:#?}"),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn one_error(input: DeriveInput) -> String {
        let errs = errors(input);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        errs.into_iter().next().unwrap()
    }

    #[test]
    fn renamed_from_on_fields_and_models() {
        let def = model(&parse_quote! {
            #[cinnabar(table = "modules", renamed_from = "courses")]
            struct Module {
                #[cinnabar(primary_key)]
                id: i64,
                #[cinnabar(renamed_from = "course")]
                course_code: String,
                #[cinnabar(column = "title", renamed_from = "name")]
                heading: String,
            }
        })
        .unwrap();
        assert_eq!(def.renamed_from.as_deref(), Some("courses"));
        assert_eq!(def.fields[0].renamed_from, None);
        assert_eq!(def.fields[1].renamed_from.as_deref(), Some("course"));
        assert_eq!(def.fields[2].renamed_from.as_deref(), Some("name"));
    }

    #[test]
    fn renamed_from_mistakes() {
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(renamed_from = "code")] code: String }
        });
        assert!(e.contains("this column's own name"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(renamed_from = "id")] code: String }
        });
        assert!(e.contains("names a column the model still has"), "{e}");
        let e = one_error(parse_quote! {
            struct S {
                #[cinnabar(primary_key)] id: i64,
                #[cinnabar(renamed_from = "old")] a: String,
                #[cinnabar(renamed_from = "old")] b: String,
            }
        });
        assert!(e.contains("two fields are renamed_from \"old\""), "{e}");
        let e = one_error(parse_quote! {
            #[cinnabar(table = "s", renamed_from = "s")]
            struct S { #[cinnabar(primary_key)] id: i64 }
        });
        assert!(e.contains("the table's own name"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(renamed_from = "")] code: String }
        });
        assert!(e.contains("`renamed_from` must not be empty"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(renamed_from = "a", renamed_from = "b")] code: String }
        });
        assert!(e.contains("renamed_from"), "{e}");
    }

    #[test]
    fn snake_case_names() {
        assert_eq!(snake_case("Student"), "student");
        assert_eq!(snake_case("CourseStudent"), "course_student");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("Course2Student"), "course2_student");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn table_name_defaults_to_snake_case() {
        let def = model(&parse_quote! {
            pub struct CourseStudent {
                #[cinnabar(primary_key)]
                id: i64,
            }
        })
        .unwrap();
        assert_eq!(def.table, "course_student");
        assert_eq!(def.name, "CourseStudent");
        let def = model(&parse_quote! {
            #[cinnabar(table = "students")]
            struct Student {
                #[cinnabar(primary_key)]
                id: i64,
            }
        })
        .unwrap();
        assert_eq!(def.table, "students");
    }

    #[test]
    fn generated_key_detection() {
        let def = model(&parse_quote! {
            struct Student {
                #[cinnabar(primary_key)]
                id: Option<i64>,
                name: String,
            }
        })
        .unwrap();
        assert_eq!(def.generated_key, Some(0));
        assert!(def.fields[0].autoincrement);
        assert!(!def.fields[1].autoincrement);
        assert_eq!(def.fields[0].key_type(), &parse_quote!(i64));

        for ty in ["i32", "i16", "std::primitive::i64"] {
            let ty: Type = syn::parse_str(&format!("Option<{ty}>")).unwrap();
            let def = model(&parse_quote! {
                struct S { name: String, #[cinnabar(primary_key, autoincrement)] id: #ty }
            })
            .unwrap();
            assert_eq!(def.generated_key, Some(1), "{ty:?}");
        }

        // Opt-out, non-Option and non-integer keys are not generated.
        for input in [
            parse_quote! { struct S { #[cinnabar(primary_key, autoincrement = false)] id: Option<i64> } },
            parse_quote! { struct S { #[cinnabar(primary_key)] id: i64 } },
            parse_quote! { struct S { #[cinnabar(primary_key)] id: Option<String> } },
            parse_quote! { struct S { #[cinnabar(primary_key)] id: Option<u64> } },
        ] {
            let def = model(&input).unwrap();
            assert_eq!(def.generated_key, None);
            assert!(!def.fields[0].autoincrement);
        }
    }

    #[test]
    fn composite_keys() {
        let def = model(&parse_quote! {
            struct Enrollment {
                #[cinnabar(primary_key, foreign_key = "students.id", on_delete = "CASCADE")]
                student_id: i64,
                grade: Option<String>,
                #[cinnabar(primary_key)]
                #[cinnabar(foreign_key = "courses.id", on_delete = "set_null")]
                course_id: Option<i64>,
            }
        })
        .unwrap();
        let pk: Vec<usize> = def.primary_key().map(|(i, _)| i).collect();
        assert_eq!(pk, [0, 2]);
        assert_eq!(def.generated_key, None);
        assert!(def.fields.iter().all(|f| !f.autoincrement));
        assert_eq!(
            def.fields[0].foreign_key,
            Some(ForeignKeyDef {
                table: "students".into(),
                column: "id".into(),
                on_delete: Some(OnDelete::Cascade),
            })
        );
        assert_eq!(
            def.fields[2].foreign_key.as_ref().unwrap().on_delete,
            Some(OnDelete::SetNull)
        );
        assert_eq!(def.fields[2].key_type(), &parse_quote!(i64));
    }

    #[test]
    fn column_renames_and_attributes() {
        let def = model(&parse_quote! {
            #[cinnabar(table = "students", unique(name, r#type), index(email_addr, name))]
            #[cinnabar(index(age))]
            struct Student {
                #[cinnabar(primary_key)]
                id: Option<i64>,
                #[cinnabar(length = 50, unique, index)]
                name: String,
                r#type: String,
                #[cinnabar(column = "email_addr")]
                email: String,
                #[cinnabar(precision = 10, scale = 2, default = Decimal::ONE)]
                fee: Option<Decimal>,
                #[cinnabar(server_default = "CURRENT_TIMESTAMP")]
                created: Option<String>,
                #[cinnabar(default = String::from("Python"))]
                course: Option<String>,
                age: i32,
            }
        })
        .unwrap();
        let cols: Vec<&str> = def.fields.iter().map(|f| f.column.as_str()).collect();
        assert_eq!(
            cols,
            [
                "id",
                "name",
                "type",
                "email_addr",
                "fee",
                "created",
                "course",
                "age"
            ]
        );
        assert_eq!(def.uniques, [vec!["name".to_string(), "type".to_string()]]);
        assert_eq!(
            def.indexes,
            [
                IndexDef {
                    name: "ix_students_email_addr_name".into(),
                    columns: vec!["email_addr".into(), "name".into()],
                },
                IndexDef {
                    name: "ix_students_age".into(),
                    columns: vec!["age".into()],
                },
            ]
        );
        let name = &def.fields[1];
        assert!(name.unique && name.index);
        assert!(matches!(
            name.sql_type,
            Some(SqlTypeOverride::Text { length: 50, .. })
        ));
        assert!(matches!(
            def.fields[4].sql_type,
            Some(SqlTypeOverride::Decimal {
                precision: 10,
                scale: 2,
                ..
            })
        ));
        assert!(def.fields[4].default.is_some());
        assert_eq!(
            def.fields[5].server_default.as_deref(),
            Some("CURRENT_TIMESTAMP")
        );
        assert!(def.fields[6].default.is_some());
    }

    #[test]
    fn missing_primary_key() {
        let e = one_error(parse_quote! {
            struct Student { id: i64, name: String }
        });
        assert_eq!(
            e,
            "a Model needs a primary key: mark a field #[cinnabar(primary_key)]"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key, nullable)] id: i64 }
        });
        assert!(e.contains("unknown cinnabar attribute `nullable`"), "{e}");
        assert!(e.contains("primary_key, autoincrement, column"), "{e}");
        let e = one_error(parse_quote! {
            #[cinnabar(tablename = "x")]
            struct S { #[cinnabar(primary_key)] id: i64 }
        });
        assert!(
            e.contains("unknown cinnabar struct attribute `tablename`"),
            "{e}"
        );
        assert!(e.contains("table, unique(...), index(...)"), "{e}");
    }

    #[test]
    fn bad_foreign_key() {
        for target in ["courses", "courses.", ".id", "courses id", ""] {
            let e = one_error(parse_quote! {
                struct S {
                    #[cinnabar(primary_key)] id: i64,
                    #[cinnabar(foreign_key = #target)] course_id: i64,
                }
            });
            if target.is_empty() {
                assert!(e.contains("must not be empty"), "{e}");
            } else {
                assert!(e.contains("must have the form \"table.column\""), "{e}");
            }
        }
    }

    #[test]
    fn default_needs_option() {
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(default = 0)] n: i64 }
        });
        assert_eq!(
            e,
            "default = ... applies when the field is None; make the field Option<T>"
        );
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(server_default = "0")] n: i64 }
        });
        assert!(e.contains("make the field Option<T>"), "{e}");
    }

    #[test]
    fn on_delete_checks() {
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(on_delete = "cascade")] c: i64 }
        });
        assert!(e.contains("on_delete needs foreign_key"), "{e}");
        let e = one_error(parse_quote! {
            struct S {
                #[cinnabar(primary_key)] id: i64,
                #[cinnabar(foreign_key = "c.id", on_delete = "explode")] c: i64,
            }
        });
        assert!(e.contains("unknown on_delete action \"explode\""), "{e}");
        let e = one_error(parse_quote! {
            struct S {
                #[cinnabar(primary_key)] id: i64,
                #[cinnabar(foreign_key = "c.id", on_delete = "SET NULL")] c: i64,
            }
        });
        assert!(e.contains("needs a nullable field"), "{e}");
    }

    #[test]
    fn autoincrement_misuse() {
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key, autoincrement)] id: Option<String> }
        });
        assert!(
            e.contains("autoincrement needs the key field to be Option<i64>"),
            "{e}"
        );
        let e = one_error(parse_quote! {
            struct S {
                #[cinnabar(primary_key, autoincrement)] a: Option<i64>,
                #[cinnabar(primary_key)] b: i64,
            }
        });
        assert!(e.contains("composite primary key"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(autoincrement)] n: Option<i64> }
        });
        assert!(e.contains("only to a primary key"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key, autoincrement)] id: i64 }
        });
        assert!(e.contains("Option<i64>, Option<i32>, Option<i16>"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(autoincrement = false)] n: i64 }
        });
        assert!(e.contains("only to a primary key"), "{e}");
        // Opting out where nothing would be generated is harmless.
        let def = model(&parse_quote! {
            struct S {
                #[cinnabar(primary_key, autoincrement = false)] a: Option<i64>,
                #[cinnabar(primary_key, autoincrement = false)] b: String,
            }
        })
        .unwrap();
        assert_eq!(def.generated_key, None);
    }

    #[test]
    fn type_override_checks() {
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(length = 5, precision = 3)] n: String }
        });
        assert!(e.contains("cannot both be set"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(scale = 2)] n: f64 }
        });
        assert!(e.contains("`scale` needs `precision`"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(precision = 2, scale = 3)] n: f64 }
        });
        assert!(e.contains("cannot exceed"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(length = 0)] n: String }
        });
        assert!(e.contains("greater than zero"), "{e}");
    }

    #[test]
    fn duplicates_and_shapes() {
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key, primary_key)] id: i64 }
        });
        assert!(e.contains("duplicate `primary_key`"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64, #[cinnabar(column = "id")] other: i64 }
        });
        assert!(e.contains("column `id` is declared twice"), "{e}");
        let e = one_error(parse_quote! {
            #[cinnabar(unique(id, nope))]
            struct S { #[cinnabar(primary_key)] id: i64 }
        });
        assert!(e.contains("no field or column named `nope`"), "{e}");
        let e = one_error(parse_quote! {
            #[cinnabar(unique)]
            struct S { #[cinnabar(primary_key)] id: i64 }
        });
        assert!(e.contains("unique(column, ...)"), "{e}");
        let e = one_error(parse_quote! {
            struct S { #[cinnabar(primary_key, unique = true)] id: i64 }
        });
        assert!(e.contains("`unique` takes no value"), "{e}");
        let e = one_error(parse_quote! { struct S(i64); });
        assert!(e.contains("named fields"), "{e}");
        let e = one_error(parse_quote! { enum S { A } });
        assert!(e.contains("named fields"), "{e}");
        let e = one_error(parse_quote! {
            struct S<T> { #[cinnabar(primary_key)] id: T }
        });
        assert!(e.contains("generic"), "{e}");
    }

    #[test]
    fn check_constraints() {
        let def = model(&parse_quote! {
            #[cinnabar(check = "age >= 0", check(name = "age_below_200", sql = "age < 200"))]
            #[cinnabar(check = "name <> ''")]
            struct Person {
                #[cinnabar(primary_key)]
                id: i64,
                age: i32,
                name: String,
            }
        })
        .unwrap();
        assert_eq!(
            def.checks,
            [
                CheckDef {
                    name: None,
                    sql: "age >= 0".into()
                },
                CheckDef {
                    name: Some("age_below_200".into()),
                    sql: "age < 200".into()
                },
                CheckDef {
                    name: None,
                    sql: "name <> ''".into()
                },
            ]
        );
    }

    #[test]
    fn bad_check_constraints() {
        let cases: [(DeriveInput, &str); 7] = [
            (
                parse_quote! { #[cinnabar(check)] struct S { #[cinnabar(primary_key)] id: i64 } },
                "write check = \"<condition>\" or check(name",
            ),
            (
                parse_quote! { #[cinnabar(check = " ")] struct S { #[cinnabar(primary_key)] id: i64 } },
                "`check` must not be empty",
            ),
            (
                parse_quote! { #[cinnabar(check(sql = "a > 0"))] struct S { #[cinnabar(primary_key)] id: i64 } },
                "check(...) needs name",
            ),
            (
                parse_quote! { #[cinnabar(check(name = "n"))] struct S { #[cinnabar(primary_key)] id: i64 } },
                "check(...) needs sql",
            ),
            (
                parse_quote! { #[cinnabar(check(name = "n", sql = "a", when = "x"))] struct S { #[cinnabar(primary_key)] id: i64 } },
                "unknown key `when` in check(...)",
            ),
            (
                parse_quote! { #[cinnabar(check(name = "n", name = "m", sql = "a"))] struct S { #[cinnabar(primary_key)] id: i64 } },
                "duplicate `name`",
            ),
            (
                parse_quote! {
                    #[cinnabar(check(name = "n", sql = "a > 0"), check(name = "n", sql = "a < 9"))]
                    struct S { #[cinnabar(primary_key)] id: i64 }
                },
                "two checks are named `n`",
            ),
        ];
        for (input, needle) in cases {
            let e = one_error(input);
            assert!(e.contains(needle), "{needle:?} not in {e}");
        }
        // The struct keys listed in the unknown-key message include both forms.
        let e = one_error(parse_quote! {
            #[cinnabar(checks = "a")]
            struct S { #[cinnabar(primary_key)] id: i64 }
        });
        assert!(
            e.contains("check = \"...\", check(name = \"...\", sql = \"...\")"),
            "{e}"
        );
    }

    #[test]
    fn several_errors_are_reported_together() {
        let errs = errors(parse_quote! {
            struct S {
                #[cinnabar(bogus)] a: i64,
                #[cinnabar(default = 1)] b: i64,
                #[cinnabar(foreign_key = "nope")] c: i64,
            }
        });
        assert_eq!(errs.len(), 4, "{errs:#?}");
    }

    #[test]
    fn from_row_fields() {
        let def = row(&parse_quote! {
            struct Summary<'a> {
                #[cinnabar(column = "n")]
                count: i64,
                r#type: String,
                _m: std::marker::PhantomData<&'a ()>,
            }
        })
        .unwrap();
        let cols: Vec<&str> = def.fields.iter().map(|f| f.column.as_str()).collect();
        assert_eq!(cols, ["n", "type", "_m"]);

        let e = row(&parse_quote! {
            struct S { #[cinnabar(primary_key)] id: i64 }
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("unknown cinnabar attribute `primary_key` for #[derive(FromRow)]"),
            "{e}"
        );
        let e = row(&parse_quote! {
            #[cinnabar(table = "x")]
            struct S { id: i64 }
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("takes no struct attributes"), "{e}");
    }
}
