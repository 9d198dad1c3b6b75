//! Relationship fields of a model: `students: HasMany<Student>` (one-to-many, the foreign key
//! is a column of `Student`) and `course: BelongsTo<Course>` (many-to-one, the foreign key is
//! a column of this model), each declared with `#[cinnabar(relation(foreign_key = name))]`.
//! Parsing and code generation, kept apart from the column fields.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Attribute, GenericArgument, Ident, PathArguments, Type, Visibility};

/// Which side holds the foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelationKind {
    /// `HasMany<T>`.
    OneToMany,
    /// `BelongsTo<T>`.
    ManyToOne,
    /// `HasMany<T>` with `through = Assoc, local = .., remote = ..`.
    ManyToMany,
    /// `HasOne<T>`: the inverse of a one-to-one `BelongsTo`.
    OneToOne,
}

/// One relationship field.
#[derive(Debug)]
pub(crate) struct RelationDef {
    pub ident: Ident,
    pub kind: RelationKind,
    /// The related model.
    pub target: Type,
    /// The foreign-key column's field: on `target` for one-to-many, on this model for
    /// many-to-one.
    pub foreign_key: Ident,
    /// `cascade = "delete"` (or `"all"`).
    pub cascade_delete: bool,
    /// `cascade = "delete-orphan"`.
    pub delete_orphan: bool,
    /// `passive_deletes`.
    pub passive_deletes: bool,
    /// Many-to-many: the association model and its columns pointing at this model and at
    /// the related one.
    pub through: Option<(Type, Ident, Ident)>,
    /// `back_populates = field`: the related model's relationship that mirrors this one.
    pub back_populates: Option<Ident>,
    /// `post_update`: the foreign key is written by an UPDATE after the INSERTs, so this
    /// relationship may close a cycle between tables.
    pub post_update: bool,
}

/// `HasMany<T>` / `BelongsTo<T>` (by the last path segment) and their `T`.
pub(crate) fn relation_type(ty: &Type) -> Option<(RelationKind, Type)> {
    let Type::Path(tp) = ty else { return None };
    let seg = tp.path.segments.last()?;
    let kind = match seg.ident.to_string().as_str() {
        "HasMany" => RelationKind::OneToMany,
        "BelongsTo" => RelationKind::ManyToOne,
        "HasOne" => RelationKind::OneToOne,
        _ => return None,
    };
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) if args.args.len() == 1 => Some((kind, t.clone())),
        _ => None,
    }
}

