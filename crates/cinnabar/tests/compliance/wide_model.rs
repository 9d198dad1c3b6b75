//! A model wider than 128 columns (150: a key, 148 `INTEGER`s, a foreign key) through the
//! whole session: INSERT (batched within the dialect's limits), load, an UPDATE of column
//! 140 that writes that column alone (no bit-mask wrap-around onto column 12), a DELETE, and
//! a relationship whose foreign key is the last column. Small column types keep MariaDB's
//! row within its size limit.

use super::*;

/// A team owning wide rows (the parent of [`Wide`]).
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "wide_teams")]
pub(crate) struct WideTeam {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100)]
    pub name: String,
    #[cinnabar(relation(foreign_key = team_id))]
    pub rows: HasMany<Wide>,
}

/// 150 columns: `id` (position 0), `c001`..`c148` (positions 1..=148), `team_id` (149).
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "wide_rows")]
pub(crate) struct Wide {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub c001: i32,
    pub c002: i32,
    pub c003: i32,
    pub c004: i32,
    pub c005: i32,
    pub c006: i32,
    pub c007: i32,
    pub c008: i32,
    pub c009: i32,
    pub c010: i32,
    pub c011: i32,
    pub c012: i32,
    pub c013: i32,
    pub c014: i32,
    pub c015: i32,
    pub c016: i32,
    pub c017: i32,
    pub c018: i32,
    pub c019: i32,
    pub c020: i32,
    pub c021: i32,
    pub c022: i32,
    pub c023: i32,
    pub c024: i32,
    pub c025: i32,
    pub c026: i32,
    pub c027: i32,
    pub c028: i32,
    pub c029: i32,
    pub c030: i32,
    pub c031: i32,
    pub c032: i32,
    pub c033: i32,
    pub c034: i32,
    pub c035: i32,
    pub c036: i32,
    pub c037: i32,
    pub c038: i32,
    pub c039: i32,
    pub c040: i32,
    pub c041: i32,
    pub c042: i32,
    pub c043: i32,
    pub c044: i32,
    pub c045: i32,
    pub c046: i32,
    pub c047: i32,
    pub c048: i32,
    pub c049: i32,
    pub c050: i32,
    pub c051: i32,
    pub c052: i32,
    pub c053: i32,
    pub c054: i32,
    pub c055: i32,
    pub c056: i32,
    pub c057: i32,
    pub c058: i32,
    pub c059: i32,
    pub c060: i32,
    pub c061: i32,
    pub c062: i32,
    pub c063: i32,
    pub c064: i32,
    pub c065: i32,
    pub c066: i32,
    pub c067: i32,
    pub c068: i32,
    pub c069: i32,
    pub c070: i32,
    pub c071: i32,
    pub c072: i32,
    pub c073: i32,
    pub c074: i32,
    pub c075: i32,
    pub c076: i32,
    pub c077: i32,
    pub c078: i32,
    pub c079: i32,
    pub c080: i32,
    pub c081: i32,
    pub c082: i32,
    pub c083: i32,
    pub c084: i32,
    pub c085: i32,
    pub c086: i32,
    pub c087: i32,
    pub c088: i32,
    pub c089: i32,
    pub c090: i32,
    pub c091: i32,
    pub c092: i32,
    pub c093: i32,
    pub c094: i32,
    pub c095: i32,
    pub c096: i32,
    pub c097: i32,
    pub c098: i32,
    pub c099: i32,
    pub c100: i32,
    pub c101: i32,
    pub c102: i32,
    pub c103: i32,
    pub c104: i32,
    pub c105: i32,
    pub c106: i32,
    pub c107: i32,
    pub c108: i32,
    pub c109: i32,
    pub c110: i32,
    pub c111: i32,
    pub c112: i32,
    pub c113: i32,
    pub c114: i32,
    pub c115: i32,
    pub c116: i32,
    pub c117: i32,
    pub c118: i32,
    pub c119: i32,
    pub c120: i32,
    pub c121: i32,
    pub c122: i32,
    pub c123: i32,
    pub c124: i32,
    pub c125: i32,
    pub c126: i32,
    pub c127: i32,
    pub c128: i32,
    pub c129: i32,
    pub c130: i32,
    pub c131: i32,
    pub c132: i32,
    pub c133: i32,
    pub c134: i32,
    pub c135: i32,
    pub c136: i32,
    pub c137: i32,
    pub c138: i32,
    pub c139: i32,
    pub c140: i32,
    pub c141: i32,
    pub c142: i32,
    pub c143: i32,
    pub c144: i32,
    pub c145: i32,
    pub c146: i32,
    pub c147: i32,
    pub c148: i32,
    #[cinnabar(foreign_key = "wide_teams.id")]
    pub team_id: Option<i64>,
    #[cinnabar(relation(foreign_key = team_id))]
    pub team: BelongsTo<WideTeam>,
}

