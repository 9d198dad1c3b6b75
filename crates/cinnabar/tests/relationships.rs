//! One-to-many and many-to-one relationships on SQLite: flush order with keys filled from
//! new parents, collection changes, selectin and explicit loading, unloaded access errors,
//! and the N+1 detector.

#[path = "models/relationships.rs"]
mod models;
mod support;

use cinnabar::prelude::*;
use models::{Course, Student};
use support::capture::{capture_sql, echo_engine, statements};
use support::TestDb;

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
    st.write().course.set(Some(c.clone())).unwrap();
    s.commit().unwrap();
    assert_eq!(st.read().course_id, c.read().id);
    // Re-pointing the student at another course is an UPDATE of the foreign key.
    let d = s.add(course("Go"));
    s.flush().unwrap();
    st.write().course.set(Some(d.clone())).unwrap();
    s.commit().unwrap();
    assert_eq!(course_of(&engine, st.read().id.unwrap()), d.read().id);
    // And None clears it.
    st.write().course.set(None).unwrap();
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

/// `name` quoted as the backend quotes identifiers.
fn db_quote(db: &TestDb, name: &str) -> String {
    match db.backend {
        support::Backend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
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

/// `iter()` with eager loaders loads each chunk's relationships with the chunk: selectin as
/// one IN query per chunk, and joined as selectin too (a LIMIT would cut a joined
/// collection short).
fn iter_loads_relationships_per_chunk(db: &TestDb) {
    let engine = setup(db);
    seed(&engine, 5, 3);
    let echo = echo_engine(db);
    for joined_loader in [false, true] {
        let mut s = Session::new(&echo);
        let (seen, sql) = capture_sql(|| {
            let q = s.query::<Course>();
            let q = if joined_loader {
                q.options(joined(Course::students))
            } else {
                q.options(selectin(Course::students))
            };
            let mut seen = Vec::new();
            for c in q.iter().chunk_size(2) {
                let c = c.unwrap();
                let g = c.read();
                let kids: Vec<String> = g
                    .students
                    .get()
                    .unwrap()
                    .iter()
                    .map(|k| k.read().name.clone())
                    .collect();
                seen.push((g.title.clone(), kids));
            }
            seen
        });
        assert_eq!(seen.len(), 5);
        for (i, (title, kids)) in seen.iter().enumerate() {
            assert_eq!(title, &format!("course{i}"));
            let mut kids = kids.clone();
            kids.sort();
            assert_eq!(
                kids,
                (0..3).map(|j| format!("s{i}_{j}")).collect::<Vec<_>>()
            );
        }
        // Chunks of 2, 2 and 1 courses: three course SELECTs and three student IN queries.
        let selects = statements(&sql, "SELECT");
        let students = selects
            .iter()
            .filter(|q| q.contains(&format!("FROM {} WHERE", db_quote(db, "students"))))
            .count();
        assert_eq!(
            (selects.len(), students),
            (6, 3),
            "joined: {joined_loader}: {selects:#?}"
        );
    }
}

fn selectin_loads_every_collection_with_one_query_per_level(db: &TestDb) {
    let engine = setup(db);
    seed(&engine, 4, 3);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let (courses, sql) = capture_sql(|| {
        s.query::<Course>()
            .order_by(Course::id)
            .options(selectin(Course::students).then(selectin(Student::course)))
            .all()
            .unwrap()
    });
    assert_eq!(courses.len(), 4);
    // One SELECT per level: the courses; every course's students in one IN query; every
    // student's course in one IN query (a loop per parent would send 1 + 4 + 12).
    let selects = statements(&sql, "SELECT");
    assert_eq!(selects.len(), 3, "{selects:#?}");
    for (level, table) in [(1, "students"), (2, "courses")] {
        assert!(
            selects[level].contains(&format!("FROM {} WHERE", db_quote(db, table)))
                && selects[level].contains(" IN ("),
            "{}",
            selects[level]
        );
    }
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
    assert!(Handle::ptr_eq(
        &s.get::<Student>(id).unwrap().unwrap(),
        &first
    ));
    // Loading does not count as a change: the commit writes nothing.
    let ((), sql) = capture_sql(|| s.commit().unwrap());
    for verb in ["INSERT", "UPDATE", "DELETE"] {
        assert!(statements(&sql, verb).is_empty(), "{verb} sent: {sql:#?}");
    }
}

fn joined_loading_matches_selectin_in_one_query(db: &TestDb) {
    let engine = setup(db);
    seed(&engine, 3, 4);
    let mut s = Session::new(&engine);
    s.add(course("empty"));
    s.commit().unwrap();
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let (courses, sql) = capture_sql(|| {
        s.query::<Course>()
            .order_by(Course::id)
            .options(joined(Course::students))
            .all()
            .unwrap()
    });
    // One statement: the courses LEFT OUTER JOIN their students.
    let selects = statements(&sql, "SELECT");
    assert_eq!(selects.len(), 1, "{selects:#?}");
    assert!(selects[0].contains(" JOIN "), "{}", selects[0]);
    // Four courses, once each, although the join returned a row per student.
    assert_eq!(courses.len(), 4);
    let counts: Vec<usize> = courses
        .iter()
        .map(|c| c.read().students.len().unwrap())
        .collect();
    assert_eq!(counts, [4, 4, 4, 0]);
    for (i, c) in courses.iter().take(3).enumerate() {
        for k in c.read().students.get().unwrap() {
            assert!(k.read().name.starts_with(&format!("s{i}_")));
        }
    }
    // Many-to-one, joined: every student with its course, the same course objects.
    let (students, sql) = capture_sql(|| {
        s.query::<Student>()
            .options(joined(Student::course))
            .all()
            .unwrap()
    });
    assert_eq!(statements(&sql, "SELECT").len(), 1, "{sql:#?}");
    assert_eq!(students.len(), 12);
    for st in &students {
        let c = st.read().course.get().unwrap().cloned().unwrap();
        assert!(courses.iter().any(|x| Handle::ptr_eq(x, &c)));
    }
}

/// A joined load of a whole table: on SQLite the children drive the join (RIGHT OUTER JOIN,
/// see `Dialect::eager_join_from_children`); every backend returns the same objects, a
/// childless parent included. A filtered parent query keeps the parents first everywhere.
fn joined_loading_of_a_whole_table_keeps_childless_parents(db: &TestDb) {
    let engine = setup(db);
    add_empty_course(&engine);
    seed(&engine, 3, 2);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let (courses, sql) = capture_sql(|| {
        s.query::<Course>()
            .options(joined(Course::students))
            .all()
            .unwrap()
    });
    let selects = statements(&sql, "SELECT");
    assert_eq!(selects.len(), 1, "{selects:#?}");
    let driven_by_children = db.backend == support::Backend::Sqlite;
    let form = if driven_by_children {
        " RIGHT OUTER JOIN "
    } else {
        " LEFT OUTER JOIN "
    };
    assert!(selects[0].contains(form), "{}", selects[0]);
    assert_eq!(courses.len(), 4);
    let mut titles = Vec::new();
    for c in &courses {
        let g = c.read();
        let kids = g.students.get().unwrap();
        match g.title.strip_prefix("course") {
            Some(i) => {
                assert_eq!(kids.len(), 2, "{}", g.title);
                for k in kids {
                    assert!(k.read().name.starts_with(&format!("s{i}_")));
                    // The same identity-mapped objects a get() returns.
                    let id = k.read().id.unwrap();
                    assert!(Handle::ptr_eq(&s.get::<Student>(id).unwrap().unwrap(), k));
                }
            }
            None => assert!(kids.is_empty(), "{}", g.title),
        }
        titles.push(g.title.clone());
    }
    titles.sort();
    assert_eq!(titles, ["course0", "course1", "course2", "empty"]);
    // A filter keeps the parents driving the join (a selective filter reads few children).
    let mut s = Session::new(&echo);
    let (one, sql) = capture_sql(|| {
        s.query::<Course>()
            .filter(Course::title.eq("course1"))
            .options(joined(Course::students))
            .all()
            .unwrap()
    });
    let selects = statements(&sql, "SELECT");
    assert!(selects[0].contains(" LEFT OUTER JOIN "), "{}", selects[0]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].read().students.len().unwrap(), 2);
}

/// Adds a course without students before any other.
fn add_empty_course(engine: &Engine) {
    let mut s = Session::new(engine);
    s.add(course("empty"));
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
    assert!(courses
        .iter()
        .all(|c| c.read().students.len().unwrap() == 1));
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
    iter_loads_relationships_per_chunk,
    joined_loading_matches_selectin_in_one_query,
    joined_loading_of_a_whole_table_keeps_childless_parents,
    children_added_to_a_new_parent_get_its_generated_key_in_one_flush,
    belongs_to_a_new_parent_fills_the_foreign_key,
    removing_from_a_collection_clears_the_foreign_key,
    selectin_loads_every_collection_with_one_query_per_level,
    reading_an_unloaded_relationship_is_an_error_not_an_empty_list,
    loading_one_object_at_a_time_is_flagged_as_n_plus_one,
    rollback_restores_collections_and_keys,
);

mod cascades {
    use super::support::TestDb;
    use crate::models::cascades::{Department, Teacher};
    use cinnabar::prelude::*;

    fn setup(db: &TestDb) -> (Session, Handle<Department>, Vec<Handle<Teacher>>) {
        db.create_tables(&[Department::table(), Teacher::table()]);
        let mut s = Session::new(&db.engine);
        let d = s.add(Department {
            id: None,
            name: "CS".into(),
            teachers: HasMany::loaded(Vec::new()),
        });
        let ts: Vec<_> = ["Ada", "Alan", "Grace"]
            .iter()
            .map(|n| {
                let t = s.add(Teacher {
                    id: None,
                    name: (*n).into(),
                    department_id: None,
                    department: BelongsTo::default(),
                });
                d.write().teachers.push(t.clone()).unwrap();
                t
            })
            .collect();
        s.commit().unwrap();
        (s, d, ts)
    }

    fn teachers(db: &TestDb) -> i64 {
        db.scalar("SELECT COUNT(*) FROM teachers").expect("a count")
    }

    pub(crate) fn deleting_a_parent_deletes_its_children_first(db: &TestDb) {
        let (_s, _d, _ts) = setup(db);
        // A fresh session: the collection is not loaded, so the cascade loads it.
        let mut s = Session::new(&db.engine);
        let d = s.query::<Department>().one().unwrap();
        s.delete(&d).unwrap();
        s.commit().unwrap();
        assert_eq!(teachers(db), 0);
        assert_eq!(s.query::<Department>().count().unwrap(), 0);
    }

    pub(crate) fn a_child_removed_from_a_delete_orphan_collection_is_deleted(db: &TestDb) {
        let (mut s, d, ts) = setup(db);
        assert!(d.write().teachers.remove(&ts[1]).unwrap());
        s.commit().unwrap();
        assert_eq!(teachers(db), 2);
        assert_eq!(ts[1].state(), cinnabar::ObjectState::Detached);
        // Rollback brings an orphan back.
        d.write().teachers.remove(&ts[0]).unwrap();
        s.flush().unwrap();
        // Inside the session's transaction the orphan is gone (other connections still see
        // the committed two).
        let inside: i64 = s
            .execute(text("SELECT COUNT(*) FROM teachers"))
            .unwrap()
            .scalar()
            .unwrap();
        assert_eq!(inside, 1);
        assert_eq!(ts[0].state(), cinnabar::ObjectState::Deleted);
        s.rollback().unwrap();
        assert_eq!(teachers(db), 2);
        assert_eq!(ts[0].state(), cinnabar::ObjectState::Persistent);
        assert_eq!(d.read().teachers.len().unwrap(), 2);
    }

    pub(crate) fn joins_and_exists_filters_through_relationships(db: &TestDb) {
        let (mut s, _d, _ts) = setup(db);
        let other = s.add(Department {
            id: None,
            name: "Math".into(),
            teachers: HasMany::loaded(Vec::new()),
        });
        s.commit().unwrap();
        let with_ada = s
            .query::<Department>()
            .filter(Department::teachers.any(Teacher::name.eq("Ada")))
            .all()
            .unwrap();
        assert_eq!(with_ada.len(), 1);
        assert_eq!(with_ada[0].read().name, "CS");
        let empty = s
            .query::<Department>()
            .filter(!Department::teachers.exists_any())
            .all()
            .unwrap();
        assert_eq!(empty.len(), 1);
        assert!(Handle::ptr_eq(&empty[0], &other));
        // A join repeats the department per teacher; results come back once each.
        let joined = s
            .query::<Department>()
            .join(Department::teachers)
            .filter(Teacher::name.like("A%"))
            .all()
            .unwrap();
        assert_eq!(joined.len(), 1);
        // ... and so does the count (two teachers match, one department).
        let n = s
            .query::<Department>()
            .join(Department::teachers)
            .filter(Teacher::name.like("A%"))
            .count()
            .unwrap();
        assert_eq!(n, 1);
        let n = s
            .query::<Department>()
            .outer_join(Department::teachers)
            .count()
            .unwrap();
        assert_eq!(n, 2);
    }

    pub(crate) fn many_to_one_join_and_has(db: &TestDb) {
        let (mut s, d, _ts) = setup(db);
        let _ = d;
        let in_cs = s
            .query::<Teacher>()
            .join(Teacher::department)
            .filter(Department::name.eq("CS"))
            .order_by(Teacher::name)
            .all()
            .unwrap();
        assert_eq!(in_cs.len(), 3);
        assert_eq!(in_cs[0].read().name, "Ada");
        let has = s
            .query::<Teacher>()
            .filter(Teacher::department.has(Department::name.eq("Math")))
            .count()
            .unwrap();
        assert_eq!(has, 0);
    }

    crate::backend_tests!(
        deleting_a_parent_deletes_its_children_first,
        a_child_removed_from_a_delete_orphan_collection_is_deleted,
        joins_and_exists_filters_through_relationships,
        many_to_one_join_and_has,
    );
}

mod tree {
    use super::support::TestDb;
    use crate::models::tree::Category;
    use cinnabar::prelude::*;

    fn cat(name: &str) -> Category {
        Category {
            id: None,
            name: name.into(),
            parent_id: None,
            parent: BelongsTo::default(),
            children: HasMany::loaded(Vec::new()),
        }
    }

    pub(crate) fn a_new_tree_is_inserted_parents_first_in_one_flush(db: &TestDb) {
        db.create_tables(&[Category::table()]);
        let mut s = Session::new(&db.engine);
        // Added leaf-first, on purpose.
        let leaf = s.add(cat("Rust"));
        let mid = s.add(cat("Languages"));
        let root = s.add(cat("Programming"));
        leaf.write().parent.set(Some(mid.clone())).unwrap();
        mid.write().parent.set(Some(root.clone())).unwrap();
        s.commit().unwrap();
        assert_eq!(leaf.read().parent_id, mid.read().id);
        assert_eq!(mid.read().parent_id, root.read().id);
        assert_eq!(root.read().parent_id, None);

        // Load the tree two levels down with nested selectin on the same model.
        let mut s = Session::new(&db.engine);
        let roots = s
            .query::<Category>()
            .filter(Category::parent_id.is_null())
            .options(selectin(Category::children).then(selectin(Category::children)))
            .all()
            .unwrap();
        assert_eq!(roots.len(), 1);
        let mids = roots[0].read().children.get().unwrap().to_vec();
        assert_eq!(mids.len(), 1);
        let leaves = mids[0].read().children.get().unwrap().to_vec();
        assert_eq!(leaves[0].read().name, "Rust");

        // A self-join through an alias: categories whose parent is called "Languages".
        let under = s
            .query::<Category>()
            .join_as(Category::parent, "p")
            .filter(Category::name.of("p").eq("Languages"))
            .all()
            .unwrap();
        assert_eq!(under.len(), 1);
        assert_eq!(under[0].read().name, "Rust");
    }

    pub(crate) fn a_reference_cycle_among_new_objects_is_a_clear_error(db: &TestDb) {
        db.create_tables(&[Category::table()]);
        let mut s = Session::new(&db.engine);
        let a = s.add(cat("a"));
        let b = s.add(cat("b"));
        a.write().parent.set(Some(b.clone())).unwrap();
        b.write().parent.set(Some(a.clone())).unwrap();
        let e = s.commit().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse);
        assert!(e.message().contains("cycle"), "{e}");
        assert!(e.message().contains("Category"), "{e}");
        // The session is usable and kept both objects: break the cycle and commit.
        assert_eq!(a.state(), cinnabar::ObjectState::Pending);
        assert_eq!(b.state(), cinnabar::ObjectState::Pending);
        b.write().parent.set(None).unwrap();
        s.commit().unwrap();
        assert_eq!(a.read().parent_id, b.read().id);
    }

    crate::backend_tests!(
        a_new_tree_is_inserted_parents_first_in_one_flush,
        a_reference_cycle_among_new_objects_is_a_clear_error,
    );
}

