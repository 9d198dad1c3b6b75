//! The student pages: the list with search, pagination and the add-student form (`/`,
//! `POST /students`), and a student's page with the enrol form (`/students/{id}`,
//! `POST /students/{id}/enrol`).
//!
//! Stable ids for browser tests: the add form is `#add-student-form` with inputs `#name`
//! and `#email` and the button `#add-student`; field errors are `#name-error` and
//! `#email-error`; the list is `#students`; the enrol form is `#enrol-form` with `#course_id`
//! and `#enrol`, its refusal `#enrol-error`.

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use cinnabar::prelude::*;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{page, PageError};
use super::url_encode;
use crate::api::enrollments::{enrol as run_enrol, Outcome};
use crate::models::{Course, Student};
use crate::queries::enrollments::NewEnrollment;
use crate::queries::students::{self as q, NewStudent, StudentFilter};
use crate::queries::{courses, PageParams};
use cinnabar::asyncio::AsyncEngine;
use cinnabar::Page;

/// `?q=&page=&per_page=&added=` of the list page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListParams {
    q: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
    added: Option<i64>,
}

/// What the add form holds and the errors to show beside its fields.
#[derive(Default)]
struct AddForm {
    name: String,
    email: String,
    errors: Vec<(String, String)>,
}

impl AddForm {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn list_body(
    params: &ListParams,
    found: &Page<Handle<Student>>,
    added: Option<&Student>,
    form: &AddForm,
) -> cinnabar::Result<Markup> {
    let q = params.q.clone().unwrap_or_default();
    let link = |page: u64| {
        format!(
            "/?q={}&page={page}&per_page={}",
            url_encode(&q),
            found.per_page
        )
    };
    let mut rows = Vec::new();
    for h in &found.items {
        let s = h.read();
        rows.push((
            s.id.unwrap_or_default(),
            s.name.clone(),
            s.email.clone(),
            s.enrollments.len()?,
        ));
    }
    Ok(html! {
        @if let Some(s) = added {
            p class="notice" id="added" { "Added " (s.name) "." }
        }
        form method="get" action="/" id="search" {
            input type="search" name="q" id="q" value=(q) placeholder="Name or e-mail";
            button type="submit" id="search-button" { "Search" }
        }
        p id="total" { (found.total) " students" @if !q.is_empty() { " matching “" (q) "”" } }
        table id="students" {
            thead { tr { th { "Name" } th { "E-mail" } th { "Courses" } } }
            tbody {
                @for (id, name, email, courses) in &rows {
                    tr { td { a href={ "/students/" (id) } { (name) } } td { (email) } td { (courses) } }
                }
            }
        }
        p class="pager" {
            @if found.has_prev { a id="prev" href=(link(found.page - 1)) { "← Previous" } " " }
            "Page " (found.page) " of " (found.pages.max(1))
            @if found.has_next { " " a id="next" href=(link(found.page + 1)) { "Next →" } }
        }
        h2 { "Add a student" }
        form method="post" action="/students" id="add-student-form" {
            label for="name" { "Name" }
            input type="text" name="name" id="name" value=(form.name) required;
            @if let Some(m) = form.error("name") { span class="error" id="name-error" { (m) } }
            label for="email" { "E-mail" }
            input type="email" name="email" id="email" value=(form.email) required;
            @if let Some(m) = form.error("email") { span class="error" id="email-error" { (m) } }
            button type="submit" id="add-student" { "Add student" }
        }
    })
}

/// Renders the list page (one unit of work; the form as given).
async fn render_list(
    db: &AsyncEngine,
    params: ListParams,
    form: AddForm,
) -> Result<Markup, PageError> {
    Ok(db
        .read(move |s| {
            let filter = StudentFilter {
                q: params.q.clone(),
                course_id: None,
            };
            let paging = PageParams {
                page: params.page,
                per_page: params.per_page,
            };
            let found = q::query(s, &filter)
                .options(selectin(Student::enrollments))
                .paginate(paging.page(), paging.per_page())?;
            let added = match params.added {
                Some(id) => s.get::<Student>(id)?.map(|h| h.get()),
                None => None,
            };
            let body = list_body(&params, &found, added.as_ref(), &form)?;
            Ok(page("Students", body, s.statement_count()))
        })
        .await?)
}

/// `GET /`: the student list.
pub(super) async fn index(
    State(db): State<AsyncEngine>,
    Query(params): Query<ListParams>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_list(&db, params, AddForm::default())
            .await?
            .into_string(),
    ))
}

