//! Pins what one loaded object costs the session, part by part, for the benchmark's
//! `Student` (five columns: a key, three strings, a foreign key), on 64-bit targets. A change
//! that grows any part fails here: update the table in docs/SESSION.md ("What a loaded
//! object costs") with the new figures, and the figures below, together.

use cinnabar::__private::{object_sizes, ObjectSizes};
use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    course: String,
    email: Option<String>,
    course_id: Option<i64>,
}

#[cfg(target_pointer_width = "64")]
#[test]
fn a_loaded_object_costs_what_session_md_says() {
    let got = object_sizes::<Student>();
    let pinned = ObjectSizes {
        object: 104,
        slot: 128,
        allocation: 168,
        handle: 8,
        identity_entry: 16,
        baseline: 72,
    };
    assert_eq!(
        got, pinned,
        "a loaded object's size changed: update docs/SESSION.md (\"What a loaded object \
         costs\") and this test's figures together"
    );
}
