//! Running a revision's steps: schema operations (compiled per dialect, or, for what the
//! database's ALTER TABLE cannot do, a table rebuild: consecutive operations on one table
//! share one rebuild), SQL per dialect, and registered Rust functions given the tables frozen
//! at their position. Used by `apply.rs` inside the transaction (or the step's own
//! transaction) it opened.

use std::time::Instant;

use cinnabar_core::dialect::{compile_ddl, Dialect, ServerVersion};
use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::MetaData;
use cinnabar_core::{Error, Result};
use cinnabar_engine::{reflect_tables, Connection};

use crate::apply::InRun;
use crate::migrator::Migrator;
use crate::progress::ProgressKind;
use crate::rebuild::{self, plan_ops, RebuildPlan, TableChange};
use crate::revision::{Revision, Step};

/// Where a step runs: up step `i`, or down step `index` of `steps`, the steps undoing a
/// revision of which `done` up steps were applied.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Position<'s> {
    Up(usize),
    Down {
        done: usize,
        steps: &'s [Step],
        index: usize,
    },
}

/// Whether an operation changes one existing table in place, so that it can be part of a
/// rebuild (creating, dropping and renaming tables never are).
pub(crate) fn in_place(op: &SchemaOp) -> bool {
    !matches!(
        op,
        SchemaOp::CreateTable(_) | SchemaOp::DropTable(_) | SchemaOp::RenameTable { .. }
    )
}

impl Migrator {
    /// The running server's version, read once (for the native ALTER forms it has).
    fn server_version(&self, conn: &mut Connection) -> Result<Option<ServerVersion>> {
        if let Some(v) = self.server_version.get() {
            return Ok(*v);
        }
        let v = rebuild::server_version(conn)?;
        Ok(*self.server_version.get_or_init(|| v))
    }

    /// Whether any operation of `steps` will rebuild a table, judged on the database's
    /// schema as reflected now with the steps' operations applied in turn. Always `false` on
    /// a dialect that never rebuilds (no reflection is done).
    pub(crate) fn rebuilds_a_table(&self, conn: &mut Connection, steps: &[Step]) -> Result<bool> {
        let d = conn.dialect();
        if d.table_rebuild().is_none() {
            return Ok(false);
        }
        let in_place_op = |s: &Step| matches!(s, Step::Op(op) if in_place(op));
        if !steps.iter().any(in_place_op) {
            return Ok(false);
        }
        let version = self.server_version(conn)?;
        let mut schema = reflect_tables(conn)?
            .into_iter()
            .fold(MetaData::new(), |md, t| md.with(t));
        let mut i = 0;
        while i < steps.len() {
            let end = if in_place_op(&steps[i]) {
                group_end(steps, i)
            } else {
                i + 1
            };
            let ops: Vec<SchemaOp> = steps[i..end]
                .iter()
                .filter_map(|s| match s {
                    Step::Op(op) => Some(op.clone()),
                    _ => None,
                })
                .collect();
            if in_place_op(&steps[i]) {
                match plan_group(d, version, &schema, &ops) {
                    Ok(Some(_)) => return Ok(true),
                    Ok(None) => {}
                    // The step will fail when it runs, and say why there.
                    Err(_) => return Ok(false),
                }
            }
            for op in &ops {
                if op.apply(&mut schema).is_err() {
                    return Ok(false);
                }
            }
            i = end;
        }
        Ok(false)
    }

    /// Runs `steps` in the open transaction, reporting each. `down_done`: these are the
    /// steps undoing a revision of which that many up steps were applied. Consecutive
    /// in-place operations on one table that need a rebuild run as one rebuild.
    pub(crate) fn run_steps(
        &self,
        conn: &mut Connection,
        at: &InRun<'_>,
        steps: &[Step],
        down_done: Option<usize>,
        start: Instant,
    ) -> Result<()> {
        let r = at.revision;
        let n = steps.len();
        let position = |i: usize| match down_done {
            None => Position::Up(i),
            Some(done) => Position::Down {
                done,
                steps,
                index: i,
            },
        };
        let report = |i: usize| {
            let kind = ProgressKind::Step {
                step: i + 1,
                steps: n,
            };
            self.report(at, kind, Some(&steps[i]), start);
        };
        let mut i = 0;
        while i < n {
            let group = self.rebuild_group(conn, steps, i)?;
            if let Some((end, plan)) = group {
                (i..end).for_each(report);
                rebuild::run(conn, &plan).map_err(|e| {
                    let c = step_context(r, position(i), &steps[i]);
                    let with = if end > i + 1 {
                        format!(", in one table rebuild with steps {} to {end}", i + 1)
                    } else {
                        ", in a table rebuild".to_owned()
                    };
                    e.context(format!("{c}{with}"))
                })?;
                i = end;
                continue;
            }
            report(i);
            self.run_step(conn, r, position(i), &steps[i])?;
            i += 1;
        }
        Ok(())
    }

