//! Hand-built tables in the shapes reflection returns, for the golden tests
//! (`codegen_golden.rs`) and the compile check of their output (`round_trip.rs`).
#![allow(dead_code)]

use cinnabar_core::schema::{Column, ForeignKey, Index, ReferentialAction, Table};
use cinnabar_core::types::SqlType;

fn id() -> Column {
    Column::new("id", SqlType::BigInt)
        .primary_key()
        .autoincrement()
}

fn fk(col: &str, table: &str, ref_col: &str) -> ForeignKey {
    ForeignKey::new(col, table, ref_col)
}

/// The tutorial's students and courses with one of each relationship: one-to-many
/// (students.course_id), an association object with its own column (enrollments), a
/// many-to-many (student_tags), a self-referential many-to-many (course_prerequisites) and a
/// one-to-one (profiles.student_id is unique).
pub(crate) fn college() -> Vec<Table> {
    vec![
        Table::new("courses")
            .column(id())
            .column(Column::new("title", SqlType::Text(Some(100))).unique()),
        Table::new("students")
            .column(id())
            .column(Column::new("name", SqlType::Text(None)).index())
            .column(Column::new("course", SqlType::Text(None)).nullable())
            .column(Column::new("course_id", SqlType::BigInt).nullable())
            .foreign_key(fk("course_id", "courses", "id").on_delete(ReferentialAction::SetNull))
            .unique(&["name", "course_id"])
            .check(Some("ck_students_1"), "name <> ''"),
        Table::new("enrollments")
            .column(Column::new("student_id", SqlType::BigInt).primary_key())
            .column(Column::new("course_id", SqlType::BigInt).primary_key())
            .column(Column::new("marks", SqlType::Integer).nullable())
            .foreign_key(fk("student_id", "students", "id").on_delete(ReferentialAction::Cascade))
            .foreign_key(fk("course_id", "courses", "id"))
            .index(
                "ix_enrollments_course_id_marks",
                &["course_id", "marks"],
                false,
            ),
        Table::new("tags")
            .column(id())
            .column(Column::new("name", SqlType::Text(Some(50)))),
        Table::new("student_tags")
            .column(Column::new("student_id", SqlType::BigInt).primary_key())
            .column(Column::new("tag_id", SqlType::BigInt).primary_key())
            .foreign_key(fk("student_id", "students", "id"))
            .foreign_key(fk("tag_id", "tags", "id")),
        Table::new("course_prerequisites")
            .column(Column::new("course_id", SqlType::BigInt).primary_key())
            .column(Column::new("prerequisite_id", SqlType::BigInt).primary_key())
            .foreign_key(fk("course_id", "courses", "id"))
            .foreign_key(fk("prerequisite_id", "courses", "id")),
        Table::new("profiles")
            .column(id())
            .column(Column::new("student_id", SqlType::BigInt).unique())
            .column(Column::new("bio", SqlType::Text(None)).nullable())
            .foreign_key(fk("student_id", "students", "id")),
    ]
}

/// Every `SqlType`, nullable and not, with sizes, server defaults, a custom type and keys of
/// several shapes.
pub(crate) fn types() -> Vec<Table> {
    vec![
        Table::new("measurements")
            .column(
                Column::new("id", SqlType::Uuid)
                    .primary_key()
                    .server_default("gen_random_uuid()"),
            )
            .column(Column::new("small", SqlType::SmallInt))
            .column(Column::new("medium", SqlType::Integer).nullable())
            .column(Column::new("count", SqlType::BigInt))
            .column(Column::new("ratio", SqlType::Float).nullable())
            .column(Column::new("reading", SqlType::Double))
            .column(Column::new("ok", SqlType::Boolean).server_default("true"))
            .column(
                Column::new("label", SqlType::Text(Some(20)))
                    .nullable()
                    .server_default("'x'::character varying"),
            )
            .column(Column::new("notes", SqlType::Text(None)).nullable())
            .column(Column::new("raw", SqlType::Blob).nullable())
            .column(Column::new("day", SqlType::Date))
            .column(Column::new("at", SqlType::Time).nullable())
            .column(
                Column::new("taken", SqlType::DateTime)
                    .nullable()
                    .server_default("CURRENT_TIMESTAMP"),
            )
            .column(Column::new("taken_tz", SqlType::DateTimeTz).nullable())
            .column(Column::new("price", SqlType::Decimal(10, 2)).nullable())
            .column(Column::new("whole", SqlType::Decimal(12, 0)).nullable())
            .column(Column::new("doc", SqlType::Json).nullable())
            .column(
                Column::new("addr", SqlType::Text(None))
                    .nullable()
                    .custom_type("inet"),
            )
            .column(
                Column::new("anything", SqlType::Text(None))
                    .nullable()
                    .custom_type(""),
            ),
        Table::new("small_keys")
            .column(
                Column::new("id", SqlType::SmallInt)
                    .primary_key()
                    .autoincrement(),
            )
            .column(Column::new("v", SqlType::Integer).nullable()),
        Table::new("plain_keys")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("v", SqlType::Integer).nullable()),
        Table::new("readings_by_day")
            .column(Column::new("station", SqlType::Text(Some(10))).primary_key())
            .column(Column::new("day", SqlType::Date).primary_key())
            .column(Column::new("total", SqlType::Double)),
    ]
}

