//! One object per row whatever order a statement's rows come in, on every backend: a first
//! load into an empty identity map files its new objects together at the end of the
//! statement while their keys increase (`cinnabar-orm/src/load/batch.rs`), and goes row by
//! row from the first key that does not. These tests drive both sides of that switch:
//! increasing keys, decreasing keys, a row repeated by a join, a child of two parents.

#[path = "models/relationships.rs"]
mod models;
mod support;

use cinnabar::prelude::*;
use models::many_to_many::{Membership, Prerequisite, Pupil, Subject};
use models::tree::Category;
use models::{Course, Student};
use support::TestDb;

fn setup(db: &TestDb) {
    db.create_tables(&[Course::table(), Student::table()]);
}

/// `courses` courses of `per_course` students each, committed; the courses' keys.
fn seed(db: &TestDb, courses: usize, per_course: usize) -> Vec<i64> {
    let mut s = Session::new(&db.engine);
    let mut out = Vec::new();
    for i in 0..courses {
        let c = s.add(Course {
            id: None,
            title: format!("course{i}"),
            students: HasMany::loaded(Vec::new()),
        });
        for j in 0..per_course {
            let st = s.add(Student {
                id: None,
                name: format!("s{i}_{j}"),
                course_id: None,
                course: BelongsTo::default(),
            });
            c.write().students.push(st).unwrap();
        }
        out.push(c);
    }
    s.commit().unwrap();
    out.iter().map(|c| c.read().id.unwrap()).collect()
}

fn ids(hs: &[Handle<Student>]) -> Vec<i64> {
    hs.iter().map(|h| h.read().id.unwrap()).collect()
}

fn same_objects(a: &[Handle<Student>], b: &[Handle<Student>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Handle::ptr_eq(x, y))
}

fn rows_in_any_key_order_are_one_object_per_row(db: &TestDb) {
    setup(db);
    seed(db, 2, 5);
    // Increasing keys first (held aside and filed at the end), then the same rows again.
    let mut s = Session::new(&db.engine);
    let asc = s.query::<Student>().order_by(Student::id).all().unwrap();
    assert_eq!(asc.len(), 10);
    let mut desc = s
        .query::<Student>()
        .order_by(Student::id.desc())
        .all()
        .unwrap();
    desc.reverse();
    assert!(
        same_objects(&asc, &desc),
        "a second load is the same objects"
    );
    let key = asc[3].read().id.unwrap();
    let got = s.get::<Student>(key).unwrap().unwrap();
    assert!(Handle::ptr_eq(&got, &asc[3]), "get finds the filed object");
    // Decreasing keys into an empty map: row by row from the second row.
    let mut s = Session::new(&db.engine);
    let mut desc = s
        .query::<Student>()
        .order_by(Student::id.desc())
        .all()
        .unwrap();
    desc.reverse();
    let asc = s.query::<Student>().order_by(Student::id).all().unwrap();
    assert!(same_objects(&asc, &desc));
    assert_eq!(ids(&asc), {
        let mut v = ids(&asc);
        v.sort_unstable();
        v
    });
    // A change made to an object of the first load is seen through the second.
    asc[0].write().name = "changed".into();
    let again = s.query::<Student>().order_by(Student::id).all().unwrap();
    assert_eq!(again[0].read().name, "changed");
}

fn a_parent_repeated_by_a_join_is_one_object(db: &TestDb) {
    setup(db);
    let courses = seed(db, 3, 3);
    let mut s = Session::new(&db.engine);
    // Rows: course 1 three times, then course 2 three times, ..: the second row repeats
    // the first's key.
    let found = s
        .query::<Course>()
        .join(Course::students)
        .order_by(Course::id)
        .all()
        .unwrap();
    let keys: Vec<i64> = found.iter().map(|c| c.read().id.unwrap()).collect();
    assert_eq!(keys, courses, "each course once");
    let plain = s.query::<Course>().order_by(Course::id).all().unwrap();
    for (a, b) in found.iter().zip(&plain) {
        assert!(Handle::ptr_eq(a, b));
    }
}

fn a_child_of_two_parents_is_one_object(db: &TestDb) {
    db.create_tables(&[
        Subject::table(),
        Pupil::table(),
        Prerequisite::table(),
        Membership::table(),
    ]);
    let subject = |title: &str| Subject {
        id: None,
        title: title.into(),
        prerequisites: HasMany::loaded(Vec::new()),
        pupils: HasMany::loaded(Vec::new()),
    };
    let pupil = |name: &str| Pupil {
        id: None,
        name: name.into(),
    };
    let mut s = Session::new(&db.engine);
    let (a, b) = (s.add(subject("A")), s.add(subject("B")));
    let (x, y, z) = (s.add(pupil("x")), s.add(pupil("y")), s.add(pupil("z")));
    for p in [&x, &y, &z] {
        a.write().pupils.push(p.clone()).unwrap();
    }
    b.write().pupils.push(y.clone()).unwrap();
    b.write().pupils.push(z.clone()).unwrap();
    s.commit().unwrap();

    // The selectin query returns y and z once per subject: one object each.
    let mut s = Session::new(&db.engine);
    let subjects = s
        .query::<Subject>()
        .options(selectin(Subject::pupils))
        .order_by(Subject::id)
        .all()
        .unwrap();
    let names = |h: &Handle<Subject>| -> Vec<(String, Handle<Pupil>)> {
        let mut v: Vec<_> = h
            .read()
            .pupils
            .get()
            .unwrap()
            .iter()
            .map(|p| (p.read().name.clone(), p.clone()))
            .collect();
        v.sort_by(|l, r| l.0.cmp(&r.0));
        v
    };
    let (pa, pb) = (names(&subjects[0]), names(&subjects[1]));
    assert_eq!(pa.len(), 3);
    assert_eq!(pb.len(), 2);
    assert!(Handle::ptr_eq(&pa[1].1, &pb[0].1), "y is one object");
    assert!(Handle::ptr_eq(&pa[2].1, &pb[1].1), "z is one object");
    let all = s.query::<Pupil>().order_by(Pupil::id).all().unwrap();
    assert!(Handle::ptr_eq(&all[0], &pa[0].1));
    assert!(Handle::ptr_eq(&all[2], &pb[1].1));
}