/// `POST /students` (the add form): 303 to the list showing the new student, or the list
/// again with the errors beside the fields and 422 (409 for an e-mail already taken).
pub(super) async fn add(
    State(db): State<AsyncEngine>,
    Form(input): Form<NewStudent>,
) -> Result<Response, PageError> {
    let form_input = input.clone();
    match db.run(move |s| Ok(q::create(s, input)?.get())).await {
        Ok(student) => {
            let to = format!(
                "/?q={}&added={}",
                url_encode(&student.name),
                student.id.unwrap_or_default()
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) if matches!(e.kind(), ErrorKind::Validation | ErrorKind::UniqueViolation) => {
            let status = if e.kind() == ErrorKind::Validation {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            let errors = match e.validation_errors() {
                Some(v) => v
                    .errors()
                    .iter()
                    .map(|f| (f.field.clone(), f.message.clone()))
                    .collect(),
                None => vec![("email".to_owned(), "is already taken".to_owned())],
            };
            let form = AddForm {
                name: form_input.name,
                email: form_input.email,
                errors,
            };
            let markup = render_list(&db, ListParams::default(), form).await?;
            Ok((status, Html(markup.into_string())).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `?enrolled=` of the student page (the course just enrolled in).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ShowParams {
    enrolled: Option<String>,
}

fn percent(attended: (usize, usize)) -> String {
    match attended {
        (_, 0) => "—".to_owned(),
        (p, n) => format!("{}% ({p}/{n})", (p * 100 + n / 2) / n),
    }
}

/// Renders a student's page; `message` is a notice (`Ok`) or the enrol form's error.
async fn render_student(
    db: &AsyncEngine,
    id: i64,
    message: Option<Result<String, String>>,
) -> Result<Markup, PageError> {
    Ok(db
        .read(move |s| {
            let student = q::get_detailed(s, id)?;
            let all = courses::all_with_seats(s)?;
            let st = student.read();
            let (lines, total) = q::course_lines(&st)?;
            let mut options = Vec::new();
            for c in &all {
                let c = c.read();
                options.push((c.id.unwrap_or_default(), c.code.clone(), c.title.clone(), c.enrollments.len()?, c.capacity));
            }
            let body = html! {
                p { "E-mail: " span id="email-value" { (st.email) } }
                p { "Attendance: " strong id="attendance-rate" { (percent(total)) } }
                @match &message {
                    Some(Ok(m)) => p class="notice" id="enrolled" { (m) },
                    Some(Err(m)) => p class="error" id="enrol-error" { (m) },
                    None => {},
                }
                h2 { "Courses" }
                table id="courses" {
                    thead { tr { th { "Code" } th { "Course" } th { "Teacher" } th { "Mark" } th { "Attendance" } } }
                    tbody {
                        @for l in &lines {
                            tr {
                                td { a href={ "/courses/" (l.course.id.unwrap_or_default()) } { (l.course.code) } }
                                td { (l.course.title) }
                                td { (teacher_name(&all, l.course.id)) }
                                td class="mark" { @if let Some(m) = l.mark { (m) } @else { "—" } }
                                td { (percent(l.attended)) }
                            }
                        }
                    }
                }
                h2 { "Enrol in a course" }
                form method="post" action={ "/students/" (id) "/enrol" } id="enrol-form" {
                    select name="course_id" id="course_id" {
                        @for (cid, code, title, taken, cap) in &options {
                            option value=(cid) { (code) " — " (title) " (" (taken) "/" (cap) ")" }
                        }
                    }
                    button type="submit" id="enrol" { "Enrol" }
                }
            };
            let title = st.name.clone();
            drop(st);
            Ok(page(&title, body, s.statement_count()))
        })
        .await?)
}

fn teacher_name(all: &[Handle<Course>], course: Option<i64>) -> String {
    all.iter()
        .find(|c| c.read().id == course)
        .and_then(|c| {
            let c = c.read();
            c.teacher
                .get()
                .ok()
                .flatten()
                .map(|t| t.read().name.clone())
        })
        .unwrap_or_else(|| "—".to_owned())
}

/// `GET /students/{id}`
pub(super) async fn show(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Query(params): Query<ShowParams>,
) -> Result<Html<String>, PageError> {
    let notice = params.enrolled.map(|c| Ok(format!("Enrolled in {c}.")));
    Ok(Html(render_student(&db, id, notice).await?.into_string()))
}

/// The enrol form.
#[derive(Debug, Deserialize)]
pub(super) struct EnrolForm {
    course_id: i64,
}

/// `POST /students/{id}/enrol`: 303 back to the student's page, or the page with the
/// refusal and 409 when the course is full or the student is enrolled already.
pub(super) async fn enrol(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Form(form): Form<EnrolForm>,
) -> Result<Response, PageError> {
    let input = NewEnrollment {
        student_id: id,
        course_id: form.course_id,
        mark: None,
    };
    let refusal = match run_enrol(&db, input).await? {
        Outcome::Done(e) => {
            let code = db
                .read(move |s| {
                    Ok(
                        crate::queries::courses::get(s, e.course_id.unwrap_or_default())?
                            .read()
                            .code
                            .clone(),
                    )
                })
                .await?;
            return Ok(
                Redirect::to(&format!("/students/{id}?enrolled={}", url_encode(&code)))
                    .into_response(),
            );
        }
        Outcome::Full { code, capacity } => {
            format!("Course {code} is full: all {capacity} seats are taken.")
        }
        Outcome::Already => "Already enrolled in that course.".to_owned(),
    };
    let markup = render_student(&db, id, Some(Err(refusal))).await?;
    Ok((StatusCode::CONFLICT, Html(markup.into_string())).into_response())
}
