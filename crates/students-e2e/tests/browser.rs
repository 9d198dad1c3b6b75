//! The students app in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `.ci/run`) driven through chromedriver, which the test
//! starts on a free port. The app is served on an ephemeral 127.0.0.1 port on a SQLite file
//! in a temp dir. The test opens `/`, fills the add-student form, submits it, finds the new
//! student in the list, and writes a screenshot to
//! `$CARGO_TARGET_TMPDIR/students-e2e/add-student.png` (target/tmp/...).
//!
//! Without chromium or chromedriver on `PATH` when the tests are built, the test is ignored
//! with that reason (build.rs); under CI (`CI=true`) `ci_has_chromium` then fails.

mod common;

use std::path::PathBuf;

use common::browser::{self, Chromedriver};
use fantoccini::{Client, Locator};

const NAME: &str = "Zara Browserton";
const EMAIL: &str = "zara.browserton@example.edu";

fn screenshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("students-e2e")
        .join("add-student.png")
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of {css}: {e}"))
}

#[test]
#[cfg_attr(
    not(students_e2e_chromium),
    ignore = "chromium or chromedriver is not installed (apt-get install chromium chromium-driver)"
)]
fn add_a_student_through_the_form_and_find_it_in_the_list() {
    let (chromium, driver) = browser::find().expect("chromium and chromedriver on PATH");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:///{}", dir.path().join("students.db").display());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let db = students::setup(&url).await.expect("students database");
        let served = students_e2e::serve(students::app(db.clone()))
            .await
            .expect("serve");
        let driver = Chromedriver::start(&chromium, &driver);
        let c = driver.session().await;

        c.goto(&format!("{}/", served.url())).await.expect("open /");
        c.wait()
            .for_element(Locator::Id("add-student-form"))
            .await
            .expect("the add-student form on /");
        assert!(
            !c.source().await.expect("source").contains(NAME),
            "the new student is not there before the form is sent"
        );
        c.find(Locator::Id("name"))
            .await
            .expect("#name")
            .send_keys(NAME)
            .await
            .expect("type the name");
        c.find(Locator::Id("email"))
            .await
            .expect("#email")
            .send_keys(EMAIL)
            .await
            .expect("type the e-mail");
        c.find(Locator::Id("add-student"))
            .await
            .expect("#add-student")
            .click()
            .await
            .expect("submit");

        // The app answers 303 to the list filtered to the new student, with a notice.
        c.wait()
            .for_element(Locator::Id("added"))
            .await
            .expect("the #added notice after submitting");
        let notice = text_of(&c, "#added").await;
        assert!(notice.contains(NAME), "notice: {notice}");
        let row = c
            .wait()
            .for_element(Locator::XPath(&format!(
                "//table//tr[td[contains(., '{NAME}')] and td[contains(., '{EMAIL}')]]"
            )))
            .await
            .expect("the new student's row in the list");
        let row_text = row.text().await.expect("row text");
        assert!(row_text.contains(NAME), "{row_text}");

        // A fresh visit to the list, searched by surname, finds it too: it was committed,
        // not only shown.
        c.goto(&format!("{}/?q=Browserton", served.url()))
            .await
            .expect("open the search");
        c.wait()
            .for_element(Locator::XPath(&format!(
                "//table//tr[td[contains(., '{NAME}')]]"
            )))
            .await
            .expect("the new student in the searched list");

        let png = c.screenshot().await.expect("screenshot");
        let path = screenshot_path();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("output dir");
        std::fs::write(&path, &png).expect("write the screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        println!("screenshot: {}", path.display());
        c.close().await.expect("close the browser session");
    });
}

/// Under CI (`CI=true` or `CI=1`) the browser test must run: fails when chromium or
/// chromedriver was missing when the tests were built.
#[test]
fn ci_has_chromium() {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    assert!(
        !ci || cfg!(students_e2e_chromium),
        "CI is set, so the browser test must run, but chromium or chromedriver was not on \
         PATH when the tests were built (.ci/run installs them)"
    );
}
