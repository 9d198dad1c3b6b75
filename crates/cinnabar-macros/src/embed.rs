//! `embed_migrations!("migrations")`: reads the migrations directory (relative to the
//! crate's `CARGO_MANIFEST_DIR`) at compile time and expands to a
//! `::cinnabar::migrate::EmbeddedMigrations` whose files come through `include_str!`, so
//! editing a revision rebuilds the crate. A file added later is seen after a rebuild of the
//! crate (a build script with `cargo:rerun-if-changed=migrations`, or a touch).

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

/// The expansion, or a compile error naming the directory and what is wrong.
pub(crate) fn embed_migrations(input: &LitStr) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(message) => syn::Error::new(input.span(), message).to_compile_error(),
    }
}

fn expand(input: &LitStr) -> Result<TokenStream, String> {
    let relative = input.value();
    let root = std::env::var("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .map_err(|_| "embed_migrations!: CARGO_MANIFEST_DIR is not set (build with cargo)")?;
    let dir = root.join(&relative);
    if !dir.is_dir() {
        return Err(format!(
            "embed_migrations!: no directory {} (the path is relative to the crate's \
             Cargo.toml; create it with `cinnabar migrate init`)",
            dir.display()
        ));
    }
    let mut files = revision_files(&dir)?;
    files.sort();
    let entries = files.iter().map(|(name, path)| {
        let path = path.to_string_lossy();
        quote!((#name, ::core::include_str!(#path)))
    });
    let head_path = dir.join("HEAD");
    let head = if head_path.is_file() {
        let p = head_path.to_string_lossy();
        quote!(::core::option::Option::Some(::core::include_str!(#p)))
    } else {
        quote!(::core::option::Option::None)
    };
    Ok(quote! {
        ::cinnabar::migrate::EmbeddedMigrations::new(#relative, &[#(#entries),*], #head)
    })
}

/// The `*.toml` files of `dir`: name and full path.
fn revision_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let read_error =
        |e: std::io::Error| format!("embed_migrations!: cannot read {}: {e}", dir.display());
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if !path.is_file() || path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(format!(
                "embed_migrations!: the file name {} is not UTF-8",
                path.display()
            ));
        };
        out.push((name.to_string(), path.clone()));
    }
    Ok(out)
}
