//! The jobs area's template structs.

use askama::Template;

use super::model::Job;
use crate::platform::layout::Page;

/// The administrator's list of jobs.
#[derive(Template)]
#[template(path = "jobs/list.html")]
pub struct JobListTemplate {
    pub page: Page,
    pub jobs: Vec<Job>,
    pub total: i64,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
}

/// One job's page: its state, and while it runs a progress bar that follows it (htmx, or
/// a reload without JavaScript).
#[derive(Template)]
#[template(path = "jobs/job.html")]
pub struct JobTemplate {
    pub page: Page,
    pub job: Job,
}

/// The progress part of a job's page, which htmx fetches again while the job runs.
#[derive(Template)]
#[template(path = "jobs/progress.html")]
pub struct ProgressTemplate {
    pub tr: crate::platform::i18n::Tr,
    pub job: Job,
}