mod many_to_many {
    use super::support::TestDb;
    use crate::models::many_to_many::{Membership, Prerequisite, Pupil, Subject};
    use cinnabar::prelude::*;

    fn subject(title: &str) -> Subject {
        Subject {
            id: None,
            title: title.into(),
            prerequisites: HasMany::loaded(Vec::new()),
            pupils: HasMany::loaded(Vec::new()),
        }
    }

    fn setup(db: &TestDb) {
        db.create_tables(&[
            Subject::table(),
            Pupil::table(),
            Prerequisite::table(),
            Membership::table(),
        ]);
    }

    fn rows(db: &TestDb, table: &str) -> i64 {
        db.scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .expect("a count")
    }

    pub(crate) fn association_rows_follow_the_collections(db: &TestDb) {
        setup(db);
        let mut s = Session::new(&db.engine);
        let basics = s.add(subject("Basics"));
        let python = s.add(subject("Python"));
        let rust = s.add(subject("Rust"));
        let ada = s.add(Pupil {
            id: None,
            name: "Ada".into(),
        });
        // New objects on both sides, linked before any has a key: one flush does it all.
        python.write().prerequisites.push(basics.clone()).unwrap();
        rust.write().prerequisites.push(basics.clone()).unwrap();
        rust.write().prerequisites.push(python.clone()).unwrap();
        rust.write().pupils.push(ada.clone()).unwrap();
        s.commit().unwrap();
        assert_eq!(rows(db, "prerequisites"), 3);
        assert_eq!(rows(db, "memberships"), 1);

        // Loading through the association, in a fresh session.
        let mut s = Session::new(&db.engine);
        let all = s
            .query::<Subject>()
            .order_by(Subject::id)
            .options(selectin(Subject::prerequisites))
            .all()
            .unwrap();
        let names = |h: &Handle<Subject>| -> Vec<String> {
            let mut v: Vec<String> = h
                .read()
                .prerequisites
                .get()
                .unwrap()
                .iter()
                .map(|p| p.read().title.clone())
                .collect();
            v.sort();
            v
        };
        assert!(names(&all[0]).is_empty());
        assert_eq!(names(&all[1]), ["Basics"]);
        assert_eq!(names(&all[2]), ["Basics", "Python"]);
        // The loaded prerequisites are the session's objects.
        let basics_loaded = all[1].read().prerequisites.get().unwrap()[0].clone();
        assert!(Handle::ptr_eq(&basics_loaded, &all[0]));

        // Removing from the collection deletes the association row only.
        all[2].write().prerequisites.remove(&basics_loaded).unwrap();
        s.commit().unwrap();
        assert_eq!(rows(db, "prerequisites"), 2);
        assert_eq!(rows(db, "subjects"), 3);

        // Filters and joins through the association.
        let needs_python = s
            .query::<Subject>()
            .filter(Subject::prerequisites.any(Subject::title.eq("Python")))
            .all()
            .unwrap();
        assert_eq!(needs_python.len(), 1);
        assert_eq!(needs_python[0].read().title, "Rust");
        let with_ada = s
            .query::<Subject>()
            .join(Subject::pupils)
            .filter(Pupil::name.eq("Ada"))
            .all()
            .unwrap();
        assert_eq!(with_ada.len(), 1);

        // Deleting an owner removes its association rows first.
        let rust = needs_python[0].clone();
        s.delete(&rust).unwrap();
        s.commit().unwrap();
        assert_eq!(rows(db, "memberships"), 0);
        assert_eq!(rows(db, "prerequisites"), 1);
    }

