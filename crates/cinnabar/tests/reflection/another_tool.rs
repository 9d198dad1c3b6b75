//! Reflection of schemas written in plain SQL by "another tool", with types and forms
//! Cinnabar never writes (`serial`, `inet`, arrays, `varchar` without length, SQLite `INT`,
//! `NVARCHAR(20)`, a column without type, `REFERENCES parent` without columns, expression
//! and partial indexes, named and unnamed checks). Part of `tests/reflection.rs`.

use super::*;

backend_tests_with!(a_schema_written_by_another_tool_reflects {
    sqlite: [],
    postgres: [],
    mysql: [#[ignore = "MySQL's schema from another tool is tested in reflection_mysql.rs"]],
});

const SQLITE_OTHER_TOOL: &str = "
CREATE TABLE authors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name NVARCHAR(20) NOT NULL,
    born INT,
    rating DOUBLE,
    notes,
    price DECIMAL(8,3) DEFAULT 0,
    code CHAR(5) CONSTRAINT uq_code UNIQUE,
    CONSTRAINT ck_rating CHECK (rating BETWEEN 0 AND 5)
);
CREATE TABLE books (
    isbn TEXT PRIMARY KEY,
    author_id INTEGER NOT NULL CONSTRAINT fk_author REFERENCES AUTHORS ON DELETE CASCADE,
    title VARCHAR(200),
    pages SMALLINT CHECK (pages > 0),
    twice INT GENERATED ALWAYS AS (pages * 2),
    published DATE DEFAULT (date('now'))
);
CREATE UNIQUE INDEX ux_books_title ON books (title) WHERE title IS NOT NULL;
CREATE INDEX ix_books_lower ON books (lower(title));
";

const POSTGRES_OTHER_TOOL: &str = "
CREATE TABLE authors (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    born smallint,
    rating double precision,
    ip inet,
    tags text[],
    joined timestamp(0),
    price numeric DEFAULT 0,
    code char(5) CONSTRAINT uq_code UNIQUE,
    doc json,
    CONSTRAINT ck_rating CHECK (rating BETWEEN 0 AND 5)
);
CREATE TABLE books (
    isbn text PRIMARY KEY,
    author_id integer NOT NULL CONSTRAINT fk_author REFERENCES authors
        ON DELETE CASCADE ON UPDATE RESTRICT,
    title varchar(200),
    pages integer CHECK (pages > 0),
    twice integer GENERATED ALWAYS AS (pages * 2) STORED,
    big bigserial,
    ident integer GENERATED ALWAYS AS IDENTITY,
    status text DEFAULT 'new' CHECK (status IN ('new', 'old'))
);
CREATE UNIQUE INDEX ux_books_title ON books (title) WHERE title IS NOT NULL;
CREATE INDEX ix_books_lower ON books (lower(title));
";

fn a_schema_written_by_another_tool_reflects(db: &TestDb) {
    let sqlite = db.backend == Backend::Sqlite;
    script(
        db,
        if sqlite {
            SQLITE_OTHER_TOOL
        } else {
            POSTGRES_OTHER_TOOL
        },
    );
    let tables = reflect(db);
    // SQLite's own `sqlite_sequence` (made for AUTOINCREMENT) is not a user table.
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["authors", "books"]);
    let (authors, books) = if sqlite {
        sqlite_other_tool_expected()
    } else {
        postgres_other_tool_expected()
    };
    assert_table(table(&tables, "authors"), &authors);
    assert_table(table(&tables, "books"), &books);
    // The CHECK written with BETWEEN compares equal to what the database reports.
    let cat = catalog(db);
    assert_eq!(
        cat.normalize_check(&table(&tables, "authors").checks[0].sql),
        cat.normalize_check("rating BETWEEN 0 AND 5")
    );
    // Generated columns and the expression index are not reflected (documented).
    assert!(table(&tables, "books").get_column("twice").is_none());
    assert!(table(&tables, "books")
        .indexes
        .iter()
        .all(|i| i.name != "ix_books_lower"));
}

