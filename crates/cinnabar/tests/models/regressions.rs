//! The models of `tests/regressions.rs`, in a file of their own so that `tests/schema_diff.rs`
//! checks that each reflects exactly as declared.
#![allow(dead_code)]

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_learners")]
pub(crate) struct Learner {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(relation(foreign_key = learner_id, back_populates = learner))]
    pub profile: HasOne<Profile>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_profiles")]
pub(crate) struct Profile {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(unique, foreign_key = "rv_learners.id")]
    pub learner_id: Option<i64>,
    pub bio: String,
    #[cinnabar(relation(foreign_key = learner_id, back_populates = profile))]
    pub learner: BelongsTo<Learner>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_categories")]
pub(crate) struct Category {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(foreign_key = "rv_categories.id")]
    pub parent_id: Option<i64>,
    #[cinnabar(relation(foreign_key = parent_id))]
    pub parent: BelongsTo<Category>,
    #[cinnabar(relation(foreign_key = parent_id))]
    pub children: HasMany<Category>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_owners")]
pub(crate) struct Owner {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(relation(foreign_key = owner_id, cascade = "all, delete-orphan"))]
    pub pets: HasMany<Pet>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_pets")]
pub(crate) struct Pet {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(foreign_key = "rv_owners.id")]
    pub owner_id: Option<i64>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_dogs")]
pub(crate) struct Dog {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(foreign_key = "rv_kennels.id")]
    pub kennel_id: Option<i64>,
    #[cinnabar(relation(foreign_key = kennel_id))]
    pub kennel: BelongsTo<Kennel>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_kennels")]
pub(crate) struct Kennel {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(relation(foreign_key = kennel_id))]
    pub dogs: HasMany<Dog>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_organisational_divisions_of_the_big_company")]
pub(crate) struct Div {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(foreign_key = "rv_wrk.id")]
    pub manager_worker_id: Option<i64>,
    #[cinnabar(relation(foreign_key = manager_worker_id, post_update))]
    pub manager: BelongsTo<Wrk>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_wrk")]
pub(crate) struct Wrk {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(foreign_key = "rv_organisational_divisions_of_the_big_company.id")]
    pub div_id: Option<i64>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_tutors")]
pub(crate) struct Tutor {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(relation(foreign_key = tutor_id, back_populates = tutor))]
    pub kids: HasMany<Kid>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_kids")]
pub(crate) struct Kid {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(foreign_key = "rv_tutors.id")]
    pub tutor_id: Option<i64>,
    #[cinnabar(relation(foreign_key = tutor_id, back_populates = kids))]
    pub tutor: BelongsTo<Tutor>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_notes")]
pub(crate) struct Note {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub body: String,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rv_nodes")]
pub(crate) struct Node {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[cinnabar(foreign_key = "rv_nodes.id")]
    pub parent_id: Option<i64>,
    #[cinnabar(relation(foreign_key = parent_id))]
    pub parent: BelongsTo<Node>,
    #[cinnabar(relation(foreign_key = parent_id, cascade = "all, delete-orphan"))]
    pub children: HasMany<Node>,
}
