//! Unit tests of parsing: every attribute mistake reported at its span.

use super::defs::{CheckDef, ForeignKeyDef, IndexDef, OnDelete, SqlTypeOverride};
use super::types::snake_case;
use super::*;
use syn::{parse_quote, DeriveInput, Type};

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