fn sqlite_other_tool_expected() -> (Table, Table) {
    let mut authors = Table::new("authors")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(custom(col("name", SqlType::Text(Some(20))), "NVARCHAR(20)"))
        .column(custom(col("born", SqlType::Integer), "INT").nullable())
        .column(custom(col("rating", SqlType::Double), "DOUBLE").nullable())
        // No declared type at all.
        .column(custom(col("notes", SqlType::Text(None)), "").nullable())
        .column(
            custom(col("price", SqlType::Decimal(8, 3)), "DECIMAL(8,3)")
                .nullable()
                .server_default("0"),
        )
        .column(custom(col("code", SqlType::Text(Some(5))), "CHAR(5)").nullable())
        .check(Some("ck_rating"), "rating BETWEEN 0 AND 5");
    // Named, so a table-level constraint rather than the column's own.
    authors.uniques.push(unique(Some("uq_code"), &["code"]));
    let books = Table::new("books")
        // SQLite lets a non-INTEGER primary key hold NULL unless declared NOT NULL.
        .column(col("isbn", SqlType::Text(None)).primary_key().nullable())
        .column(col("author_id", SqlType::BigInt))
        .column(col("title", SqlType::Text(Some(200))).nullable())
        .column(custom(col("pages", SqlType::SmallInt), "SMALLINT").nullable())
        .column(
            col("published", SqlType::Date)
                .nullable()
                .server_default("date('now')"),
        )
        .foreign_key(
            // `REFERENCES authors` without columns: the parent's primary key.
            ForeignKey::new("author_id", "authors", "id")
                .named("fk_author")
                .on_delete(ReferentialAction::Cascade),
        )
        .with_index(
            Index::new("ux_books_title", &["title"])
                .unique()
                .where_sql("title IS NOT NULL"),
        )
        .check(None, "pages > 0");
    (authors, books)
}

fn postgres_other_tool_expected() -> (Table, Table) {
    let mut authors = Table::new("authors")
        .column(col("id", SqlType::Integer).primary_key().autoincrement())
        .column(custom(
            col("name", SqlType::Text(None)),
            "character varying",
        ))
        .column(col("born", SqlType::SmallInt).nullable())
        .column(col("rating", SqlType::Double).nullable())
        .column(custom(col("ip", SqlType::Text(None)), "inet").nullable())
        .column(custom(col("tags", SqlType::Text(None)), "text[]").nullable())
        .column(
            custom(
                col("joined", SqlType::DateTime),
                "timestamp(0) without time zone",
            )
            .nullable(),
        )
        .column(
            custom(col("price", SqlType::Decimal(28, 10)), "numeric")
                .nullable()
                .server_default("0"),
        )
        .column(custom(col("code", SqlType::Text(Some(5))), "character(5)").nullable())
        .column(custom(col("doc", SqlType::Json), "json").nullable())
        .check(
            Some("ck_rating"),
            "(rating >= (0)::double precision) AND (rating <= (5)::double precision)",
        );
    authors.uniques.push(unique(Some("uq_code"), &["code"]));
    let books = Table::new("books")
        .column(col("isbn", SqlType::Text(None)).primary_key())
        .column(col("author_id", SqlType::Integer))
        .column(col("title", SqlType::Text(Some(200))).nullable())
        .column(col("pages", SqlType::Integer).nullable())
        // bigserial and identity columns: generated, no server default.
        .column(col("big", SqlType::BigInt).autoincrement())
        .column(col("ident", SqlType::Integer).autoincrement())
        .column(
            col("status", SqlType::Text(None))
                .nullable()
                .server_default("'new'::text"),
        )
        .foreign_key(
            ForeignKey::new("author_id", "authors", "id")
                .named("fk_author")
                .on_delete(ReferentialAction::Cascade)
                .on_update(ReferentialAction::Restrict),
        )
        .with_index(
            Index::new("ux_books_title", &["title"])
                .unique()
                .where_sql("title IS NOT NULL"),
        )
        .check(Some("books_pages_check"), "pages > 0")
        .check(
            Some("books_status_check"),
            "status = ANY (ARRAY['new'::text, 'old'::text])",
        );
    (authors, books)
}