impl Wide {
    /// A new row whose column `cNNN` holds `seed + NNN`.
    fn seeded(seed: i32) -> Wide {
        Wide {
            id: None,
            c001: seed + 1,
            c002: seed + 2,
            c003: seed + 3,
            c004: seed + 4,
            c005: seed + 5,
            c006: seed + 6,
            c007: seed + 7,
            c008: seed + 8,
            c009: seed + 9,
            c010: seed + 10,
            c011: seed + 11,
            c012: seed + 12,
            c013: seed + 13,
            c014: seed + 14,
            c015: seed + 15,
            c016: seed + 16,
            c017: seed + 17,
            c018: seed + 18,
            c019: seed + 19,
            c020: seed + 20,
            c021: seed + 21,
            c022: seed + 22,
            c023: seed + 23,
            c024: seed + 24,
            c025: seed + 25,
            c026: seed + 26,
            c027: seed + 27,
            c028: seed + 28,
            c029: seed + 29,
            c030: seed + 30,
            c031: seed + 31,
            c032: seed + 32,
            c033: seed + 33,
            c034: seed + 34,
            c035: seed + 35,
            c036: seed + 36,
            c037: seed + 37,
            c038: seed + 38,
            c039: seed + 39,
            c040: seed + 40,
            c041: seed + 41,
            c042: seed + 42,
            c043: seed + 43,
            c044: seed + 44,
            c045: seed + 45,
            c046: seed + 46,
            c047: seed + 47,
            c048: seed + 48,
            c049: seed + 49,
            c050: seed + 50,
            c051: seed + 51,
            c052: seed + 52,
            c053: seed + 53,
            c054: seed + 54,
            c055: seed + 55,
            c056: seed + 56,
            c057: seed + 57,
            c058: seed + 58,
            c059: seed + 59,
            c060: seed + 60,
            c061: seed + 61,
            c062: seed + 62,
            c063: seed + 63,
            c064: seed + 64,
            c065: seed + 65,
            c066: seed + 66,
            c067: seed + 67,
            c068: seed + 68,
            c069: seed + 69,
            c070: seed + 70,
            c071: seed + 71,
            c072: seed + 72,
            c073: seed + 73,
            c074: seed + 74,
            c075: seed + 75,
            c076: seed + 76,
            c077: seed + 77,
            c078: seed + 78,
            c079: seed + 79,
            c080: seed + 80,
            c081: seed + 81,
            c082: seed + 82,
            c083: seed + 83,
            c084: seed + 84,
            c085: seed + 85,
            c086: seed + 86,
            c087: seed + 87,
            c088: seed + 88,
            c089: seed + 89,
            c090: seed + 90,
            c091: seed + 91,
            c092: seed + 92,
            c093: seed + 93,
            c094: seed + 94,
            c095: seed + 95,
            c096: seed + 96,
            c097: seed + 97,
            c098: seed + 98,
            c099: seed + 99,
            c100: seed + 100,
            c101: seed + 101,
            c102: seed + 102,
            c103: seed + 103,
            c104: seed + 104,
            c105: seed + 105,
            c106: seed + 106,
            c107: seed + 107,
            c108: seed + 108,
            c109: seed + 109,
            c110: seed + 110,
            c111: seed + 111,
            c112: seed + 112,
            c113: seed + 113,
            c114: seed + 114,
            c115: seed + 115,
            c116: seed + 116,
            c117: seed + 117,
            c118: seed + 118,
            c119: seed + 119,
            c120: seed + 120,
            c121: seed + 121,
            c122: seed + 122,
            c123: seed + 123,
            c124: seed + 124,
            c125: seed + 125,
            c126: seed + 126,
            c127: seed + 127,
            c128: seed + 128,
            c129: seed + 129,
            c130: seed + 130,
            c131: seed + 131,
            c132: seed + 132,
            c133: seed + 133,
            c134: seed + 134,
            c135: seed + 135,
            c136: seed + 136,
            c137: seed + 137,
            c138: seed + 138,
            c139: seed + 139,
            c140: seed + 140,
            c141: seed + 141,
            c142: seed + 142,
            c143: seed + 143,
            c144: seed + 144,
            c145: seed + 145,
            c146: seed + 146,
            c147: seed + 147,
            c148: seed + 148,
            team_id: None,
            team: BelongsTo::default(),
        }
    }