    pub(crate) fn rollback_restores_a_many_to_many_collection(db: &TestDb) {
        setup(db);
        let mut s = Session::new(&db.engine);
        let a = s.add(subject("A"));
        let b = s.add(subject("B"));
        s.commit().unwrap();
        a.write().prerequisites.push(b.clone()).unwrap();
        s.flush().unwrap();
        // The flush wrote the association row (seen inside the session's transaction).
        let flushed: i64 = s
            .connection()
            .unwrap()
            .scalar(text("SELECT COUNT(*) FROM prerequisites"))
            .unwrap();
        assert_eq!(flushed, 1, "the flush inserted the association row");
        s.rollback().unwrap();
        assert_eq!(a.read().prerequisites.len().unwrap(), 0);
        assert_eq!(rows(db, "prerequisites"), 0);
    }

    crate::backend_tests!(
        association_rows_follow_the_collections,
        rollback_restores_a_many_to_many_collection,
    );
}

mod one_to_one {
    use super::support::TestDb;
    use crate::models::one_to_one::{Learner, Profile};
    use cinnabar::prelude::*;

    pub(crate) fn scalar_on_both_sides(db: &TestDb) {
        db.create_tables(&[Learner::table(), Profile::table()]);
        let mut s = Session::new(&db.engine);
        let p = s.add(Profile {
            id: None,
            learner_id: None,
            bio: "likes Rust".into(),
            learner: BelongsTo::default(),
        });
        let l = s.add(Learner {
            id: None,
            name: "Naresh".into(),
            profile: HasOne::loaded(None),
        });
        // Set from the inverse side: the profile gets the learner's new key.
        l.write().profile.set(Some(p.clone())).unwrap();
        // back_populates: the profile's side is set too, before any flush.
        assert!(Handle::ptr_eq(p.read().learner.get().unwrap().unwrap(), &l));
        s.commit().unwrap();
        assert_eq!(p.read().learner_id, l.read().id);

        let mut s = Session::new(&db.engine);
        let learners = s
            .query::<Learner>()
            .options(selectin(Learner::profile))
            .all()
            .unwrap();
        let prof = learners[0].read().profile.get().unwrap().cloned().unwrap();
        assert_eq!(prof.read().bio, "likes Rust");
        // back_populates: loading the learner's side filled the profile's reference.
        assert!(Handle::ptr_eq(
            prof.read().learner.get().unwrap().unwrap(),
            &learners[0]
        ));
        let joined_l = s
            .query::<Learner>()
            .options(joined(Learner::profile))
            .all()
            .unwrap();
        assert!(Handle::ptr_eq(
            joined_l[0].read().profile.get().unwrap().unwrap(),
            &prof
        ));
        // Replacing it with a new profile in one flush: the old row gives up the UNIQUE
        // foreign key (UPDATE) before the new row takes it (INSERT).
        let p2 = s.add(Profile {
            id: None,
            learner_id: None,
            bio: "likes SQL".into(),
            learner: BelongsTo::default(),
        });
        learners[0].write().profile.set(Some(p2.clone())).unwrap();
        assert!(Handle::ptr_eq(
            p2.read().learner.get().unwrap().unwrap(),
            &learners[0]
        ));
        s.commit().unwrap();
        assert_eq!(prof.read().learner_id, None);
        assert_eq!(p2.read().learner_id, learners[0].read().id);
        let has = s
            .query::<Learner>()
            .filter(Learner::profile.has(Profile::bio.eq("likes SQL")))
            .count()
            .unwrap();
        assert_eq!(has, 1);
    }

