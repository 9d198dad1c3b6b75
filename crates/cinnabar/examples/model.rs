//! Tutorial sections "Creating ORM Base Class" and "Creating Database Table Using ORM".
mod common;
use cinnabar::prelude::*;
use common::Student;

fn main() -> cinnabar::Result<()> {
    let engine = create_engine("sqlite:///college.db")?;
    let metadata = MetaData::new().with(Student::table().clone());
    for sql in metadata.create_all_sql(&engine)? {
        println!("{sql}");
    }
    // Typed columns: Student::name is a Column<Student, String>.
    println!("{:?}", Student::name);
    Ok(())
}
