//! One-to-many and many-to-one relationships on SQLite: flush order with keys filled from
//! new parents, collection changes, selectin and explicit loading, unloaded access errors,
//! and the N+1 detector.

mod support;

use cinnabar::prelude::*;
use support::TestDb;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    title: String,
    #[cinnabar(relation(foreign_key = course_id))]
    students: HasMany<Student>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    #[cinnabar(foreign_key = "courses.id")]
    course_id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id))]
    course: BelongsTo<Course>,
}

fn course(title: &str) -> Course {
    Course {
        id: None,
        title: title.into(),
        students: HasMany::loaded(Vec::new()),
    }
}

fn student(name: &str) -> Student {
    Student {
        id: None,
        name: name.into(),
        course_id: None,
        course: BelongsTo::default(),
    }
}

fn setup(db: &TestDb) -> Engine {
    let engine = db.engine.clone();
    MetaData::new()
        .with(Student::table().clone())
        .with(Course::table().clone())
        .create_all(&engine)
        .unwrap();
    engine
}

fn course_of(engine: &Engine, student_id: i64) -> Option<i64> {
    let mut conn = engine.connect().unwrap();
    conn.scalar(text("SELECT course_id FROM students WHERE id = :id").bind("id", student_id))
        .unwrap()
}

fn children_added_to_a_new_parent_get_its_generated_key_in_one_flush(db: &TestDb) {
    let engine = setup(db);
    let mut s = Session::new(&engine);
    // Children added to the session before the parent: the flush still inserts the parent first.
    let a = s.add(student("Naresh"));
    let b = s.add(student("Asha"));
    let c = s.add(course("Python"));
    c.write().students.push(a.clone()).unwrap();
    c.write().students.push(b.clone()).unwrap();
    s.commit().unwrap();
    let cid = c.read().id.expect("course key");
    assert_eq!(a.read().course_id, Some(cid));
    assert_eq!(b.read().course_id, Some(cid));
    assert_eq!(course_of(&engine, a.read().id.unwrap()), Some(cid));
}

fn belongs_to_a_new_parent_fills_the_foreign_key(db: &TestDb) {
    let engine = setup(db);
    let mut s = Session::new(&engine);
    let st = s.add(student("Naresh"));
    let c = s.add(course("Rust"));
    st.write().course.set(Some(c.clone()));
    s.commit().unwrap();
    assert_eq!(st.read().course_id, c.read().id);
    // Re-pointing the student at another course is an UPDATE of the foreign key.
    let d = s.add(course("Go"));
    s.flush().unwrap();
    st.write().course.set(Some(d.clone()));
    s.commit().unwrap();
    assert_eq!(course_of(&engine, st.read().id.unwrap()), d.read().id);
    // And None clears it.
    st.write().course.set(None);
    s.commit().unwrap();
    assert_eq!(course_of(&engine, st.read().id.unwrap()), None);
}

fn removing_from_a_collection_clears_the_foreign_key(db: &TestDb) {
    let engine = setup(db);
    let mut s = Session::new(&engine);
    let c = s.add(course("Python"));
    let a = s.add(student("Naresh"));
    let b = s.add(student("Asha"));
    c.write().students.push(a.clone()).unwrap();
    c.write().students.push(b.clone()).unwrap();
    s.commit().unwrap();

    let mut s = Session::new(&engine);
    let c = s
        .query::<Course>()
        .options(selectin(Course::students))
        .one()
        .unwrap();
    let naresh = c.read().students.get().unwrap()[0].clone();
    assert_eq!(naresh.read().name, "Naresh");
    assert!(c.write().students.remove(&naresh).unwrap());
    s.commit().unwrap();
    assert_eq!(course_of(&engine, naresh.read().id.unwrap()), None);
    assert_eq!(
        course_of(&engine, b.read().id.unwrap()),
        c.read().id,
        "the other child keeps its parent"
    );
}

fn seed(engine: &Engine, courses: usize, per_course: usize) {
    let mut s = Session::new(engine);
    for i in 0..courses {
        let c = s.add(course(&format!("course{i}")));
        for j in 0..per_course {
            let st = s.add(student(&format!("s{i}_{j}")));
            c.write().students.push(st).unwrap();
        }
    }
    s.commit().unwrap();
}