    crate::backend_tests!(scalar_on_both_sides);
}

/// `back_populates`: changing one side updates the other side in memory, before any flush;
/// the save-update cascade adds new objects ([`Handle::new`]) reachable through relationships.
mod back_populates {
    use super::support::TestDb;
    use crate::models::back_populates::{Club, ClubMember, Kid, Member, Tutor};
    use cinnabar::prelude::*;

    fn tutor(name: &str) -> Tutor {
        Tutor {
            id: None,
            name: name.into(),
            kids: HasMany::new(),
        }
    }

    fn kid(name: &str) -> Kid {
        Kid {
            id: None,
            name: name.into(),
            tutor_id: None,
            tutor: BelongsTo::default(),
        }
    }

    fn names(kids: &[Handle<Kid>]) -> Vec<String> {
        let mut v: Vec<String> = kids.iter().map(|k| k.read().name.clone()).collect();
        v.sort();
        v
    }

    fn tutor_of(db: &TestDb, name: &str) -> Option<i64> {
        db.engine
            .connect()
            .unwrap()
            .scalar(text("SELECT tutor_id FROM kids WHERE name = :n").bind("n", name))
            .unwrap()
    }

    fn kid_rows(db: &TestDb) -> i64 {
        db.scalar("SELECT COUNT(*) FROM kids").expect("a count")
    }

