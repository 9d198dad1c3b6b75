//! Serde (feature `serde`): `#[derive(Model, Serialize, Deserialize)]` works unchanged;
//! `Handle<T>` serializes as `T`; relationship fields serialize their loaded objects and
//! `null` when not loaded (or nothing, with `skip_serializing_if`); deserializing makes new
//! objects that a commit inserts; `Page` serializes with its counters; an object that
//! contains itself is an error, not a stack overflow. On a SQLite file: serialization does
//! not depend on the backend.

use cinnabar::prelude::*;
use cinnabar::Page;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    title: String,
    #[cinnabar(relation(foreign_key = course_id))]
    students: HasMany<Student>,
}

#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    #[cinnabar(foreign_key = "courses.id")]
    course_id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id))]
    #[serde(skip_serializing_if = "BelongsTo::is_not_loaded", default)]
    course: BelongsTo<Course>,
}

/// Tutors and kids with `back_populates`: loading both sides makes a cycle.
#[derive(Model, Debug, Clone, Serialize)]
#[cinnabar(table = "tutors")]
struct Tutor {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    #[cinnabar(relation(foreign_key = tutor_id, back_populates = tutor))]
    kids: HasMany<Kid>,
}

#[derive(Model, Debug, Clone, Serialize)]
#[cinnabar(table = "kids")]
struct Kid {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    #[cinnabar(foreign_key = "tutors.id")]
    tutor_id: Option<i64>,
    #[cinnabar(relation(foreign_key = tutor_id, back_populates = "kids"))]
    tutor: BelongsTo<Tutor>,
}

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        create_engine(&format!("sqlite:///{}", dir.path().join("s.db").display())).unwrap();
    MetaData::new()
        .with(Course::table().clone())
        .with(Student::table().clone())
        .with(Tutor::table().clone())
        .with(Kid::table().clone())
        .create_all(&engine)
        .unwrap();
    (dir, engine)
}

fn seed(engine: &Engine) -> i64 {
    let mut s = Session::new(engine);
    let python = s.add(Course {
        id: None,
        title: "Python".into(),
        students: HasMany::new(),
    });
    s.flush().unwrap();
    let id = python.read().id.unwrap();
    for name in ["Naresh", "Asha"] {
        s.add(Student {
            id: None,
            name: name.into(),
            course_id: Some(id),
            course: BelongsTo::not_loaded(),
        });
    }
    s.commit().unwrap();
    id
}

#[test]
fn handles_serialize_as_their_objects_with_loaded_relationships() {
    let (_dir, engine) = engine();
    let id = seed(&engine);
    let mut s = Session::new(&engine);
    let course = s
        .query::<Course>()
        .options(selectin(Course::students))
        .filter_by(Course::id, id)
        .one()
        .unwrap();
    let value = serde_json::to_value(&course).unwrap();
    assert_eq!(
        value,
        json!({
            "id": id,
            "title": "Python",
            "students": [
                {"id": 1, "name": "Naresh", "course_id": id},
                {"id": 2, "name": "Asha", "course_id": id},
            ],
        }),
        "students' `course` is not loaded and skipped"
    );

    // Not loaded: null (no query runs to fill it).
    let mut fresh = Session::new(&engine);
    let plain = fresh.get::<Course>(id).unwrap().unwrap();
    let before = fresh.statement_count();
    let value = serde_json::to_value(&plain).unwrap();
    assert_eq!(value["students"], serde_json::Value::Null);
    assert_eq!(fresh.statement_count(), before);

    // A loaded BelongsTo serializes its object.
    let student = fresh
        .query::<Student>()
        .options(selectin(Student::course))
        .filter_by(Student::name, "Asha")
        .one()
        .unwrap();
    let value = serde_json::to_value(&student).unwrap();
    assert_eq!(value["course"]["title"], "Python");
    assert_eq!(value["course"]["students"], serde_json::Value::Null);
}

#[test]
fn deserialized_objects_are_new_and_a_commit_inserts_them() {
    let (_dir, engine) = engine();
    let course: Handle<Course> = serde_json::from_value(json!({
        "id": null,
        "title": "Rust",
        "students": [{"id": null, "name": "Ravi", "course_id": null}],
    }))
    .unwrap();
    assert_eq!(course.state(), ObjectState::Transient);
    assert_eq!(course.read().students.len().unwrap(), 1);
    let mut s = Session::new(&engine);
    s.add_handle(&course).unwrap();
    s.commit().unwrap();
    let ravi = s
        .query::<Student>()
        .filter_by(Student::name, "Ravi")
        .one()
        .unwrap();
    assert_eq!(ravi.read().course_id, course.read().id);

    // A missing or null relationship is not loaded, so a flush leaves its key alone.
    let student: Student =
        serde_json::from_value(json!({"id": null, "name": "Mina", "course_id": null})).unwrap();
    assert!(!student.course.is_loaded());
    let course: Course =
        serde_json::from_value(json!({"id": 3, "title": "Go", "students": null})).unwrap();
    assert!(!course.students.is_loaded());
}

#[test]
fn pages_serialize_with_their_counters() {
    let (_dir, engine) = engine();
    seed(&engine);
    let mut s = Session::new(&engine);
    let page = s
        .query::<Student>()
        .order_by(Student::name)
        .paginate(1, 1)
        .unwrap();
    let value = serde_json::to_value(&page).unwrap();
    assert_eq!(
        value,
        json!({
            "items": [{"id": 2, "name": "Asha", "course_id": 1}],
            "total": 2, "page": 1, "per_page": 1, "pages": 2,
            "has_next": true, "has_prev": false,
        })
    );
    let names: Page<String> = page.map(|h| h.read().name.clone());
    let back: Page<String> = serde_json::from_value(serde_json::to_value(&names).unwrap()).unwrap();
    assert_eq!(back, names);
}

#[test]
fn an_object_that_contains_itself_is_an_error_not_a_stack_overflow() {
    let (_dir, engine) = engine();
    let mut s = Session::new(&engine);
    let tutor = s.add(Tutor {
        id: None,
        name: "Ms Rao".into(),
        kids: HasMany::new(),
    });
    let kid = Handle::new(Kid {
        id: None,
        name: "Anu".into(),
        tutor_id: None,
        tutor: BelongsTo::not_loaded(),
    });
    tutor.write().kids.push(kid.clone()).unwrap();
    s.commit().unwrap();
    assert!(
        kid.read().tutor.is_loaded(),
        "back_populates set the kid's tutor"
    );
    let e = serde_json::to_string(&tutor).unwrap_err();
    assert!(e.to_string().contains("contains itself"), "{e}");
    // The guard is released after the error: serializing other objects still works.
    let value = serde_json::to_value(Handle::new(Course {
        id: None,
        title: "Art".into(),
        students: HasMany::not_loaded(),
    }))
    .unwrap();
    assert_eq!(value["title"], "Art");
}

#[test]
fn a_write_guard_alive_is_an_error_not_a_deadlock() {
    let course = Handle::new(Course {
        id: None,
        title: "Art".into(),
        students: HasMany::new(),
    });
    let guard = course.write();
    let e = serde_json::to_string(&course).unwrap_err();
    assert!(e.to_string().contains("borrowed for writing"), "{e}");
    drop(guard);
    assert!(serde_json::to_string(&course).is_ok());
}
