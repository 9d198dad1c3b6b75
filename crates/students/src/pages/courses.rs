//! The course pages: `/courses` (every course with its teacher and seats taken) and
//! `/courses/{id}` (the roster, loaded eagerly: the same number of queries for 3 students or
//! 300).

use axum::extract::{Path, State};
use axum::response::Html;
use cinnabar::prelude::*;
use maud::html;

use super::layout::{page, PageError};
use crate::models::Attendance;
use crate::queries::courses as q;
use cinnabar::asyncio::AsyncEngine;

/// `GET /courses`
pub(super) async fn index(State(db): State<AsyncEngine>) -> Result<Html<String>, PageError> {
    let markup = db
        .read(|s| {
            let all = q::all_with_seats(s)?;
            let mut rows = Vec::new();
            for h in &all {
                let c = h.read();
                let teacher = c.teacher.get()?.map(|t| t.read().name.clone());
                rows.push((c.id.unwrap_or_default(), c.code.clone(), c.title.clone(), teacher, c.enrollments.len()?, c.capacity));
            }
            let body = html! {
                table id="course-list" {
                    thead { tr { th { "Code" } th { "Course" } th { "Teacher" } th { "Seats taken" } } }
                    tbody {
                        @for (id, code, title, teacher, taken, capacity) in &rows {
                            tr {
                                td { a href={ "/courses/" (id) } { (code) } }
                                td { (title) }
                                td { (teacher.as_deref().unwrap_or("—")) }
                                td { (taken) " / " (capacity) @if taken >= &usize::try_from(*capacity).unwrap_or(0) { " (full)" } }
                            }
                        }
                    }
                }
            };
            Ok(page("Courses", body, s.statement_count()))
        })
        .await?;
    Ok(Html(markup.into_string()))
}

/// Classes attended and recorded for one student in `rows`.
fn attended(rows: &[Attendance], student: Option<i64>) -> (usize, usize) {
    rows.iter()
        .filter(|a| a.student_id == student)
        .fold((0, 0), |(p, n), a| (p + usize::from(a.present), n + 1))
}

/// `GET /courses/{id}`: the roster.
pub(super) async fn show(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let markup = db
        .read(move |s| {
            let (course, attendance) = q::roster(s, id)?;
            let c = course.read();
            let teacher = c.teacher.get()?.map(|t| t.read().name.clone());
            let mut roster = Vec::new();
            for e in c.enrollments.get()? {
                let e = e.read();
                if let Some(st) = e.student.get()? {
                    let st = st.read();
                    roster.push((st.id, st.name.clone(), st.email.clone(), e.mark));
                }
            }
            roster.sort_by(|a, b| a.1.cmp(&b.1));
            let body = html! {
                p { "Code: " (c.code) " · Teacher: " span id="teacher" { (teacher.as_deref().unwrap_or("—")) } }
                p { "Seats taken: " span id="seats" { (roster.len()) " / " (c.capacity) } }
                table id="roster" {
                    thead { tr { th { "Student" } th { "E-mail" } th { "Mark" } th { "Attendance" } } }
                    tbody {
                        @for (sid, name, email, mark) in &roster {
                            @let (p, n) = attended(&attendance, *sid);
                            tr {
                                td { a href={ "/students/" (sid.unwrap_or_default()) } { (name) } }
                                td { (email) }
                                td { @if let Some(m) = mark { (m) } @else { "—" } }
                                td { (p) " / " (n) }
                            }
                        }
                    }
                }
            };
            let title = c.title.clone();
            drop(c);
            Ok(page(&title, body, s.statement_count()))
        })
        .await?;
    Ok(Html(markup.into_string()))
}
