//! The SQL a relationship contributes to queries: join conditions (joined loading, joins)
//! and the `IN (SELECT ..)` conditions of `any`, `has` and `exists_any`.

use cinnabar_core::sql::{BinOp, ColumnRef, Condition, Expr, Select};

use super::meta::{Relation, RelationKind};
use crate::model::Model;

impl<M: Model, R: Model> Relation<M, R> {
    /// The join condition between `M` (as `from`) and `R` (as `to`): the foreign key equals
    /// the referenced key.
    pub fn join_condition(&self, from: &str, to: &str) -> Expr {
        let (from, to) = (from.to_owned(), to.to_owned());
        let (fk, key) = match self.kind {
            RelationKind::OneToMany | RelationKind::OneToOne => (
                ColumnRef::qualified(to, R::COLUMNS[self.foreign_key]),
                ColumnRef::qualified(from, M::COLUMNS[self.referenced_key]),
            ),
            RelationKind::ManyToOne => (
                ColumnRef::qualified(from, M::COLUMNS[self.foreign_key]),
                ColumnRef::qualified(to, R::COLUMNS[self.referenced_key]),
            ),
            RelationKind::ManyToMany => {
                // Joins the association table as `to`; the related table needs a second join.
                return match self.through {
                    Some(t) => Expr::Column(ColumnRef::qualified(to, (t.columns)()[t.local]))
                        .binary(
                            BinOp::Eq,
                            Expr::Column(ColumnRef::qualified(
                                from,
                                M::COLUMNS[self.referenced_key],
                            )),
                        ),
                    None => {
                        Expr::Invalid("many-to-many relationship without an association".into())
                    }
                };
            }
        };
        Expr::Column(fk).binary(BinOp::Eq, Expr::Column(key))
    }

    /// The second join of a many-to-many relationship: the related table `to` on the
    /// association table `assoc`.
    pub fn through_join_condition(&self, assoc: &str, to: &str) -> Expr {
        match self.through {
            Some(t) => Expr::Column(ColumnRef::qualified(
                to.to_owned(),
                R::COLUMNS[self.foreign_key],
            ))
            .binary(
                BinOp::Eq,
                Expr::Column(ColumnRef::qualified(
                    assoc.to_owned(),
                    (t.columns)()[t.remote],
                )),
            ),
            None => Expr::Invalid("not a many-to-many relationship".into()),
        }
    }

    /// `M`'s key (or foreign key) `IN` the keys of related rows matching `cond`. Written with
    /// IN rather than a correlated EXISTS so a model related to itself needs no alias.
    fn exists(&self, cond: Option<Expr>) -> Condition {
        let from = M::table().name.as_str();
        let to = R::table().name.as_str();
        let col = |table: &str, name: &'static str| {
            Expr::Column(ColumnRef::qualified(table.to_owned(), name))
        };
        let related = |column: &'static str, cond: Option<Expr>| {
            let mut sub = Select::from(to).column(col(to, column));
            sub.add_filter(Expr::IsNull {
                expr: Box::new(col(to, column)),
                negated: true,
            });
            if let Some(c) = cond {
                sub.add_filter(c);
            }
            sub
        };
        let expr = match (self.kind, self.through) {
            (RelationKind::OneToMany | RelationKind::OneToOne, _) => Expr::InSelect {
                expr: Box::new(col(from, M::COLUMNS[self.referenced_key])),
                select: Box::new(related(R::COLUMNS[self.foreign_key], cond)),
                negated: false,
            },
            (RelationKind::ManyToOne, _) => Expr::InSelect {
                expr: Box::new(col(from, M::COLUMNS[self.foreign_key])),
                select: Box::new(related(R::COLUMNS[self.referenced_key], cond)),
                negated: false,
            },
            (RelationKind::ManyToMany, Some(t)) => {
                let assoc = (t.table)().name.as_str();
                let cols = (t.columns)();
                let mut sub = Select::from(assoc).column(col(assoc, cols[t.local]));
                sub.add_filter(Expr::InSelect {
                    expr: Box::new(col(assoc, cols[t.remote])),
                    select: Box::new(related(R::COLUMNS[self.foreign_key], cond)),
                    negated: false,
                });
                Expr::InSelect {
                    expr: Box::new(col(from, M::COLUMNS[self.referenced_key])),
                    select: Box::new(sub),
                    negated: false,
                }
            }
            (RelationKind::ManyToMany, None) => {
                Expr::Invalid("many-to-many relationship without an association".into())
            }
        };
        Condition::from_expr(expr)
    }

    /// `EXISTS` a related object matching `cond` (SQLAlchemy's `any()` on a collection):
    /// `Course::students.any(Student::name.eq("Naresh"))`.
    pub fn any(&self, cond: Condition) -> Condition {
        self.exists(Some(cond.into_inner()))
    }

    /// `EXISTS` a related object at all.
    pub fn exists_any(&self) -> Condition {
        self.exists(None)
    }

    /// The related parent matches `cond` (SQLAlchemy's `has()` on a reference):
    /// `Student::course.has(Course::title.eq("Python"))`.
    pub fn has(&self, cond: Condition) -> Condition {
        self.exists(Some(cond.into_inner()))
    }
}
