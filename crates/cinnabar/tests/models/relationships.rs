//! The models of `tests/relationships.rs`, in a file of their own so that `tests/schema_diff.rs`
//! checks that each reflects exactly as declared.
#![allow(dead_code)]

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
pub(crate) struct Course {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub title: String,
    #[cinnabar(relation(foreign_key = course_id))]
    pub students: HasMany<Student>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(foreign_key = "courses.id")]
    pub course_id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id))]
    pub course: BelongsTo<Course>,
}

pub(crate) mod cascades {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "departments")]
    pub(crate) struct Department {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(relation(foreign_key = department_id, cascade = "all, delete-orphan"))]
        pub teachers: HasMany<Teacher>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "teachers")]
    pub(crate) struct Teacher {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(foreign_key = "departments.id")]
        pub department_id: Option<i64>,
        #[cinnabar(relation(foreign_key = department_id))]
        pub department: BelongsTo<Department>,
    }
}

pub(crate) mod tree {
    use cinnabar::prelude::*;

    /// A self-referential model: categories in a tree.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "categories")]
    pub(crate) struct Category {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(foreign_key = "categories.id")]
        pub parent_id: Option<i64>,
        #[cinnabar(relation(foreign_key = parent_id))]
        pub parent: BelongsTo<Category>,
        #[cinnabar(relation(foreign_key = parent_id))]
        pub children: HasMany<Category>,
    }
}

pub(crate) mod many_to_many {
    use cinnabar::prelude::*;

    /// Courses with prerequisite courses: a self-referential many-to-many through an
    /// association model.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "subjects")]
    pub(crate) struct Subject {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub title: String,
        #[cinnabar(relation(through = Prerequisite, local = subject_id, remote = prerequisite_id))]
        pub prerequisites: HasMany<Subject>,
        #[cinnabar(relation(through = Membership, local = subject_id, remote = pupil_id))]
        pub pupils: HasMany<Pupil>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "prerequisites")]
    pub(crate) struct Prerequisite {
        #[cinnabar(primary_key, foreign_key = "subjects.id")]
        pub subject_id: i64,
        #[cinnabar(primary_key, foreign_key = "subjects.id")]
        pub prerequisite_id: i64,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "pupils")]
    pub(crate) struct Pupil {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "memberships")]
    pub(crate) struct Membership {
        #[cinnabar(primary_key, foreign_key = "subjects.id")]
        pub subject_id: i64,
        #[cinnabar(primary_key, foreign_key = "pupils.id")]
        pub pupil_id: i64,
    }
}

pub(crate) mod one_to_one {
    use cinnabar::prelude::*;

    /// A student has one profile; the profile belongs to one student (unique foreign key).
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "learners")]
    pub(crate) struct Learner {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(relation(foreign_key = learner_id, back_populates = learner))]
        pub profile: HasOne<Profile>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "profiles")]
    pub(crate) struct Profile {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(unique, foreign_key = "learners.id")]
        pub learner_id: Option<i64>,
        pub bio: String,
        #[cinnabar(relation(foreign_key = learner_id, back_populates = profile))]
        pub learner: BelongsTo<Learner>,
    }
}

pub(crate) mod back_populates {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "tutors")]
    pub(crate) struct Tutor {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(relation(foreign_key = tutor_id, back_populates = tutor, cascade = "all, delete-orphan"))]
        pub kids: HasMany<Kid>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "kids")]
    pub(crate) struct Kid {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(foreign_key = "tutors.id")]
        pub tutor_id: Option<i64>,
        #[cinnabar(relation(foreign_key = tutor_id, back_populates = "kids"))]
        pub tutor: BelongsTo<Tutor>,
    }

    /// Many-to-many with both sides declared: a change on either side writes one row.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "clubs")]
    pub(crate) struct Club {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(relation(through = ClubMember, local = club_id, remote = member_id, back_populates = clubs))]
        pub members: HasMany<Member>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "members")]
    pub(crate) struct Member {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(relation(through = ClubMember, local = member_id, remote = club_id, back_populates = members))]
        pub clubs: HasMany<Club>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "club_members")]
    pub(crate) struct ClubMember {
        #[cinnabar(primary_key, foreign_key = "clubs.id")]
        pub club_id: i64,
        #[cinnabar(primary_key, foreign_key = "members.id")]
        pub member_id: i64,
    }
}

pub(crate) mod post_update {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "divisions")]
    pub(crate) struct Division {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(foreign_key = "workers.id")]
        pub manager_id: Option<i64>,
        #[cinnabar(relation(foreign_key = manager_id, post_update))]
        pub manager: BelongsTo<Worker>,
        #[cinnabar(relation(foreign_key = division_id, back_populates = division))]
        pub workers: HasMany<Worker>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "workers")]
    pub(crate) struct Worker {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        #[cinnabar(foreign_key = "divisions.id")]
        pub division_id: Option<i64>,
        #[cinnabar(relation(foreign_key = division_id, back_populates = workers))]
        pub division: BelongsTo<Division>,
    }

    /// The same two tables without `post_update`: the cycle is reported, naming the tables.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "shops")]
    pub(crate) struct Shop {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(foreign_key = "clerks.id")]
        pub head_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "clerks")]
    pub(crate) struct Clerk {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(foreign_key = "shops.id")]
        pub shop_id: Option<i64>,
    }
}

#[cfg(feature = "uuid")]
pub(crate) mod uuid_keys {
    use cinnabar::prelude::*;
    use cinnabar::uuid::Uuid;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "squads")]
    pub(crate) struct Squad {
        #[cinnabar(primary_key)]
        pub id: Uuid,
        pub name: String,
        #[cinnabar(relation(foreign_key = squad_id, back_populates = squad))]
        pub players: HasMany<Player>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "players")]
    pub(crate) struct Player {
        #[cinnabar(primary_key)]
        pub id: Uuid,
        #[cinnabar(foreign_key = "squads.id")]
        pub squad_id: Option<Uuid>,
        #[cinnabar(relation(foreign_key = squad_id, back_populates = players))]
        pub squad: BelongsTo<Squad>,
    }
}

#[cfg(feature = "chrono")]
pub(crate) mod date_keys {
    use cinnabar::chrono::NaiveDate;
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "school_days")]
    pub(crate) struct SchoolDay {
        #[cinnabar(primary_key)]
        pub day: NaiveDate,
        #[cinnabar(relation(foreign_key = day))]
        pub lessons: HasMany<Lesson>,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "lessons")]
    pub(crate) struct Lesson {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(foreign_key = "school_days.day")]
        pub day: Option<NaiveDate>,
        pub topic: String,
    }
}