/// Reads `#[cinnabar(relation(foreign_key = name))]` off a relationship field.
pub(crate) fn parse(
    ident: &Ident,
    kind: RelationKind,
    target: Type,
    attrs: &[Attribute],
) -> syn::Result<RelationDef> {
    let mut foreign_key: Option<Ident> = None;
    let mut cascade_delete = false;
    let mut delete_orphan = false;
    let mut passive_deletes = false;
    let mut through: Option<Type> = None;
    let mut local: Option<Ident> = None;
    let mut remote: Option<Ident> = None;
    let mut back_populates: Option<Ident> = None;
    let mut post_update = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("cinnabar")) {
        attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("relation") {
                return Err(meta.error(
                    "a relationship field takes only #[cinnabar(relation(foreign_key = field))]",
                ));
            }
            meta.parse_nested_meta(|inner| {
                if inner.path.is_ident("foreign_key") {
                    let value = inner.value()?;
                    foreign_key = Some(value.parse::<Ident>()?);
                    Ok(())
                } else if inner.path.is_ident("cascade") {
                    let lit: syn::LitStr = inner.value()?.parse()?;
                    for part in lit.value().split(',').map(str::trim) {
                        match part {
                            "all" | "delete" => cascade_delete = true,
                            "delete-orphan" => delete_orphan = true,
                            "save-update" => {}
                            other => {
                                return Err(syn::Error::new_spanned(
                                    &lit,
                                    format!("unknown cascade {other:?}: expected save-update, delete, delete-orphan or all"),
                                ))
                            }
                        }
                    }
                    Ok(())
                } else if inner.path.is_ident("passive_deletes") {
                    passive_deletes = true;
                    Ok(())
                } else if inner.path.is_ident("post_update") {
                    post_update = true;
                    Ok(())
                } else if inner.path.is_ident("through") {
                    through = Some(inner.value()?.parse::<Type>()?);
                    Ok(())
                } else if inner.path.is_ident("local") {
                    local = Some(inner.value()?.parse::<Ident>()?);
                    Ok(())
                } else if inner.path.is_ident("remote") {
                    remote = Some(inner.value()?.parse::<Ident>()?);
                    Ok(())
                } else if inner.path.is_ident("back_populates") {
                    let value = inner.value()?;
                    back_populates = Some(if value.peek(syn::LitStr) {
                        let lit: syn::LitStr = value.parse()?;
                        lit.parse::<Ident>()?
                    } else {
                        value.parse::<Ident>()?
                    });
                    Ok(())
                } else {
                    Err(inner.error(
                        "unknown key in relation(..): expected foreign_key = field, cascade = \"...\", \
                         passive_deletes, post_update, back_populates = field, or through = Model, local = field, remote = field",
                    ))
                }
            })
        })?;
    }
    if let Some(assoc) = through {
        if kind != RelationKind::OneToMany {
            return Err(syn::Error::new_spanned(
                ident,
                "through = ... makes a HasMany many-to-many; it does not apply to BelongsTo",
            ));
        }
        let (Some(local), Some(remote)) = (local, remote) else {
            return Err(syn::Error::new_spanned(
                ident,
                "a many-to-many relationship needs through = Model, local = field, remote = field \
                 (the association model's columns pointing at this model and at the related one)",
            ));
        };
        return Ok(RelationDef {
            ident: ident.clone(),
            kind: RelationKind::ManyToMany,
            target,
            foreign_key: remote.clone(),
            cascade_delete,
            delete_orphan,
            passive_deletes,
            through: Some((assoc, local, remote)),
            back_populates,
            post_update: false,
        });
    }
    let foreign_key = foreign_key.ok_or_else(|| {
        let side = match kind {
            RelationKind::OneToMany | RelationKind::ManyToMany | RelationKind::OneToOne => {
                "the related model's foreign-key field"
            }
            RelationKind::ManyToOne => "this model's foreign-key field",
        };
        syn::Error::new_spanned(
            ident,
            format!("relationship `{ident}` needs #[cinnabar(relation(foreign_key = ...))] naming {side}"),
        )
    })?;
    if post_update && kind != RelationKind::ManyToOne {
        return Err(syn::Error::new_spanned(
            ident,
            "post_update applies to a BelongsTo relationship (the side holding the foreign key)",
        ));
    }
    if kind != RelationKind::OneToMany && (cascade_delete || delete_orphan || passive_deletes) {
        return Err(syn::Error::new_spanned(
            ident,
            "cascade and passive_deletes apply to HasMany relationships (the parent side)",
        ));
    }
    Ok(RelationDef {
        ident: ident.clone(),
        kind,
        target,
        foreign_key,
        cascade_delete,
        delete_orphan,
        passive_deletes,
        through: None,
        back_populates,
        post_update,
    })
}

