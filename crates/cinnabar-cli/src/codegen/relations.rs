//! Relationships between the planned models, both sides of each with `back_populates`:
//! a foreign key to another model's single-column primary key is a `BelongsTo` on the child
//! and a `HasMany` on the parent (`HasOne` when the foreign key is unique); an association
//! table (exactly two columns, both the primary key, each a foreign key) is a many-to-many
//! `HasMany` on each side `through` it. Names are chosen here, deterministically, and a
//! reference cycle between tables is broken with `post_update` on one nullable foreign key.

use std::collections::HashMap;

use cinnabar_core::schema::topo_sort;

use super::names::{self, ident, plural, singular};
use super::plan::{FieldForeignKey, ModelPlan, RelationKind, RelationPlan};
use super::Warning;

/// A foreign key that can carry a relationship: child model, its key, parent model.
#[derive(Debug, Clone)]
struct Link {
    child: usize,
    fk: FieldForeignKey,
    parent: usize,
}

/// Adds the relationship fields to `models` (in table-name order).
pub(crate) fn add_relations(models: &mut [ModelPlan], warnings: &mut Vec<Warning>) {
    let by_table: HashMap<String, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.table.clone(), i))
        .collect();
    let mut links: Vec<Link> = Vec::new();
    for (child, m) in models.iter().enumerate() {
        for fk in &m.foreign_keys {
            let Some(&parent) = by_table.get(&fk.ref_table) else {
                warnings.push(warn(
                    m,
                    &fk.column,
                    format!(
                    "no relationship: it references {:?}, which is not among the generated tables",
                    fk.ref_table
                ),
                ));
                continue;
            };
            if models[parent].primary_key != [fk.ref_column.clone()] {
                warnings.push(warn(m, &fk.column, format!(
                    "no relationship: it references {}.{}, which is not {}'s single-column primary key",
                    fk.ref_table, fk.ref_column, models[parent].struct_name
                )));
                continue;
            }
            links.push(Link {
                child,
                fk: fk.clone(),
                parent,
            });
        }
    }
    let (pairs, many) = split_associations(models, &links);
    name_one_to_many(models, &pairs);
    name_many_to_many(models, &many);
    break_cycles(models, warnings);
    // In each struct: references first, then collections, then many-to-many.
    for m in models.iter_mut() {
        m.relations.sort_by_key(|r| match r.kind {
            RelationKind::BelongsTo => 0,
            RelationKind::HasOne => 1,
            RelationKind::HasMany => 2,
            RelationKind::ManyToMany => 3,
        });
    }
}

fn warn(m: &ModelPlan, column: &str, message: String) -> Warning {
    Warning {
        table: m.table.clone(),
        column: Some(column.to_string()),
        message,
    }
}

/// A many-to-many through an association model: `(association, link to a, link to b)`.
type Association = (usize, Link, Link);

/// Splits the links into one-to-many/one-to-one pairs and many-to-many associations.
fn split_associations(models: &[ModelPlan], links: &[Link]) -> (Vec<Link>, Vec<Association>) {
    let mut pairs = Vec::new();
    let mut many = Vec::new();
    for (i, m) in models.iter().enumerate() {
        let own: Vec<&Link> = links.iter().filter(|l| l.child == i).collect();
        let is_association = m.fields.len() == 2
            && m.primary_key.len() == 2
            && own.len() == 2
            && own[0].fk.column != own[1].fk.column
            && own.iter().all(|l| m.primary_key.contains(&l.fk.column));
        if is_association {
            // Ordered by the association's column order, so the output is stable.
            let (a, b) = if m.primary_key[0] == own[0].fk.column {
                (own[0], own[1])
            } else {
                (own[1], own[0])
            };
            many.push((i, a.clone(), b.clone()));
        } else {
            pairs.extend(own.into_iter().cloned());
        }
    }
    (pairs, many)
}

/// `course_id` -> `course`; `None` when the column does not end in `id`.
fn strip_id(column: &str) -> Option<String> {
    let s = names::snake(column)?;
    let stem = s.strip_suffix("_id").or_else(|| s.strip_suffix("id"))?;
    let stem = stem.trim_end_matches('_');
    (!stem.is_empty()).then(|| stem.to_string())
}