    /// Two tutors, A with kids a1 and a2, B with b1; loaded with both sides' relationships.
    fn setup(db: &TestDb) -> (Session, Handle<Tutor>, Handle<Tutor>) {
        db.create_tables(&[Tutor::table(), Kid::table()]);
        let mut s = Session::new(&db.engine);
        // Built the SQLAlchemy way: new objects in a new object's collection are added with it.
        s.add(Tutor {
            kids: vec![Handle::new(kid("a1")), Handle::new(kid("a2"))].into(),
            ..tutor("A")
        });
        s.add(Tutor {
            kids: vec![Handle::new(kid("b1"))].into(),
            ..tutor("B")
        });
        s.commit().unwrap();
        let mut s = Session::new(&db.engine);
        let tutors = s
            .query::<Tutor>()
            .options(selectin(Tutor::kids))
            .order_by(Tutor::name.asc())
            .all()
            .unwrap();
        // The kids' side is loaded too, so both sides are in memory.
        s.query::<Kid>()
            .options(selectin(Kid::tutor))
            .all()
            .unwrap();
        (s, tutors[0].clone(), tutors[1].clone())
    }

    fn find(t: &Handle<Tutor>, name: &str) -> Handle<Kid> {
        t.read()
            .kids
            .get()
            .unwrap()
            .iter()
            .find(|k| k.read().name == name)
            .cloned()
            .unwrap()
    }

    pub(crate) fn setting_the_reference_moves_the_object_between_loaded_collections(db: &TestDb) {
        let (mut s, a, b) = setup(db);
        let a1 = find(&a, "a1");
        a1.write().tutor.set(Some(b.clone())).unwrap();
        // Before any flush: A lost it, B has it.
        assert_eq!(names(a.read().kids.get().unwrap()), ["a2"]);
        assert_eq!(names(b.read().kids.get().unwrap()), ["a1", "b1"]);
        s.commit().unwrap();
        // Moved, not orphaned: A's collection is delete-orphan, but a1 has a new parent.
        assert_eq!(kid_rows(db), 3);
        assert_eq!(tutor_of(db, "a1"), b.read().id);
        // Clearing the reference takes it out of B's collection: an orphan, deleted.
        a1.write().tutor.set(None).unwrap();
        assert_eq!(names(b.read().kids.get().unwrap()), ["b1"]);
        s.commit().unwrap();
        assert_eq!(kid_rows(db), 2);
    }

