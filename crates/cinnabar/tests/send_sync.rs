//! The architecture promises `Engine`, `Session`, `Handle<T>` and models are `Send`
//! (the async facade will move whole units of work onto a blocking pool).

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
}

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

#[test]
fn core_types_are_send() {
    assert_send::<Engine>();
    assert_sync::<Engine>();
    assert_send::<Session>();
    assert_send::<Connection>();
    assert_send::<Student>();
    assert_send::<Handle<Student>>();
    assert_sync::<Handle<Student>>();
    assert_send::<cinnabar::Error>();
    assert_sync::<cinnabar::Error>();
}

#[test]
fn a_session_moves_to_another_thread_and_back() {
    let engine = create_engine("sqlite://").unwrap();
    MetaData::new()
        .with(Student::table().clone())
        .create_all(&engine)
        .unwrap();
    let mut session = Session::new(&engine);
    let h = session.add(Student {
        id: None,
        name: "Naresh".into(),
    });
    let (mut session, h) = std::thread::spawn(move || {
        session.commit().unwrap();
        (session, h)
    })
    .join()
    .unwrap();
    assert_eq!(h.read().id, Some(1));
    assert_eq!(session.query::<Student>().count().unwrap(), 1);
}