/// The column's name without `_id`, else its snake case: the "role" of a foreign key.
fn role(column: &str) -> String {
    strip_id(column)
        .or_else(|| names::snake(column))
        .unwrap_or_else(|| "ref".into())
}

fn table_snake(m: &ModelPlan) -> String {
    names::snake(&m.table).unwrap_or_else(|| names::module_name(&m.struct_name))
}

/// Claims the first free candidate in `m`'s fields, `<first>_rel` after them.
fn claim(m: &mut ModelPlan, mut candidates: Vec<String>) -> String {
    candidates.push(format!("{}_rel", candidates[0]));
    m.scope.claim_first(&candidates)
}

fn name_one_to_many(models: &mut [ModelPlan], pairs: &[Link]) {
    // How many foreign keys go from each child to each parent: more than one (or a
    // self-reference) and the parent's side is named by the role as well.
    let mut count: HashMap<(usize, usize), usize> = HashMap::new();
    for l in pairs {
        *count.entry((l.child, l.parent)).or_default() += 1;
    }
    for l in pairs {
        let child = &models[l.child];
        let parent = &models[l.parent];
        let fk_field = child
            .field(&l.fk.column)
            .map(|f| f.ident.clone())
            .unwrap_or_default();
        let one_to_one = child.unique_columns.contains(&l.fk.column);
        let plain = count[&(l.child, l.parent)] == 1 && l.child != l.parent;
        let child_table = table_snake(child);
        let child_one = singular(&child_table);
        let inverse_base = match (one_to_one, plain) {
            (false, true) => child_table,
            (true, true) => child_one,
            (false, false) => format!("{child_table}_by_{}", role(&l.fk.column)),
            (true, false) => format!("{child_one}_by_{}", role(&l.fk.column)),
        };
        let mut own = Vec::new();
        if let Some(s) = strip_id(&l.fk.column) {
            own.push(s);
        }
        own.push(singular(&table_snake(parent)));
        let note = format!(
            "{}.{} -> {}.{}",
            child.table, l.fk.column, parent.table, l.fk.ref_column
        );
        let (child_struct, parent_struct) = (child.struct_name.clone(), parent.struct_name.clone());
        let own_name = claim(&mut models[l.child], own);
        let inverse_name = claim(&mut models[l.parent], vec![inverse_base]);
        models[l.child].relations.push(RelationPlan {
            ident: ident(&own_name),
            kind: RelationKind::BelongsTo,
            target: parent_struct,
            items: vec![
                format!("foreign_key = {fk_field}"),
                format!("back_populates = {}", ident(&inverse_name)),
            ],
            note: note.clone(),
        });
        models[l.parent].relations.push(RelationPlan {
            ident: ident(&inverse_name),
            kind: if one_to_one {
                RelationKind::HasOne
            } else {
                RelationKind::HasMany
            },
            target: child_struct,
            items: vec![
                format!("foreign_key = {fk_field}"),
                format!("back_populates = {}", ident(&own_name)),
            ],
            note,
        });
    }
}