    pub(crate) fn pushing_into_a_collection_sets_the_reference_and_leaves_the_old_parent(
        db: &TestDb,
    ) {
        let (mut s, a, b) = setup(db);
        let a2 = find(&a, "a2");
        b.write().kids.push(a2.clone()).unwrap();
        assert!(Handle::ptr_eq(a2.read().tutor.get().unwrap().unwrap(), &b));
        assert_eq!(names(a.read().kids.get().unwrap()), ["a1"]);
        s.commit().unwrap();
        assert_eq!(kid_rows(db), 3);
        assert_eq!(tutor_of(db, "a2"), b.read().id);
        // Removing from the collection clears the reference.
        let b1 = find(&b, "b1");
        assert!(b.write().kids.remove(&b1).unwrap());
        assert_eq!(b1.read().tutor.get().unwrap().map(|_| ()), None);
        s.commit().unwrap();
        assert_eq!(kid_rows(db), 2, "b1 was a delete-orphan child");
    }

    pub(crate) fn rollback_undoes_both_sides(db: &TestDb) {
        let (mut s, a, b) = setup(db);
        let a1 = find(&a, "a1");
        a1.write().tutor.set(Some(b.clone())).unwrap();
        s.flush().unwrap();
        s.rollback().unwrap();
        assert_eq!(names(a.read().kids.get().unwrap()), ["a1", "a2"]);
        assert_eq!(names(b.read().kids.get().unwrap()), ["b1"]);
        assert!(Handle::ptr_eq(a1.read().tutor.get().unwrap().unwrap(), &a));
        assert_eq!(tutor_of(db, "a1"), a.read().id);
    }

    pub(crate) fn new_objects_are_added_through_relationships(db: &TestDb) {
        let (mut s, a, _b) = setup(db);
        // A new kid appended to a loaded collection: inserted by the next flush.
        let n1 = Handle::new(kid("n1"));
        a.write().kids.push(n1.clone()).unwrap();
        assert_eq!(n1.state(), ObjectState::Transient);
        assert!(Handle::ptr_eq(n1.read().tutor.get().unwrap().unwrap(), &a));
        s.commit().unwrap();
        assert_eq!(n1.state(), ObjectState::Persistent);
        assert_eq!(tutor_of(db, "n1"), a.read().id);
        // A new kid pointing at a new tutor: adding the kid adds the tutor, which is told of
        // the kid at once.
        let c = Handle::new(tutor("C"));
        let n2 = s.add(Kid {
            tutor: BelongsTo::to(&c),
            ..kid("n2")
        });
        assert_eq!(c.state(), ObjectState::Pending);
        assert_eq!(names(c.read().kids.get().unwrap()), ["n2"]);
        s.commit().unwrap();
        assert_eq!(tutor_of(db, "n2"), c.read().id);
        assert!(c.read().id.is_some() && n2.read().id.is_some());
        assert_eq!(kid_rows(db), 5);
    }

    pub(crate) fn a_borrowed_other_side_is_an_error_and_changes_nothing(db: &TestDb) {
        let (mut s, a, b) = setup(db);
        let a1 = find(&a, "a1");
        let err = {
            let _reading_b = b.read();
            a1.write().tutor.set(Some(b.clone())).unwrap_err()
        };
        assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
        assert!(err.to_string().contains("Tutor"), "{err}");
        assert!(Handle::ptr_eq(a1.read().tutor.get().unwrap().unwrap(), &a));
        assert_eq!(names(b.read().kids.get().unwrap()), ["b1"]);
        s.commit().unwrap();
        assert_eq!(tutor_of(db, "a1"), a.read().id);
    }

    pub(crate) fn loading_a_collection_fills_the_references_back(db: &TestDb) {
        let (s, _a, _b) = setup(db);
        drop(s);
        for strategy in ["selectin", "joined"] {
            let mut s = Session::new(&db.engine);
            let q = s.query::<Tutor>().order_by(Tutor::name.asc());
            let tutors = match strategy {
                "selectin" => q.options(selectin(Tutor::kids)).all().unwrap(),
                _ => q.options(joined(Tutor::kids)).all().unwrap(),
            };
            // Kid::tutor was never loaded, yet each kid knows its tutor: no second query.
            for t in &tutors {
                for k in t.read().kids.get().unwrap() {
                    assert!(
                        Handle::ptr_eq(k.read().tutor.get().unwrap().unwrap(), t),
                        "{strategy}"
                    );
                }
            }
        }
    }

    pub(crate) fn loading_skips_an_object_borrowed_elsewhere(db: &TestDb) {
        let (s, _a, _b) = setup(db);
        drop(s);
        let mut s = Session::new(&db.engine);
        let a = s
            .query::<Tutor>()
            .filter(Tutor::name.eq("A"))
            .one()
            .unwrap();
        let reading = a.read();
        // A blocking lock on `a` here would deadlock this thread; its collection stays
        // unloaded instead, and the other tutor's is loaded.
        let tutors = s
            .query::<Tutor>()
            .options(selectin(Tutor::kids))
            .order_by(Tutor::name.asc())
            .all()
            .unwrap();
        assert!(!reading.kids.is_loaded());
        drop(reading);
        assert!(tutors[0].read().kids.get().is_err());
        assert_eq!(tutors[1].read().kids.len().unwrap(), 1);
    }

