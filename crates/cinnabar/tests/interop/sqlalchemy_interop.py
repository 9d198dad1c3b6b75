"""SQLAlchemy's half of crates/cinnabar/tests/sqlalchemy_interop.rs.

The tutorial's models (students, courses) plus a table with every column type SQLAlchemy and
Cinnabar both support on SQLite. Each command exits non-zero with a message naming the value
on any mismatch; the Rust test runs them in turn:

  create DB               SQLAlchemy creates the tables in DB and inserts the seed rows
  check-cinnabar-writes DB
                          SQLAlchemy reads back the rows Cinnabar inserted and updated in DB
  compare CINNABAR_DB SQLALCHEMY_DB
                          SQLAlchemy's create_all makes SQLALCHEMY_DB; the inspector must report
                          the same columns, nullability, keys, unique constraints, foreign keys
                          and indexes for both databases
  write DB                SQLAlchemy inserts and reads back rows through the tables in DB
"""

import datetime
import decimal
import sys

import sqlalchemy
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    Time,
    create_engine,
    inspect,
)
from sqlalchemy.orm import declarative_base, sessionmaker

D = decimal.Decimal
Base = declarative_base()


class Course(Base):
    __tablename__ = "courses"
    id = Column(Integer, primary_key=True)
    title = Column(String, unique=True)


class Student(Base):
    __tablename__ = "students"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    course = Column(String)
    course_id = Column(Integer, ForeignKey("courses.id"))


class EveryType(Base):
    __tablename__ = "every_type"
    id = Column(Integer, primary_key=True)
    code = Column(String(20), unique=True, nullable=False)
    small = Column(Integer, nullable=False)
    big = Column(BigInteger, nullable=False)
    label = Column(String(50), nullable=False)
    body = Column(Text, nullable=False)
    flag = Column(Boolean, nullable=False)
    ratio = Column(Float, nullable=False)
    price = Column(Numeric(5, 2), nullable=False)
    amount = Column(Numeric(12, 4), nullable=False)
    day = Column(Date, nullable=False)
    moment = Column(DateTime, nullable=False)
    clock = Column(Time, nullable=False)
    data = Column(LargeBinary, nullable=False)
    doc = Column(JSON, nullable=False)
    note = Column(Text)


# The seed rows SQLAlchemy writes; the Rust test expects exactly these.
SEED = [
    dict(
        code="first",
        small=-2147483648,
        big=9007199254740993,
        label="Naresh",
        body="multi\nline 🦀",
        flag=True,
        ratio=0.1,
        price=D("123.45"),
        amount=D("12345678.1234"),
        day=datetime.date(2024, 2, 29),
        moment=datetime.datetime(2024, 2, 29, 23, 59, 58, 123456),
        clock=datetime.time(7, 30, 5, 250000),
        data=b"\x00\x01\xfe\xff",
        doc={"tags": ["a", "b"], "n": 1, "x": 2.5, "none": None},
        note=None,
    ),
    dict(
        code="second",
        small=2147483647,
        big=-9223372036854775808,
        label="",
        body="",
        flag=False,
        ratio=-1.5e300,
        price=D("-0.50"),
        amount=D("0.0001"),
        day=datetime.date(1970, 1, 1),
        moment=datetime.datetime(2000, 1, 1, 0, 0, 0),
        clock=datetime.time(0, 0, 0),
        data=b"",
        doc=[1, "two", {"three": 3}],
        note="has a note",
    ),
]

# What the Rust test writes (a new row, and an update of "first").
CINNABAR_NEW = dict(
    code="cinnabar",
    small=42,
    big=-7,
    label="written by Cinnabar",
    body="ünïcode",
    flag=True,
    ratio=2.25,
    price=D("999.99"),
    amount=D("-98765432.5678"),
    day=datetime.date(2026, 12, 5),
    moment=datetime.datetime(2026, 12, 5, 20, 55, 1, 500),
    clock=datetime.time(23, 59, 59, 999999),
    data=bytes(range(256)),
    doc={"from": "rust", "list": [1, 2, 3]},
    note="new",
)
FIRST_UPDATED = dict(SEED[0], price=D("0.01"), amount=D("-1.5000"), note="updated")

# What SQLAlchemy writes through Cinnabar-made tables in the `write` command.
SQLALCHEMY_NEW = dict(
    code="sqlalchemy",
    small=7,
    big=1 << 40,
    label="written by SQLAlchemy",
    body="body",
    flag=False,
    ratio=3.5,
    price=D("12.30"),
    amount=D("1.2345"),
    day=datetime.date(2001, 9, 9),
    moment=datetime.datetime(2001, 9, 9, 1, 46, 40, 1),
    clock=datetime.time(12, 0, 0, 1),
    data=b"\xde\xad\xbe\xef",
    doc={"ok": True},
    note=None,
)