fn name_many_to_many(models: &mut [ModelPlan], many: &[Association]) {
    // How many many-to-many sides each model has towards each other model.
    let mut count: HashMap<(usize, usize), usize> = HashMap::new();
    for (_, a, b) in many {
        *count.entry((a.parent, b.parent)).or_default() += 1;
        *count.entry((b.parent, a.parent)).or_default() += 1;
    }
    for (assoc, a, b) in many {
        let assoc_model = &models[*assoc];
        let field = |l: &Link| {
            assoc_model
                .field(&l.fk.column)
                .map(|f| f.ident.clone())
                .unwrap_or_default()
        };
        let (a_field, b_field) = (field(a), field(b));
        let through = assoc_model.struct_name.clone();
        let note = format!(
            "many-to-many through {} ({}, {})",
            assoc_model.table, a.fk.column, b.fk.column
        );
        // Each side is named after the other side's table, or by the role of its column in
        // the association when that is ambiguous.
        let name_for = |models: &[ModelPlan], this: &Link, other: &Link| {
            if count[&(this.parent, other.parent)] == 1 && this.parent != other.parent {
                table_snake(&models[other.parent])
            } else {
                plural(&role(&other.fk.column))
            }
        };
        let a_base = name_for(models, a, b);
        let b_base = name_for(models, b, a);
        let a_name = claim(&mut models[a.parent], vec![a_base]);
        let b_name = claim(&mut models[b.parent], vec![b_base]);
        let a_target = models[b.parent].struct_name.clone();
        let b_target = models[a.parent].struct_name.clone();
        models[a.parent].relations.push(RelationPlan {
            ident: ident(&a_name),
            kind: RelationKind::ManyToMany,
            target: a_target,
            items: vec![
                format!("through = {through}"),
                format!("local = {a_field}"),
                format!("remote = {b_field}"),
                format!("back_populates = {}", ident(&b_name)),
            ],
            note: note.clone(),
        });
        models[b.parent].relations.push(RelationPlan {
            ident: ident(&b_name),
            kind: RelationKind::ManyToMany,
            target: b_target,
            items: vec![
                format!("through = {through}"),
                format!("local = {b_field}"),
                format!("remote = {a_field}"),
                format!("back_populates = {}", ident(&a_name)),
            ],
            note,
        });
    }
}

/// Foreign keys between the models must not form a cycle (`create_all` and the flush order
/// tables by them): each cycle is broken by declaring one `BelongsTo` over a nullable
/// foreign key `post_update`, the first such in table and field order.
fn break_cycles(models: &mut [ModelPlan], warnings: &mut Vec<Warning>) {
    let by_table: HashMap<String, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.table.clone(), i))
        .collect();
    loop {
        let deps: Vec<Vec<usize>> = models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                m.foreign_keys
                    .iter()
                    .filter(|fk| !is_post_update(m, &fk.column))
                    .filter_map(|fk| by_table.get(&fk.ref_table).copied())
                    .filter(|&p| p != i)
                    .collect()
            })
            .collect();
        let Err(stuck) = topo_sort(&deps) else { return };
        let choice = stuck.iter().find_map(|&i| {
            let m = &models[i];
            m.relations
                .iter()
                .position(|r| {
                    r.kind == RelationKind::BelongsTo
                        && !r.items.iter().any(|x| x == "post_update")
                        && fk_of(m, r).is_some_and(|fk| {
                            by_table
                                .get(&fk.ref_table)
                                .is_some_and(|p| *p != i && stuck.contains(p))
                                && m.field(&fk.column).is_some_and(|f| f.optional)
                        })
                })
                .map(|r| (i, r))
        });
        match choice {
            Some((i, r)) => {
                let rel = &mut models[i].relations[r];
                rel.items.push("post_update".into());
                rel.note
                    .push_str(" (post_update: closes a reference cycle)");
            }
            None => {
                let tables: Vec<&str> = stuck.iter().map(|&i| models[i].table.as_str()).collect();
                for &i in &stuck {
                    warnings.push(Warning {
                        table: models[i].table.clone(),
                        column: None,
                        message: format!(
                            "foreign keys form a cycle between {} with no nullable foreign key to declare post_update; create_all of these models reports the cycle",
                            tables.join(", ")
                        ),
                    });
                }
                return;
            }
        }
    }
}

/// The foreign key a `BelongsTo` follows.
fn fk_of<'a>(m: &'a ModelPlan, r: &RelationPlan) -> Option<&'a FieldForeignKey> {
    let field = r.items.first()?.strip_prefix("foreign_key = ")?;
    let column = &m.fields.iter().find(|f| f.ident == field)?.column;
    m.foreign_keys.iter().find(|fk| &fk.column == column)
}

/// Whether the foreign key on `column` is carried by a `post_update` relationship.
fn is_post_update(m: &ModelPlan, column: &str) -> bool {
    m.relations.iter().any(|r| {
        r.kind == RelationKind::BelongsTo
            && r.items.iter().any(|x| x == "post_update")
            && fk_of(m, r).is_some_and(|fk| fk.column == column)
    })
}