    /// `c001`..`c148` in order.
    fn values(&self) -> Vec<i32> {
        vec![
            self.c001, self.c002, self.c003, self.c004, self.c005, self.c006, self.c007, self.c008,
            self.c009, self.c010, self.c011, self.c012, self.c013, self.c014, self.c015, self.c016,
            self.c017, self.c018, self.c019, self.c020, self.c021, self.c022, self.c023, self.c024,
            self.c025, self.c026, self.c027, self.c028, self.c029, self.c030, self.c031, self.c032,
            self.c033, self.c034, self.c035, self.c036, self.c037, self.c038, self.c039, self.c040,
            self.c041, self.c042, self.c043, self.c044, self.c045, self.c046, self.c047, self.c048,
            self.c049, self.c050, self.c051, self.c052, self.c053, self.c054, self.c055, self.c056,
            self.c057, self.c058, self.c059, self.c060, self.c061, self.c062, self.c063, self.c064,
            self.c065, self.c066, self.c067, self.c068, self.c069, self.c070, self.c071, self.c072,
            self.c073, self.c074, self.c075, self.c076, self.c077, self.c078, self.c079, self.c080,
            self.c081, self.c082, self.c083, self.c084, self.c085, self.c086, self.c087, self.c088,
            self.c089, self.c090, self.c091, self.c092, self.c093, self.c094, self.c095, self.c096,
            self.c097, self.c098, self.c099, self.c100, self.c101, self.c102, self.c103, self.c104,
            self.c105, self.c106, self.c107, self.c108, self.c109, self.c110, self.c111, self.c112,
            self.c113, self.c114, self.c115, self.c116, self.c117, self.c118, self.c119, self.c120,
            self.c121, self.c122, self.c123, self.c124, self.c125, self.c126, self.c127, self.c128,
            self.c129, self.c130, self.c131, self.c132, self.c133, self.c134, self.c135, self.c136,
            self.c137, self.c138, self.c139, self.c140, self.c141, self.c142, self.c143, self.c144,
            self.c145, self.c146, self.c147, self.c148,
        ]
    }
}

fn setup_wide(db: &TestDb) {
    db.create_tables(&[WideTeam::table(), Wide::table()]);
}

/// The expected `c001`..`c148` of a row seeded with `seed`.
fn seeded_values(seed: i32) -> Vec<i32> {
    (1..=148).map(|i| seed + i).collect()
}

/// The columns an UPDATE statement sets: the names between `SET` and `WHERE`.
fn set_columns(update: &str) -> Vec<String> {
    let upper = update.to_ascii_uppercase();
    let start = upper.find(" SET ").expect("SET") + 5;
    let end = upper.find(" WHERE ").expect("WHERE");
    update[start..end]
        .split(',')
        .map(|part| {
            let name = part.split('=').next().unwrap_or_default();
            name.trim()
                .trim_matches(|c| c == '"' || c == '`')
                .to_owned()
        })
        .collect()
}

fn wide_model_inserts_and_loads(db: &TestDb) {
    setup_wide(db);
    assert_eq!(Wide::COLUMNS.len(), 150);
    let mut s = Session::new(&db.engine);
    let h = s.add(Wide::seeded(1000));
    s.commit().unwrap();
    let id = h.read().id.expect("generated key");
    let mut fresh = Session::new(&db.engine);
    let loaded = fresh.get::<Wide>(id).unwrap().expect("row stored");
    assert_eq!(loaded.read().values(), seeded_values(1000));
    assert_eq!(loaded.read().c140, 1140);
    // Loading changed nothing: no UPDATE at commit.
    let (committed, sql) = capture_sql(|| fresh.commit());
    committed.unwrap();
    assert!(statements(&sql, "UPDATE").is_empty(), "{sql:#?}");
}

fn wide_model_update_of_column_140_writes_only_it(db: &TestDb) {
    setup_wide(db);
    let mut s = Session::new(&db.engine);
    let h = s.add(Wide::seeded(0));
    s.commit().unwrap();
    let id = h.read().id.expect("generated key");

    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let w = s.get::<Wide>(id).unwrap().expect("row stored");
    assert_eq!(Wide::COLUMNS[140], "c140");
    w.write().c140 = -140;
    let (flushed, sql) = capture_sql(|| s.commit());
    flushed.unwrap();
    let updates = statements(&sql, "UPDATE");
    assert_eq!(updates.len(), 1, "{sql:#?}");
    assert_eq!(set_columns(updates[0]), ["c140"], "{}", updates[0]);

    let mut expected = seeded_values(0);
    expected[139] = -140;
    let mut fresh = Session::new(&db.engine);
    let row = fresh.get::<Wide>(id).unwrap().expect("row stored");
    assert_eq!(
        row.read().values(),
        expected,
        "only c140 changed (c012 kept 12)"
    );

    // Columns on both sides of 128 in one UPDATE, in column order.
    let w = s.get::<Wide>(id).unwrap().expect("row stored");
    {
        let mut g = w.write();
        g.c012 = -12;
        g.c129 = -129;
        g.c148 = -148;
    }
    let (flushed, sql) = capture_sql(|| s.commit());
    flushed.unwrap();
    let updates = statements(&sql, "UPDATE");
    assert_eq!(updates.len(), 1, "{sql:#?}");
    assert_eq!(
        set_columns(updates[0]),
        ["c012", "c129", "c148"],
        "{}",
        updates[0]
    );
    let mut again = Session::new(&db.engine);
    let row = again.get::<Wide>(id).unwrap().expect("row stored");
    expected[11] = -12;
    expected[128] = -129;
    expected[147] = -148;
    assert_eq!(row.read().values(), expected);
}