/// More rows than one step of the filing (32,768): the map takes them in several steps.
fn a_large_first_load_is_filed_whole(db: &TestDb) {
    setup(db);
    const N: usize = 70_000;
    let mut s = Session::new(&db.engine);
    s.add_all((0..N).map(|i| Student {
        id: None,
        name: format!("s{i}"),
        course_id: None,
        course: BelongsTo::default(),
    }));
    s.commit().unwrap();
    let mut s = Session::new(&db.engine);
    let all = s.query::<Student>().order_by(Student::id).all().unwrap();
    assert_eq!(all.len(), N);
    for at in [0, 1, 32_767, 32_768, 40_000, N - 1] {
        let key = all[at].read().id.unwrap();
        let got = s.get::<Student>(key).unwrap().unwrap();
        assert!(Handle::ptr_eq(&got, &all[at]), "row {at}");
    }
    let again = s
        .query::<Student>()
        .filter(Student::id.ge(all[32_760].read().id.unwrap()))
        .order_by(Student::id)
        .limit(20)
        .all()
        .unwrap();
    assert!(same_objects(&again, &all[32_760..32_780]));
}

/// Joined loading's related objects, the first time (held aside, filed when the load ends)
/// and again (row by row into a map that holds them): one object per row, and a childless
/// parent gets an empty collection.
fn joined_children_are_one_object_per_row(db: &TestDb) {
    setup(db);
    seed(db, 3, 3);
    seed(db, 1, 0);
    let mut s = Session::new(&db.engine);
    let courses = s
        .query::<Course>()
        .options(joined(Course::students))
        .all()
        .unwrap();
    assert_eq!(courses.len(), 4);
    let children = |courses: &[Handle<Course>]| -> Vec<Handle<Student>> {
        let mut all: Vec<Handle<Student>> = courses
            .iter()
            .flat_map(|c| c.read().students.get().unwrap().to_vec())
            .collect();
        all.sort_by_key(|h| h.read().id);
        all
    };
    let first = children(&courses);
    assert_eq!(first.len(), 9);
    let empty = courses
        .iter()
        .filter(|c| c.read().students.get().unwrap().is_empty())
        .count();
    assert_eq!(empty, 1, "the course without students");
    let plain = s.query::<Student>().order_by(Student::id).all().unwrap();
    assert!(same_objects(&first, &plain));
    let again = s
        .query::<Course>()
        .options(joined(Course::students))
        .all()
        .unwrap();
    assert!(same_objects(&children(&again), &first));
}

/// A joined load of a model's own relationship: parents and children go into one map, so
/// a category that is both (a parent row and another's child) is one object.
fn a_self_referential_joined_load_is_one_object_per_row(db: &TestDb) {
    db.create_tables(&[Category::table()]);
    let cat = |name: &str| Category {
        id: None,
        name: name.into(),
        parent_id: None,
        parent: BelongsTo::default(),
        children: HasMany::loaded(Vec::new()),
    };
    let mut s = Session::new(&db.engine);
    let root = s.add(cat("root"));
    let (a, b, c) = (s.add(cat("a")), s.add(cat("b")), s.add(cat("c")));
    for (child, parent) in [(&a, &root), (&b, &root), (&c, &a)] {
        child.write().parent.set(Some(parent.clone())).unwrap();
    }
    s.commit().unwrap();

    let mut s = Session::new(&db.engine);
    let all = s
        .query::<Category>()
        .options(joined(Category::children))
        .all()
        .unwrap();
    assert_eq!(all.len(), 4, "each category once");
    let by_name = |name: &str| all.iter().find(|h| h.read().name == name).cloned().unwrap();
    for parent in &all {
        for child in parent.read().children.get().unwrap() {
            let name = child.read().name.clone();
            assert!(
                Handle::ptr_eq(child, &by_name(&name)),
                "{name} is one object"
            );
        }
    }
    let kids: Vec<String> = by_name("root")
        .read()
        .children
        .get()
        .unwrap()
        .iter()
        .map(|h| h.read().name.clone())
        .collect();
    assert_eq!(kids.len(), 2, "{kids:?}");
}

backend_tests!(
    joined_children_are_one_object_per_row,
    a_self_referential_joined_load_is_one_object_per_row,
    a_large_first_load_is_filed_whole,
    rows_in_any_key_order_are_one_object_per_row,
    a_parent_repeated_by_a_join_is_one_object,
    a_child_of_two_parents_is_one_object,
);