    /// From step `i`: the run of in-place operations on one table and its rebuild, when the
    /// dialect rebuilds tables and the run needs one.
    fn rebuild_group(
        &self,
        conn: &mut Connection,
        steps: &[Step],
        i: usize,
    ) -> Result<Option<(usize, RebuildPlan)>> {
        let d = conn.dialect();
        let Step::Op(first) = &steps[i] else {
            return Ok(None);
        };
        if d.table_rebuild().is_none() || !in_place(first) {
            return Ok(None);
        }
        let end = group_end(steps, i);
        let ops: Vec<SchemaOp> = steps[i..end]
            .iter()
            .filter_map(|s| match s {
                Step::Op(op) => Some(op.clone()),
                _ => None,
            })
            .collect();
        let schema = reflect_tables(conn)?
            .into_iter()
            .fold(MetaData::new(), |md, t| md.with(t));
        let version = self.server_version(conn)?;
        Ok(plan_group(d, version, &schema, &ops)?.map(|plan| (end, plan)))
    }

    /// Runs one step on `conn` (inside whatever transaction the caller opened); an in-place
    /// operation the database cannot ALTER is a rebuild of its own.
    pub(crate) fn run_step(
        &self,
        conn: &mut Connection,
        r: &Revision,
        at: Position<'_>,
        step: &Step,
    ) -> Result<()> {
        let d = conn.dialect();
        let result = match step {
            Step::Op(op) => match self.rebuild_group(conn, std::slice::from_ref(step), 0) {
                Ok(Some((_, plan))) => rebuild::run(conn, &plan).map(|_| ()),
                Ok(None) => run_op(conn, op),
                Err(e) => Err(e),
            },
            Step::Sql(sql) => match sql.for_dialect(d) {
                Some(text) => conn.execute_script(text),
                None => Err(Error::unsupported(format!(
                    "the SQL step has no text for {} and no `all`",
                    d.name()
                ))),
            },
            Step::Rust(name) => match self.rust_steps.get(name) {
                Some(f) => self
                    .frozen_tables(r, at)
                    .and_then(|tables| f(conn, &tables)),
                None => Err(Error::misuse(format!(
                    "the Rust step {name:?} is not registered; register it with \
                     Migrator::with_rust_step({name:?}, f)"
                ))),
            },
        };
        result.map_err(|e| e.context(step_context(r, at, step)))
    }

    /// The tables as the revisions leave them where a Rust step runs: the ancestors and the
    /// revision's steps before it replayed; for a down step, from the schema the applied up
    /// steps left, with the down steps before it replayed.
    fn frozen_tables(&self, r: &Revision, at: Position<'_>) -> Result<MetaData> {
        match at {
            Position::Up(i) => self.dir.schema_before(&r.id, i),
            Position::Down { done, steps, index } => {
                let mut schema = self.dir.schema_before(&r.id, done)?;
                for (j, s) in steps.iter().enumerate().take(index) {
                    if let Step::Op(op) = s {
                        op.apply(&mut schema).map_err(|e| {
                            e.context(format!("replaying revision {} down step {}", r.id, j + 1))
                        })?;
                    }
                }
                Ok(schema)
            }
        }
    }
}

/// The end of the run of in-place operations on one table starting at `i`.
pub(crate) fn group_end(steps: &[Step], i: usize) -> usize {
    let Some(Step::Op(first)) = steps.get(i) else {
        return i + 1;
    };
    let mut end = i + 1;
    while let Some(Step::Op(op)) = steps.get(end) {
        if !in_place(op) || op.table() != first.table() {
            break;
        }
        end += 1;
    }
    end
}

/// The rebuild that makes `ops` (a run of in-place operations on one table of `schema`),
/// when one of them, judged on the table the earlier ones leave, cannot be made with the
/// database's ALTER TABLE ([`plan_ops`]); `None` when each can (they then run one by one)
/// or the table is not in `schema` (the step then runs natively and fails saying why).
pub(crate) fn plan_group(
    d: &dyn Dialect,
    version: Option<ServerVersion>,
    schema: &MetaData,
    ops: &[SchemaOp],
) -> Result<Option<RebuildPlan>> {
    let Some(current) = ops.first().and_then(|op| schema.table(op.table())) else {
        return Ok(None);
    };
    Ok(match plan_ops(d, version, current, ops)? {
        TableChange::Native(_) => None,
        TableChange::Rebuild(plan) => Some(plan),
    })
}

/// `revision <id> (<message>), step k (<what>)`.
fn step_context(r: &Revision, at: Position<'_>, step: &Step) -> String {
    let (which, index) = match at {
        Position::Up(i) => ("step", i),
        Position::Down { index, .. } => ("down step", index),
    };
    format!(
        "revision {} ({}), {which} {} ({})",
        r.id,
        r.message,
        index + 1,
        step.describe()
    )
}

/// Compiles every statement of `op` first (so a form the database lacks runs nothing), then
/// runs them.
fn run_op(conn: &mut Connection, op: &SchemaOp) -> Result<()> {
    let d = conn.dialect();
    let statements = op
        .to_ddl()
        .iter()
        .map(|ddl| compile_ddl(d, ddl))
        .collect::<Result<Vec<_>>>()?;
    for sql in statements {
        conn.execute_script(&sql)?;
    }
    Ok(())
}
