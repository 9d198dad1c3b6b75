//! Reading Rust types and names syntactically: `Option<T>`, the integer key types, and the
//! snake_case table name.

use syn::{GenericArgument, PathArguments, Type};

/// Integer types whose `Option` makes a single primary key database-generated.
pub(super) const GENERATED_KEY_TYPES: &[&str] = &["i64", "i32", "i16"];

/// Strips invisible groups and parentheses that macro_rules may wrap around a type.
pub(super) fn peel(ty: &Type) -> &Type {
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
pub(super) fn is_generated_key_type(ty: &Type) -> bool {
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