/// The `Relation` constants, one per relationship field.
pub(crate) fn consts(
    p: &TokenStream,
    model: &Ident,
    vis: &Visibility,
    relations: &[RelationDef],
    self_pk: Option<usize>,
    column_index: &dyn Fn(&Ident) -> Option<usize>,
) -> syn::Result<TokenStream> {
    let mut out = TokenStream::new();
    for r in relations {
        let name = &r.ident;
        let name_str = name.to_string();
        let target = &r.target;
        let fk = &r.foreign_key;
        let mut through = quote!(::core::option::Option::None);
        let (kind, foreign_key, referenced_key, many, many_mut, one, one_mut) = match r.kind {
            RelationKind::ManyToMany => {
                let pk = self_pk.ok_or_else(|| {
                    syn::Error::new_spanned(
                        name,
                        "a many-to-many relationship needs this model to have a single-column primary key",
                    )
                })?;
                if let Some((assoc, local, remote)) = &r.through {
                    through = quote! {
                        ::core::option::Option::Some(#p::Through {
                            table: <#assoc as #p::Model>::table,
                            columns: || <#assoc as #p::Model>::COLUMNS,
                            local: #assoc::#local.index(),
                            remote: #assoc::#remote.index(),
                        })
                    };
                }
                (
                    quote!(#p::RelationKind::ManyToMany),
                    quote!(<#target as #p::Model>::PRIMARY_KEY[0]),
                    quote!(#pk),
                    quote!(::core::option::Option::Some(|m: &#model| &m.#name)),
                    quote!(::core::option::Option::Some(|m: &mut #model| &mut m.#name)),
                    quote!(::core::option::Option::None),
                    quote!(::core::option::Option::None),
                )
            }
            RelationKind::OneToMany => {
                let pk = self_pk.ok_or_else(|| {
                    syn::Error::new_spanned(
                        name,
                        "a HasMany relationship needs this model to have a single-column primary key",
                    )
                })?;
                (
                    quote!(#p::RelationKind::OneToMany),
                    quote!(#target::#fk.index()),
                    quote!(#pk),
                    quote!(::core::option::Option::Some(|m: &#model| &m.#name)),
                    quote!(::core::option::Option::Some(|m: &mut #model| &mut m.#name)),
                    quote!(::core::option::Option::None),
                    quote!(::core::option::Option::None),
                )
            }
            RelationKind::OneToOne => {
                let pk = self_pk.ok_or_else(|| {
                    syn::Error::new_spanned(
                        name,
                        "a HasOne relationship needs this model to have a single-column primary key",
                    )
                })?;
                (
                    quote!(#p::RelationKind::OneToOne),
                    quote!(#target::#fk.index()),
                    quote!(#pk),
                    quote!(::core::option::Option::None),
                    quote!(::core::option::Option::None),
                    quote!(::core::option::Option::Some(|m: &#model| &m.#name)),
                    quote!(::core::option::Option::Some(|m: &mut #model| &mut m.#name)),
                )
            }
            RelationKind::ManyToOne => {
                let idx = column_index(fk).ok_or_else(|| {
                    syn::Error::new_spanned(
                        fk,
                        format!("`{fk}` is not a column field of this model"),
                    )
                })?;
                (
                    quote!(#p::RelationKind::ManyToOne),
                    quote!(#idx),
                    quote!(<#target as #p::Model>::PRIMARY_KEY[0]),
                    quote!(::core::option::Option::None),
                    quote!(::core::option::Option::None),
                    quote!(::core::option::Option::Some(|m: &#model| &m.#name)),
                    quote!(::core::option::Option::Some(|m: &mut #model| &mut m.#name)),
                )
            }
        };
        let cascade_delete = r.cascade_delete;
        let delete_orphan = r.delete_orphan;
        let passive_deletes = r.passive_deletes;
        let post_update = r.post_update;
        let back_populates = match &r.back_populates {
            Some(inverse) => quote_spanned! {inverse.span()=>
                ::core::option::Option::Some(|| <#target>::#inverse)
            },
            None => quote!(::core::option::Option::None),
        };
        let doc = format!("The relationship `{model}.{name_str}`, for loading options.");
        out.extend(quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            #vis const #name: #p::Relation<#model, #target> = #p::Relation {
                name: #name_str,
                kind: #kind,
                foreign_key: #foreign_key,
                referenced_key: #referenced_key,
                many: #many,
                many_mut: #many_mut,
                one: #one,
                one_mut: #one_mut,
                cascade_delete: #cascade_delete,
                delete_orphan: #delete_orphan,
                passive_deletes: #passive_deletes,
                post_update: #post_update,
                back_populates: #back_populates,
                through: #through,
                _marker: #p::PhantomData,
            };
        });
    }
    Ok(out)
}

/// The model's relationship table, `Model::RELATIONS`: one entry per relationship field, in
/// declaration order, each made from the field's `Relation` constant. The generic code in
/// `cinnabar-orm` (`relation/hooks.rs`) interprets it at flush, at load and when a field
/// changes; nothing else is generated per relationship.
pub(crate) fn table(p: &TokenStream, model: &Ident, relations: &[RelationDef]) -> TokenStream {
    if relations.is_empty() {
        return TokenStream::new();
    }
    let entries = relations.iter().map(|r| {
        let name = &r.ident;
        quote!(#p::RelationDef::new(&#model::#name))
    });
    quote! {
        const RELATIONS: &'static [#p::RelationDef<Self>] = &[#(#entries),*];
    }
}

/// `field: not_loaded()` initialisers for struct literals built from rows.
pub(crate) fn not_loaded_inits(relations: &[RelationDef]) -> TokenStream {
    let p = crate::expand::private();
    let inits = relations.iter().map(|r| {
        let name = &r.ident;
        let ty = match r.kind {
            RelationKind::OneToMany | RelationKind::ManyToMany => quote!(#p::HasMany),
            RelationKind::ManyToOne | RelationKind::OneToOne => quote!(#p::BelongsTo),
        };
        quote!(#name: #ty::not_loaded(),)
    });
    quote!(#(#inits)*)
}
