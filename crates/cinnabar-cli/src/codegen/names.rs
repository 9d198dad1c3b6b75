//! Naming for generated code: struct names from table names (singularised by a simple rule),
//! field names from column names (snake case, Rust keywords as raw identifiers), and the
//! allocator that keeps the names of one scope collision-free and deterministic. Used by the
//! planner (`plan.rs`) and the relationship finder (`relations.rs`).

use std::collections::HashSet;

/// Words that cannot be plain identifiers but can be raw ones (`r#type`): Rust's strict and
/// reserved keywords of every edition, `gen` included (reserved in 2024). `r#` is valid on any
/// identifier in every edition, so writing it for a word that is a keyword only in a later
/// edition is harmless.
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Words that cannot be identifiers even raw: renamed with a trailing `_`.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Field names that would hide an item the model's type already has: the derive puts one
/// constant per field on the struct, so a field called `table` would hide `Model::table()`
/// from `Student::table()`. Renamed with a trailing `_`.
const MODEL_ITEMS: &[&str] = &[
    "table",
    "model_name",
    "key",
    "key_from_row",
    "from_row",
    "from_row_at",
    "column_value",
    "column_changed",
    "set_column",
    "apply_defaults",
    "pull_parent_keys",
    "push_key_to_children",
    "needs_post_update",
    "bind_owner",
    "announce_relations",
    "cascade_save",
    "sync_associations",
    "delete_associations",
    "cascade_delete",
];

/// Type names a generated struct must not take: the standard prelude's and the names the
/// generated module imports. A table that would get one is suffixed with `Model`.
const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Copy",
    "Clone",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Default",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Iterator",
    "IntoIterator",
    "Extend",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "ToString",
    "ToOwned",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "FromIterator",
    "Debug",
    "Hash",
    "Model",
    "HasMany",
    "HasOne",
    "BelongsTo",
    "MetaData",
    "Decimal",
    "NaiveDate",
    "NaiveTime",
    "NaiveDateTime",
    "DateTime",
    "Utc",
    "Uuid",
];

/// Module (file) names that cannot hold a model: `mod.rs` is the index file.
const RESERVED_MODULES: &[&str] = &["mod", "super", "self", "crate"];

/// Splits a database name into lower-case ASCII words: at every character that is not an
/// ASCII letter or digit, and at camel-case boundaries (`CourseName`, `HTTPRequest`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `name` in snake case (`CourseName` -> `course_name`, `Course Name` -> `course_name`), or
/// `None` when it has no ASCII letter or digit. A leading digit gets a `_` before it.
pub(crate) fn snake(name: &str) -> Option<String> {
    let w = words(name);
    if w.is_empty() {
        return None;
    }
    let s = w.join("_");
    Some(if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    })
}

/// The singular of an English plural, by a simple rule applied to the last word: `ies` ->
/// `y` (categories), `sses`/`shes`/`ches`/`xes`/`zes` lose `es` (classes, matches, boxes),
/// `ss`/`us`/`is` stay (address, status, analysis), any other final `s` is dropped. Anything
/// else (irregular plurals such as `people`) is kept as it is.
pub(crate) fn singular(word: &str) -> String {
    let w = word;
    if w.len() > 3 && w.ends_with("ies") {
        return format!("{}y", &w[..w.len() - 3]);
    }
    for end in ["sses", "shes", "ches", "xes", "zes"] {
        if w.len() > end.len() && w.ends_with(end) {
            return w[..w.len() - 2].to_string();
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_string();
    }
    match w.strip_suffix('s') {
        Some(stem) if !stem.is_empty() => stem.to_string(),
        _ => w.to_string(),
    }
}

/// The plural of an English word, the reverse rule of [`singular`]: consonant + `y` ->
/// `ies`, `s`/`sh`/`ch`/`x`/`z` + `es`, else `s`.
pub(crate) fn plural(word: &str) -> String {
    let w = word;
    let vowel = |c: char| "aeiou".contains(c);
    if let Some(stem) = w.strip_suffix('y') {
        if stem.chars().last().is_some_and(|c| !vowel(c)) {
            return format!("{stem}ies");
        }
    }
    if ["s", "sh", "ch", "x", "z"].iter().any(|e| w.ends_with(e)) {
        return format!("{w}es");
    }
    format!("{w}s")
}

/// The struct name for `table`: its words with the last singularised, each capitalised
/// (`course_students` -> `CourseStudent`); `Table` before a leading digit; `Model` after a
/// reserved name (`options` -> `OptionModel`). `None` when the name has no letter or digit.
pub(crate) fn struct_name(table: &str) -> Option<String> {
    let mut w = words(table);
    let last = w.pop()?;
    w.push(singular(&last));
    let mut s: String = w.iter().map(|x| capitalise(x)).collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("Table{s}");
    }
    if RESERVED_TYPES.contains(&s.as_str()) {
        s.push_str("Model");
    }
    Some(s)
}

fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The module (file stem) for a struct: its snake case, `_model` added to a name a module
/// cannot take (`mod`, keywords).
pub(crate) fn module_name(struct_name: &str) -> String {
    let s = snake(struct_name).unwrap_or_else(|| "model".into());
    if RESERVED_MODULES.contains(&s.as_str()) || RAW_KEYWORDS.contains(&s.as_str()) {
        format!("{s}_model")
    } else {
        s
    }
}

/// A name as written in source: `r#type` for a keyword, else the name.
pub(crate) fn ident(name: &str) -> String {
    if RAW_KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// Field names taken in one struct, compared without `r#`.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// Claims `base` (a snake-case name), or the first free of `base_2`, `base_3`, ... when
    /// it is taken. Names that cannot be identifiers or would hide a model item get a
    /// trailing `_` first.
    pub(crate) fn claim(&mut self, base: &str) -> String {
        let base = if NOT_RAW.contains(&base) || MODEL_ITEMS.contains(&base) {
            format!("{base}_")
        } else {
            base.to_string()
        };
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    /// Claims the first of `candidates` that is free, else the first numbered.
    pub(crate) fn claim_first(&mut self, candidates: &[String]) -> String {
        for c in candidates {
            if !self.is_taken(c) {
                return self.claim(c);
            }
        }
        self.claim(&candidates[0])
    }

    fn is_taken(&self, name: &str) -> bool {
        let adjusted = if NOT_RAW.contains(&name) || MODEL_ITEMS.contains(&name) {
            format!("{name}_")
        } else {
            name.to_string()
        };
        self.taken.contains(&adjusted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_separators_and_case() {
        assert_eq!(words("CourseName"), ["course", "name"]);
        assert_eq!(words("HTTPRequest"), ["http", "request"]);
        assert_eq!(words("course name"), ["course", "name"]);
        assert_eq!(words("order-items.v2"), ["order", "items", "v2"]);
        assert_eq!(words("größe"), ["gr", "e"]);
        assert!(words("€").is_empty());
    }

    #[test]
    fn snake_names() {
        assert_eq!(snake("courseId").as_deref(), Some("course_id"));
        assert_eq!(snake("2fa").as_deref(), Some("_2fa"));
        assert_eq!(snake("__x__").as_deref(), Some("x"));
        assert_eq!(snake("%%"), None);
    }

    #[test]
    fn singular_and_plural_rules() {
        for (p, s) in [
            ("students", "student"),
            ("categories", "category"),
            ("classes", "class"),
            ("boxes", "box"),
            ("matches", "match"),
            ("status", "status"),
            ("address", "address"),
            ("analysis", "analysis"),
            ("people", "people"),
            ("s", "s"),
            ("data", "data"),
        ] {
            assert_eq!(singular(p), s, "{p}");
        }
        for (s, p) in [
            ("student", "students"),
            ("category", "categories"),
            ("day", "days"),
            ("class", "classes"),
            ("box", "boxes"),
        ] {
            assert_eq!(plural(s), p, "{s}");
        }
    }

    #[test]
    fn struct_names_from_tables() {
        assert_eq!(struct_name("students").as_deref(), Some("Student"));
        assert_eq!(
            struct_name("course_students").as_deref(),
            Some("CourseStudent")
        );
        assert_eq!(struct_name("Order Items").as_deref(), Some("OrderItem"));
        assert_eq!(struct_name("2fa_codes").as_deref(), Some("Table2faCode"));
        assert_eq!(struct_name("options").as_deref(), Some("OptionModel"));
        assert_eq!(struct_name("models").as_deref(), Some("ModelModel"));
        assert_eq!(struct_name("???"), None);
    }

    #[test]
    fn module_names_avoid_mod_and_keywords() {
        assert_eq!(module_name("CourseStudent"), "course_student");
        assert_eq!(module_name("Mod"), "mod_model");
        assert_eq!(module_name("Type"), "type_model");
    }

    #[test]
    fn scope_renames_collisions_and_reserved_names() {
        let mut s = Scope::default();
        assert_eq!(s.claim("name"), "name");
        assert_eq!(s.claim("name"), "name_2");
        assert_eq!(s.claim("name"), "name_3");
        assert_eq!(s.claim("self"), "self_");
        assert_eq!(s.claim("table"), "table_");
        assert_eq!(s.claim_first(&["name".into(), "course".into()]), "course");
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("gen"), "r#gen");
        assert_eq!(ident("course"), "course");
    }
}
