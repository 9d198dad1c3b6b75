//! Joins of a [`SelectQuery`]: through a declared relationship, from whichever side is
//! already in the query, or on an explicit condition.

use cinnabar_core::sql::{Expr, Join, JoinKind, Select, TableRef};
use cinnabar_core::Error;

use super::SelectQuery;
use crate::model::Model;
use crate::relation::{Relation, RelationKind};

/// Whether `table` is FROM or joined (by name or alias) in `select`.
fn in_query(select: &Select, table: &str) -> bool {
    let named = |t: &TableRef| t.alias.as_deref().unwrap_or(&t.name) == table;
    select.from.as_ref().is_some_and(named) || select.joins.iter().any(|j| named(&j.table))
}

impl<L> SelectQuery<'_, L> {
    pub(super) fn relation_join<M: Model, R: Model>(
        mut self,
        relation: Relation<M, R>,
        kind: JoinKind,
    ) -> Self {
        if self.error.is_some() {
            return self;
        }
        let (m, r) = (M::table().name.as_str(), R::table().name.as_str());
        let through = match (relation.kind, relation.through) {
            (RelationKind::ManyToMany, Some(t)) => Some((t.table)().name.as_str()),
            _ => None,
        };
        let (forward, backward) = (in_query(&self.select, m), in_query(&self.select, r));
        if !forward && !backward {
            self.error = Some(Error::misuse(format!(
                "cannot join {}.{}: neither {m} nor {r} is in the select yet (FROM {}); \
                 select a column of one of them first, or call .select_from::<Model>()",
                M::model_name(),
                relation.name,
                self.select
                    .from
                    .as_ref()
                    .map_or("unknown", |t| t.name.as_ref()),
            )));
            return self;
        }
        if forward && backward {
            self.error = Some(Error::misuse(format!(
                "cannot join {}.{}: {m} and {r} are both in the select already; \
                 join a table once (a self-join needs an alias: use the core Select)",
                M::model_name(),
                relation.name,
            )));
            return self;
        }
        let joins = &mut self.select.joins;
        let mut push = |table: &str, on: Expr| {
            joins.push(Join {
                kind,
                table: TableRef::new(table.to_owned()),
                on,
            });
        };
        if forward {
            // Forward: M is there, R comes in (through the association table).
            match through {
                Some(assoc) => {
                    push(assoc, relation.join_condition(m, assoc));
                    push(r, relation.through_join_condition(assoc, r));
                }
                None => push(r, relation.join_condition(m, r)),
            }
        } else {
            // Backward: R is there, M comes in on the same condition.
            match through {
                Some(assoc) => {
                    push(assoc, relation.through_join_condition(assoc, r));
                    push(m, relation.join_condition(m, assoc));
                }
                None => push(m, relation.join_condition(m, r)),
            }
        }
        self
    }

    pub(super) fn condition_join<M: Model>(mut self, kind: JoinKind, on: Expr) -> Self {
        self.select.joins.push(Join {
            kind,
            table: TableRef::new(M::table().name.as_str()),
            on,
        });
        self
    }
}