/// Names that are not Rust identifiers, keywords, collisions and reserved type names.
pub(crate) fn names() -> Vec<Table> {
    vec![
        Table::new("order items")
            .column(
                Column::new("Item ID", SqlType::BigInt)
                    .primary_key()
                    .autoincrement(),
            )
            .column(Column::new("type", SqlType::Text(None)))
            .column(Column::new("self", SqlType::Text(None)).nullable())
            .column(Column::new("table", SqlType::Integer).nullable())
            .column(Column::new("Course Name", SqlType::Text(None)).nullable())
            .column(Column::new("course_name", SqlType::Text(None)).nullable())
            .column(Column::new("2fa", SqlType::Boolean).nullable())
            .column(Column::new("€", SqlType::Text(None)).nullable())
            .column(Column::new("gen", SqlType::Integer).nullable())
            .column(Column::new("teacherName", SqlType::Text(None)).nullable()),
        Table::new("options")
            .column(id())
            .column(Column::new("item_id", SqlType::BigInt).nullable())
            .foreign_key(fk("item_id", "order items", "Item ID")),
        Table::new("mods").column(id()),
        Table::new("student").column(id()),
        Table::new("students")
            .column(id())
            .column(Column::new("student_id", SqlType::BigInt).nullable())
            .column(Column::new("mentor_id", SqlType::BigInt).nullable())
            .foreign_key(fk("student_id", "student", "id"))
            .foreign_key(fk("mentor_id", "students", "id")),
        Table::new("Self").column(id()),
    ]
}

/// What the derive cannot express: no or unusable keys, composite and dangling foreign keys,
/// ON UPDATE, partial and unique indexes, renamed indexes, checks, reference cycles.
pub(crate) fn unsupported() -> Vec<Table> {
    vec![
        Table::new("no_key").column(Column::new("a", SqlType::Integer)),
        Table::new("float_key").column(Column::new("x", SqlType::Double).primary_key()),
        Table::new("wide_key")
            .column(Column::new("a", SqlType::Integer).primary_key())
            .column(Column::new("b", SqlType::Integer).primary_key())
            .column(Column::new("c", SqlType::Integer).primary_key())
            .column(Column::new("d", SqlType::Integer).primary_key())
            .column(Column::new("e", SqlType::Integer).primary_key()),
        Table::new("orders")
            .column(Column::new("id", SqlType::BigInt).primary_key())
            .column(Column::new("no", SqlType::Integer).primary_key()),
        Table::new("products")
            .column(id())
            .column(Column::new("sku", SqlType::Text(Some(20))).unique()),
        Table::new("lines")
            .column(id())
            .column(Column::new("order_id", SqlType::BigInt))
            .column(Column::new("order_no", SqlType::Integer))
            .column(Column::new("sku", SqlType::Text(Some(20))).nullable())
            .column(Column::new("product_id", SqlType::BigInt))
            .column(Column::new("warehouse_id", SqlType::BigInt).nullable())
            .column(Column::new("qty", SqlType::Integer).server_default("1"))
            .foreign_key(ForeignKey::composite(
                &["order_id", "order_no"],
                "orders",
                &["id", "no"],
            ))
            .foreign_key(fk("sku", "products", "sku").on_update(ReferentialAction::Cascade))
            .foreign_key(fk("product_id", "products", "id").on_delete(ReferentialAction::SetNull))
            .foreign_key(fk("warehouse_id", "warehouses", "id"))
            .check(Some("ck_lines_qty"), "qty > 0")
            .with_index(Index::new("ix_lines_open", &["qty"]).where_sql("qty > 10"))
            .with_index(Index::new("ux_lines_sku", &["sku"]).unique())
            .with_index(Index::new("lines_qty_idx", &["qty"])),
        Table::new("departments")
            .column(id())
            .column(Column::new("manager_id", SqlType::BigInt).nullable())
            .foreign_key(fk("manager_id", "employees", "id")),
        Table::new("employees")
            .column(id())
            .column(Column::new("department_id", SqlType::BigInt))
            .foreign_key(fk("department_id", "departments", "id")),
        Table::new("chickens")
            .column(id())
            .column(Column::new("egg_id", SqlType::BigInt))
            .foreign_key(fk("egg_id", "eggs", "id")),
        Table::new("eggs")
            .column(id())
            .column(Column::new("chicken_id", SqlType::BigInt))
            .foreign_key(fk("chicken_id", "chickens", "id")),
        Table::new("counters")
            .column(Column::new("name", SqlType::Text(Some(20))).primary_key())
            .column(Column::new("seq", SqlType::BigInt).autoincrement()),
    ]
}
