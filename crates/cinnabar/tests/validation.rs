//! Validation before the flush (issue 15), on SQLite, PostgreSQL and MariaDB: field rules and
//! a model's `validate_with` function run for new and changed objects before anything is
//! written; a failure is one `ErrorKind::Validation` error listing every invalid field of
//! every object (a `sensitive` field's value left out); nothing is written, and fixing the
//! values and committing again succeeds.

#[macro_use]
mod support;

use cinnabar::prelude::*;
use cinnabar::{FieldError, ValidationErrors};
use support::TestDb;

backend_tests!(
    invalid_objects_of_two_models_write_nothing_and_can_be_fixed,
    a_changed_object_is_validated,
    session_validate_checks_without_writing,
);

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "v_products")]
pub(crate) struct Product {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 40, validate(length(min = 1, max = 20)))]
    pub name: String,
    #[cinnabar(validate(range(min = 0, max = 1000)))]
    pub price: i64,
    #[cinnabar(length = 10, validate(one_of("draft", "live")))]
    pub status: String,
    /// Rust-side only.
    #[cinnabar(validate(pattern = "^[A-Z]{3}-[0-9]+$"))]
    pub sku: Option<String>,
}

fn customer_rules(c: &Customer) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if c.email.as_deref().is_some_and(|e| !e.contains('@')) {
        errors.push(
            FieldError::new("email", "email", "must contain @")
                .with_value(c.email.clone().unwrap_or_default()),
        );
    }
    if c.password.as_deref() == Some(c.name.as_str()) {
        errors.add("password", "differs_from_name", "must not be the name");
    }
    errors.into_result()
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "v_customers", validate_with = customer_rules)]
pub(crate) struct Customer {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 50)]
    pub name: String,
    pub email: Option<String>,
    #[cinnabar(length = 100, validate(sensitive, length(min = 8)))]
    pub password: Option<String>,
}

fn setup(db: &TestDb) {
    db.create_tables(&[Product::table(), Customer::table()]);
}

fn count(db: &TestDb, table: &str) -> i64 {
    db.scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .unwrap_or(-1)
}

fn product(name: &str, price: i64, status: &str) -> Product {
    Product {
        id: None,
        name: name.into(),
        price,
        status: status.into(),
        sku: None,
    }
}

/// `(model, key, field, rule, value)` of each error.
fn summary(e: &Error) -> Vec<(String, String, String, String, Option<String>)> {
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    e.validation_errors()
        .expect("a validation error lists its fields")
        .errors()
        .iter()
        .map(|f| {
            (
                f.model.clone(),
                f.key.clone(),
                f.field.clone(),
                f.rule.clone(),
                f.value.clone(),
            )
        })
        .collect()
}

fn s(x: &str) -> String {
    x.to_string()
}

fn invalid_objects_of_two_models_write_nothing_and_can_be_fixed(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let good = session.add(product("fine", 10, "live"));
    let bad = session.add(Product {
        sku: Some("abc".into()),
        ..product("", 5000, "gone")
    });
    let customer = session.add(Customer {
        id: None,
        name: "ann".into(),
        email: Some("ann.example.org".into()),
        password: Some("short".into()),
    });

    let e = session.commit().unwrap_err();
    assert_eq!(
        summary(&e),
        [
            (s("Product"), s("new"), s("name"), s("length"), Some(s(""))),
            (
                s("Product"),
                s("new"),
                s("price"),
                s("range"),
                Some(s("5000"))
            ),
            (
                s("Product"),
                s("new"),
                s("status"),
                s("one_of"),
                Some(s("gone"))
            ),
            (
                s("Product"),
                s("new"),
                s("sku"),
                s("pattern"),
                Some(s("abc"))
            ),
            (s("Customer"), s("new"), s("password"), s("length"), None),
            (
                s("Customer"),
                s("new"),
                s("email"),
                s("email"),
                Some(s("ann.example.org"))
            ),
        ],
        "{e}"
    );
    let text = e.to_string();
    assert!(
        text.starts_with("validation failed: 6 invalid fields: Product new .name (length)"),
        "{text}"
    );
    assert!(
        !text.contains("short"),
        "a sensitive value is never shown: {text}"
    );
    // Nothing written, no transaction left open, every object still pending.
    assert_eq!(count(db, "v_products"), 0);
    assert_eq!(count(db, "v_customers"), 0);
    assert!(!session.in_transaction());
    for state in [good.state(), bad.state(), customer.state()] {
        assert_eq!(state, ObjectState::Pending);
    }

    // Fixing the values and committing again writes all three.
    {
        let mut p = bad.write();
        p.name = "fixed".into();
        p.price = 1000;
        p.status = "draft".into();
        p.sku = Some("ABC-12".into());
    }
    {
        let mut c = customer.write();
        c.email = Some("ann@example.org".into());
        c.password = Some("long enough".into());
    }
    session.commit().unwrap();
    assert_eq!(count(db, "v_products"), 2);
    assert_eq!(count(db, "v_customers"), 1);
    assert!(bad.read().id.is_some());
    assert_eq!(customer.state(), ObjectState::Persistent);
}

fn a_changed_object_is_validated(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let p = session.add(product("lamp", 10, "live"));
    let c = session.add(Customer {
        id: None,
        name: "bob".into(),
        email: None,
        password: Some("secret-secret".into()),
    });
    session.commit().unwrap();
    let key = p.read().id.unwrap();

    p.write().price = -1;
    c.write().password = Some("bob".into());
    let e = session.commit().unwrap_err();
    let ckey = format!("{:?}", c.read().id.unwrap());
    assert_eq!(
        summary(&e),
        [
            (
                s("Product"),
                format!("{key}"),
                s("price"),
                s("range"),
                Some(s("-1"))
            ),
            (
                s("Customer"),
                ckey.clone(),
                s("password"),
                s("length"),
                None
            ),
            (
                s("Customer"),
                ckey,
                s("password"),
                s("differs_from_name"),
                None
            ),
        ],
        "{e}"
    );
    assert_eq!(
        db.scalar(&format!("SELECT price FROM v_products WHERE id = {key}")),
        Some(10),
        "the UPDATE was not written"
    );
    // The change is kept: fixing it and committing writes it.
    assert_eq!(p.read().price, -1);
    p.write().price = 20;
    c.write().password = Some("another-secret".into());
    session.commit().unwrap();
    assert_eq!(
        db.scalar(&format!("SELECT price FROM v_products WHERE id = {key}")),
        Some(20)
    );
}

fn session_validate_checks_without_writing(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let p = session.add(product("x", -5, "live"));
    let e = session.validate().unwrap_err();
    assert_eq!(summary(&e).len(), 1, "{e}");
    assert!(!session.in_transaction());
    assert_eq!(count(db, "v_products"), 0);
    p.write().price = 5;
    session.validate().unwrap();
    session.commit().unwrap();
    assert_eq!(count(db, "v_products"), 1);
}