fn wide_model_batches_inserts_and_deletes(db: &TestDb) {
    setup_wide(db);
    const N: usize = 30;
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let hs = s.add_all((0..N as i32).map(|k| Wide::seeded(k * 1000)));
    let (flushed, sql) = capture_sql(|| s.commit());
    flushed.unwrap();
    let d = db.engine.dialect();
    let width = Wide::COLUMNS.len();
    let per_statement = d
        .insert_batch_rows()
        .min(d.max_bind_params() / width)
        .min(d.insert_batch_params() / width)
        .max(1);
    assert_eq!(
        statements(&sql, "INSERT").len(),
        N.div_ceil(per_statement),
        "batches of {per_statement} rows"
    );
    assert_eq!(count(db, "wide_rows"), N as i64);
    for (k, h) in hs.iter().enumerate() {
        let id = h.read().id.expect("generated key");
        let row = conn(db)
            .scalar::<Option<i64>>(text("SELECT c140 FROM wide_rows WHERE id = :id").bind("id", id))
            .unwrap();
        assert_eq!(row, Some(k as i64 * 1000 + 140), "row {k} has its own key");
    }

    for h in hs.iter().step_by(3) {
        s.delete(h).unwrap();
    }
    s.commit().unwrap();
    assert_eq!(count(db, "wide_rows"), (N - N.div_ceil(3)) as i64);
}

fn wide_model_relationship_on_its_last_column(db: &TestDb) {
    setup_wide(db);
    let mut s = Session::new(&db.engine);
    let team = s.add(WideTeam {
        id: None,
        name: "wide".into(),
        rows: HasMany::loaded(Vec::new()),
    });
    for k in 0..3 {
        let row = s.add(Wide::seeded(k * 10));
        team.write().rows.push(row).unwrap();
    }
    s.commit().unwrap();
    let team_id = team.read().id.expect("team key");
    assert_eq!(Wide::COLUMNS[149], "team_id");

    let mut fresh = Session::new(&db.engine);
    let teams = fresh
        .query::<WideTeam>()
        .options(selectin(WideTeam::rows).then(selectin(Wide::team)))
        .all()
        .unwrap();
    assert_eq!(teams.len(), 1);
    let g = teams[0].read();
    let rows = g.rows.get().unwrap();
    assert_eq!(rows.len(), 3);
    for r in rows {
        assert_eq!(r.read().team_id, Some(team_id));
        let back = r
            .read()
            .team
            .get()
            .unwrap()
            .cloned()
            .expect("parent loaded");
        assert!(Handle::ptr_eq(&back, &teams[0]));
    }
    drop(g);

    // Taking a row out of its team (both sides, as they are not back-populated) clears its
    // foreign key (column 149) alone.
    let moved = teams[0].read().rows.get().unwrap()[0].clone();
    let moved_id = moved.read().id.expect("key");
    teams[0].write().rows.remove(&moved).unwrap();
    moved.write().team.set(None).unwrap();
    fresh.commit().unwrap();
    let fk = conn(db)
        .scalar::<Option<i64>>(
            text("SELECT team_id FROM wide_rows WHERE id = :id").bind("id", moved_id),
        )
        .unwrap();
    assert_eq!(fk, None);
    let c140 = conn(db)
        .scalar::<Option<i64>>(
            text("SELECT c140 FROM wide_rows WHERE id = :id").bind("id", moved_id),
        )
        .unwrap();
    assert_eq!(c140, Some(140), "the other columns kept");
}

crate::backend_tests!(
    wide_model_inserts_and_loads,
    wide_model_update_of_column_140_writes_only_it,
    wide_model_batches_inserts_and_deletes,
    wide_model_relationship_on_its_last_column,
);