    fn memberships(db: &TestDb) -> i64 {
        db.scalar("SELECT COUNT(*) FROM club_members")
            .expect("a count")
    }

    pub(crate) fn many_to_many_both_sides_write_each_row_once(db: &TestDb) {
        db.create_tables(&[Club::table(), Member::table(), ClubMember::table()]);
        let mut s = Session::new(&db.engine);
        let chess = s.add(Club {
            id: None,
            name: "chess".into(),
            members: HasMany::new(),
        });
        let ann = s.add(Member {
            id: None,
            name: "Ann".into(),
            clubs: HasMany::new(),
        });
        chess.write().members.push(ann.clone()).unwrap();
        assert_eq!(ann.read().clubs.len().unwrap(), 1);
        // Both new objects hold each other: one association row, not two.
        s.commit().unwrap();
        assert_eq!(memberships(db), 1);
        // Both persistent and loaded: removing from the other side deletes the row.
        assert!(ann.write().clubs.remove(&chess).unwrap());
        assert_eq!(chess.read().members.len().unwrap(), 0);
        s.commit().unwrap();
        assert_eq!(memberships(db), 0);
        ann.write().clubs.push(chess.clone()).unwrap();
        s.commit().unwrap();
        assert_eq!(memberships(db), 1);
        let mut s = Session::new(&db.engine);
        let clubs = s
            .query::<Club>()
            .options(selectin(Club::members))
            .all()
            .unwrap();
        assert_eq!(clubs[0].read().members.len().unwrap(), 1);
    }

    crate::backend_tests!(
        setting_the_reference_moves_the_object_between_loaded_collections,
        pushing_into_a_collection_sets_the_reference_and_leaves_the_old_parent,
        rollback_undoes_both_sides,
        new_objects_are_added_through_relationships,
        a_borrowed_other_side_is_an_error_and_changes_nothing,
        many_to_many_both_sides_write_each_row_once,
        loading_a_collection_fills_the_references_back,
        loading_skips_an_object_borrowed_elsewhere,
    );
}

/// A cycle between tables closed by a `post_update` relationship: a department's manager is
/// one of its employees.
mod post_update {
    use super::support::TestDb;
    use crate::models::post_update::{Clerk, Division, Shop, Worker};
    use cinnabar::prelude::*;

    fn metadata() -> MetaData {
        MetaData::new()
            .with(Worker::table().clone())
            .with(Division::table().clone())
    }

    fn scalar(db: &TestDb, sql: &str) -> Option<i64> {
        db.scalar(sql)
    }

    fn division(name: &str) -> Division {
        Division {
            id: None,
            name: name.into(),
            manager_id: None,
            manager: BelongsTo::default(),
            workers: HasMany::new(),
        }
    }

    /// A new worker of `d` (added to the session with it, by the save-update cascade).
    fn worker(name: &str, d: &Handle<Division>) -> Handle<Worker> {
        Handle::new(Worker {
            id: None,
            name: name.into(),
            division_id: None,
            division: BelongsTo::to(d),
        })
    }

    pub(crate) fn a_cycle_between_tables_is_written_with_a_post_update(db: &TestDb) {
        metadata().create_all(&db.engine).unwrap();
        // Idempotent: the ALTER-added constraint is not added twice.
        metadata().create_all(&db.engine).unwrap();
        let mut s = Session::new(&db.engine);
        let d = s.add(division("Research"));
        let boss = worker("Ada", &d);
        worker("Alan", &d);
        d.write().manager.set(Some(boss.clone())).unwrap();
        // One flush: the division (without its manager), the workers, then the manager.
        s.commit().unwrap();
        let (did, bid) = (d.read().id.unwrap(), boss.read().id.unwrap());
        assert_eq!(d.read().manager_id, Some(bid));
        assert_eq!(scalar(db, "SELECT manager_id FROM divisions"), Some(bid));
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM workers WHERE division_id IS NOT NULL"
            ),
            Some(2)
        );
        assert_eq!(boss.read().division_id, Some(did));
        // The database enforces the constraint added after the tables.
        let mut conn = db.engine.connect().unwrap();
        let e = conn
            .execute(text("UPDATE divisions SET manager_id = 999999"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
        drop(conn);
        // Deleting every row of the cycle in one flush: the manager reference is cleared first.
        let workers = s.query::<Worker>().all().unwrap();
        for w in &workers {
            s.delete(w).unwrap();
        }
        s.delete(&d).unwrap();
        s.commit().unwrap();
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM divisions"), Some(0));
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM workers"), Some(0));
    }

    pub(crate) fn drop_all_drops_tables_in_a_cycle_with_rows(db: &TestDb) {
        metadata().create_all(&db.engine).unwrap();
        let mut s = Session::new(&db.engine);
        let d = s.add(division("Ops"));
        let w = worker("Grace", &d);
        d.write().manager.set(Some(w)).unwrap();
        s.commit().unwrap();
        drop(s);
        metadata().drop_all(&db.engine).unwrap();
        metadata().create_all(&db.engine).unwrap();
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM divisions"), Some(0));
    }

    pub(crate) fn a_cycle_without_post_update_is_a_clear_error(db: &TestDb) {
        let md = MetaData::new()
            .with(Shop::table().clone())
            .with(Clerk::table().clone());
        let e = md.create_all(&db.engine).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse);
        let msg = e.to_string();
        assert!(
            msg.contains("shops, clerks") && msg.contains("post_update"),
            "{msg}"
        );
        // Tables made by hand (no constraints): the flush reports the same cycle, writes
        // nothing, and the session stays usable.
        let mut conn = db.engine.connect().unwrap();
        for t in [
            "shops (id BIGINT PRIMARY KEY, head_id BIGINT)",
            "clerks (id BIGINT PRIMARY KEY, shop_id BIGINT)",
        ] {
            conn.execute(text(format!("CREATE TABLE {t}"))).unwrap();
        }
        drop(conn);
        let mut s = Session::new(&db.engine);
        s.add(Shop {
            id: Some(1),
            head_id: None,
        });
        s.add(Clerk {
            id: Some(1),
            shop_id: Some(1),
        });
        let e = s.commit().unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("cannot order the flush") && msg.contains("shops, clerks"),
            "{msg}"
        );
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM shops"), Some(0));
        // Nothing was written; the new objects stay pending until the rollback discards
        // them, and the session goes on.
        s.rollback().unwrap();
        assert_eq!(s.query::<Shop>().count().unwrap(), 0);
    }

    crate::backend_tests!(
        a_cycle_between_tables_is_written_with_a_post_update,
        drop_all_drops_tables_in_a_cycle_with_rows,
        a_cycle_without_post_update_is_a_clear_error,
    );
}