FIELDS = list(SEED[0].keys())
failures = []


def check(what, got, want):
    same = got == want
    # A Decimal must come back as a Decimal at the column's scale, not a float or text.
    if isinstance(want, D):
        same = same and isinstance(got, D) and got.as_tuple().exponent == want.as_tuple().exponent
    if isinstance(want, float):
        same = same and isinstance(got, float)
    if not same:
        failures.append(f"{what}: got {got!r}, want {want!r}")


def check_row(what, row, want):
    if row is None:
        failures.append(f"{what}: row missing")
        return
    for f in FIELDS:
        check(f"{what}.{f}", getattr(row, f), want[f])


def finish():
    if failures:
        for f in failures:
            print("MISMATCH", f, file=sys.stderr)
        sys.exit(1)


def session_for(path):
    engine = create_engine(f"sqlite:///{path}")
    return engine, sessionmaker(bind=engine)()


def create(path):
    engine, s = session_for(path)
    Base.metadata.create_all(engine)
    python = Course(title="Python")
    s.add_all([python, Course(title="Rust")])
    s.flush()
    s.add_all(
        [
            Student(name="Naresh", course="Python", course_id=python.id),
            Student(name="Asha", course="Rust", course_id=None),
        ]
    )
    s.add_all([EveryType(**row) for row in SEED])
    s.commit()


def check_cinnabar_writes(path):
    _, s = session_for(path)
    q = s.query(EveryType)
    check_row("every_type[first]", q.filter_by(code="first").one_or_none(), FIRST_UPDATED)
    check_row("every_type[second]", q.filter_by(code="second").one_or_none(), SEED[1])
    check_row("every_type[cinnabar]", q.filter_by(code="cinnabar").one_or_none(), CINNABAR_NEW)
    naresh = s.query(Student).filter_by(name="Naresh").one()
    check("Naresh.course", naresh.course, "Advanced Python")
    new = s.query(Student).filter_by(name="Ravi").one_or_none()
    if new is None:
        failures.append("students[Ravi]: row missing")
    else:
        course = s.get(Course, new.course_id)
        check("Ravi.course_id -> courses.title", course and course.title, "Databases")
        check("Ravi.course", new.course, "Databases")
    check("student count", s.query(Student).count(), 3)
    check("every_type count", q.count(), 3)
    finish()


def describe(path):
    """The inspector's view of each table, in a form two databases can be compared by."""
    insp = inspect(create_engine(f"sqlite:///{path}"))
    out = {}
    for table in sorted(insp.get_table_names()):
        cols = []
        for c in insp.get_columns(table):
            t = c["type"]
            numeric = (
                (t.precision, t.scale) if isinstance(t, sqlalchemy.types.Numeric) else None
            )
            cols.append((c["name"], c["nullable"], numeric))
        out[table] = dict(
            columns=cols,
            primary_key=insp.get_pk_constraint(table)["constrained_columns"],
            unique=sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            foreign_keys=sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in insp.get_foreign_keys(table)
            ),
            indexes=sorted(
                (tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)
            ),
        )
    return out


def compare(cinnabar_path, sqlalchemy_path):
    Base.metadata.create_all(create_engine(f"sqlite:///{sqlalchemy_path}"))
    ours, theirs = describe(cinnabar_path), describe(sqlalchemy_path)
    for table in sorted(set(ours) | set(theirs)):
        a, b = ours.get(table), theirs.get(table)
        if a is None or b is None:
            failures.append(f"table {table}: Cinnabar {a is not None}, SQLAlchemy {b is not None}")
            continue
        for key in a:
            check(f"{table}.{key} (Cinnabar vs SQLAlchemy)", a[key], b[key])
    # The unique constraints must be seen at all (not just equally missing).
    check("courses unique constraints", theirs["courses"]["unique"], [("title",)])
    check("every_type unique constraints", theirs["every_type"]["unique"], [("code",)])
    finish()


def write(path):
    engine, s = session_for(path)
    rust = Course(title="SQLAlchemy course")
    s.add(rust)
    s.flush()
    s.add(Student(name="Written", course="by SQLAlchemy", course_id=rust.id))
    s.add(EveryType(**SQLALCHEMY_NEW))
    s.commit()
    s.close()
    _, s = session_for(path)
    check_row(
        "every_type[sqlalchemy]",
        s.query(EveryType).filter_by(code="sqlalchemy").one_or_none(),
        SQLALCHEMY_NEW,
    )
    student = s.query(Student).filter_by(name="Written").one()
    check("Written.course_id", s.get(Course, student.course_id).title, "SQLAlchemy course")
    finish()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {
        "create": create,
        "check-cinnabar-writes": check_cinnabar_writes,
        "compare": compare,
        "write": write,
    }[cmd](*args)


if __name__ == "__main__":
    main()
