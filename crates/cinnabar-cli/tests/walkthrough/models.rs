//! The tutorial's models at the three steps of docs/MIGRATIONS.md: v1 (courses, students),
//! v2 (a unique `email` on students), v3 (`course` renamed to `course_code`).

use cinnabar::prelude::*;

pub(crate) mod v1 {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "courses")]
    pub(crate) struct Course {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 100)]
        pub title: String,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "students")]
    pub(crate) struct Student {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 50)]
        pub name: String,
        #[cinnabar(length = 20)]
        pub course: String,
    }
}

pub(crate) mod v2 {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "students")]
    pub(crate) struct Student {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 50)]
        pub name: String,
        #[cinnabar(length = 20)]
        pub course: String,
        #[cinnabar(length = 120, unique)]
        pub email: Option<String>,
    }
}

pub(crate) mod v3 {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "students")]
    pub(crate) struct Student {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 50)]
        pub name: String,
        #[cinnabar(length = 20, renamed_from = "course")]
        pub course_code: String,
        #[cinnabar(length = 120, unique)]
        pub email: Option<String>,
    }
}

pub(crate) fn models(version: u8) -> MetaData {
    let course = <v1::Course as Model>::table().clone();
    let student = match version {
        1 => <v1::Student as Model>::table().clone(),
        2 => <v2::Student as Model>::table().clone(),
        _ => <v3::Student as Model>::table().clone(),
    };
    MetaData::new().with(course).with(student)
}