/// UUID keys: SQLite and MySQL store them as text, PostgreSQL as `uuid`; eager loading must
/// match the parent's typed key with the children's foreign keys whichever way they come back.
#[cfg(feature = "uuid")]
mod uuid_keys {
    use super::support::TestDb;
    use crate::models::uuid_keys::{Player, Squad};
    use cinnabar::prelude::*;
    use cinnabar::uuid::Uuid;

    /// Distinct, deterministic ids (the `uuid` crate is built without its v4 generator).
    fn id(n: u128) -> Uuid {
        Uuid::from_u128(0x6f1e_0000_0000_4000_8000_0000_0000_0000 | n)
    }

    pub(crate) fn eager_loading_matches_uuid_keys(db: &TestDb) {
        db.create_tables(&[Squad::table(), Player::table()]);
        let mut s = Session::new(&db.engine);
        for (i, n) in [1u128, 2].into_iter().enumerate() {
            let players = (0..n)
                .map(|j| {
                    Handle::new(Player {
                        id: id(100 + 10 * n + j),
                        squad_id: None,
                        squad: BelongsTo::default(),
                    })
                })
                .collect::<Vec<_>>();
            s.add(Squad {
                id: id(n),
                name: format!("squad {i}"),
                players: players.into(),
            });
        }
        s.commit().unwrap();
        for strategy in ["selectin", "joined"] {
            let mut s = Session::new(&db.engine);
            let q = s.query::<Squad>().order_by(Squad::name.asc());
            let squads = match strategy {
                "selectin" => q.options(selectin(Squad::players)).all().unwrap(),
                _ => q.options(joined(Squad::players)).all().unwrap(),
            };
            let sizes: Vec<usize> = squads
                .iter()
                .map(|q| q.read().players.len().unwrap())
                .collect();
            assert_eq!(sizes, [1, 2], "{strategy}");
            // And the other direction: players to their squad, the identity-mapped squad
            // object whose key the player's foreign key holds.
            let players = s
                .query::<Player>()
                .options(selectin(Player::squad))
                .all()
                .unwrap();
            assert_eq!(players.len(), 3, "{strategy}");
            for p in &players {
                let g = p.read();
                let loaded = g.squad.get().unwrap().cloned().expect("squad loaded");
                let owner = squads
                    .iter()
                    .find(|q| {
                        q.read()
                            .players
                            .get()
                            .unwrap()
                            .iter()
                            .any(|x| Handle::ptr_eq(x, p))
                    })
                    .expect("the player is in a squad's collection");
                assert!(
                    Handle::ptr_eq(&loaded, owner),
                    "{strategy}: player {}",
                    g.id
                );
                assert_eq!(g.squad_id, Some(loaded.read().id), "{strategy}");
            }
        }
    }

    crate::backend_tests!(eager_loading_matches_uuid_keys);
}

/// Date keys (text on SQLite): eager loading matches them as it does UUIDs.
#[cfg(feature = "chrono")]
mod date_keys {
    use super::support::TestDb;
    use crate::models::date_keys::{Lesson, SchoolDay};
    use cinnabar::chrono::NaiveDate;
    use cinnabar::prelude::*;

    pub(crate) fn eager_loading_matches_date_keys(db: &TestDb) {
        db.create_tables(&[SchoolDay::table(), Lesson::table()]);
        let mut s = Session::new(&db.engine);
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        s.add(SchoolDay {
            day,
            lessons: vec![
                Handle::new(Lesson {
                    id: None,
                    day: None,
                    topic: "SQL".into(),
                }),
                Handle::new(Lesson {
                    id: None,
                    day: None,
                    topic: "Rust".into(),
                }),
            ]
            .into(),
        });
        s.commit().unwrap();
        let mut s = Session::new(&db.engine);
        let days = s
            .query::<SchoolDay>()
            .options(selectin(SchoolDay::lessons))
            .all()
            .unwrap();
        assert_eq!(days[0].read().lessons.len().unwrap(), 2);
    }

    crate::backend_tests!(eager_loading_matches_date_keys);
}