fn selectin_loads_every_collection_with_one_query_per_level(db: &TestDb) {
    let engine = setup(db);
    seed(&engine, 4, 3);
    let mut s = Session::new(&engine);
    let courses = s
        .query::<Course>()
        .order_by(Course::id)
        .options(selectin(Course::students).then(selectin(Student::course)))
        .all()
        .unwrap();
    assert_eq!(courses.len(), 4);
    for (i, c) in courses.iter().enumerate() {
        let g = c.read();
        let kids = g.students.get().unwrap();
        assert_eq!(kids.len(), 3);
        for k in kids {
            assert!(k.read().name.starts_with(&format!("s{i}_")));
            // The nested level points back at the same identity-mapped course object.
            let back = k.read().course.get().unwrap().cloned().unwrap();
            assert!(Handle::ptr_eq(&back, c));
        }
    }
    // Loaded children are the session's objects: a get() returns the same handle.
    let first = courses[0].read().students.get().unwrap()[0].clone();
    let id = first.read().id.unwrap();
    assert!(Handle::ptr_eq(&s.get::<Student>(id).unwrap().unwrap(), &first));
    // Loading does not count as a change.
    s.commit().unwrap();
}

fn reading_an_unloaded_relationship_is_an_error_not_an_empty_list(db: &TestDb) {
    let engine = setup(db);
    seed(&engine, 1, 2);
    let mut s = Session::new(&engine);
    let c = s.query::<Course>().one().unwrap();
    let e = c.read().students.get().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.message().contains("not loaded"), "{e}");
    assert!(e.message().contains("selectin"), "{e}");
    let st = s.query::<Student>().first().unwrap().unwrap();
    assert!(st.read().course.get().is_err());
    // Appending to an unloaded collection is refused too.
    assert!(c.write().students.push(st.clone()).is_err());
    // Explicit loading makes it readable.
    s.load(std::slice::from_ref(&c), Course::students).unwrap();
    assert_eq!(c.read().students.len().unwrap(), 2);
    s.load(std::slice::from_ref(&st), Student::course).unwrap();
    assert!(Handle::ptr_eq(st.read().course.get().unwrap().unwrap(), &c));
}

fn loading_one_object_at_a_time_is_flagged_as_n_plus_one(db: &TestDb) {
    let engine = setup(db);
    seed(&engine, 12, 1);
    let mut s = Session::new(&engine);
    let courses = s.query::<Course>().all().unwrap();
    for c in &courses {
        s.load(std::slice::from_ref(c), Course::students).unwrap();
    }
    assert_eq!(s.n_plus_one_streak(), 12);
    // Loading them together resets the streak.
    s.load(&courses, Course::students).unwrap();
    assert_eq!(s.n_plus_one_streak(), 0);
    assert!(courses.iter().all(|c| c.read().students.len().unwrap() == 1));
}

fn rollback_restores_collections_and_keys(db: &TestDb) {
    let engine = setup(db);
    seed(&engine, 2, 1);
    let mut s = Session::new(&engine);
    let courses = s
        .query::<Course>()
        .order_by(Course::id)
        .options(selectin(Course::students))
        .all()
        .unwrap();
    let moved = courses[0].read().students.get().unwrap()[0].clone();
    let original = moved.read().course_id;
    courses[0].write().students.remove(&moved).unwrap();
    courses[1].write().students.push(moved.clone()).unwrap();
    s.flush().unwrap();
    assert_eq!(moved.read().course_id, courses[1].read().id);
    s.rollback().unwrap();
    assert_eq!(moved.read().course_id, original);
    assert_eq!(course_of(&engine, moved.read().id.unwrap()), original);
    // The collections are back as they were, too.
    assert_eq!(courses[0].read().students.len().unwrap(), 1);
    assert!(Handle::ptr_eq(
        &courses[0].read().students.get().unwrap()[0],
        &moved
    ));
    assert_eq!(courses[1].read().students.len().unwrap(), 1);
}

backend_tests!(
    children_added_to_a_new_parent_get_its_generated_key_in_one_flush,
    belongs_to_a_new_parent_fills_the_foreign_key,
    removing_from_a_collection_clears_the_foreign_key,
    selectin_loads_every_collection_with_one_query_per_level,
    reading_an_unloaded_relationship_is_an_error_not_an_empty_list,
    loading_one_object_at_a_time_is_flagged_as_n_plus_one,
    rollback_restores_collections_and_keys,
);
