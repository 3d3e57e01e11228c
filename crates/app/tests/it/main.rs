//! Samskab's integration tests, linked into one binary. Every database test runs on SQLite,
//! and on PostgreSQL with `--features postgres-tests` (see README).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
#[allow(unused_imports)]
pub(crate) use testkit::db_test;

mod accounts;
mod api;
mod audit;
mod decisions;
mod feedback;
mod group_commit;
mod involvement;
mod jobs;
mod organisation;
mod pages;
mod participants;
mod programme_attendance;
mod programme_groups;
mod programme_mail;
mod programme_materials;
mod programme_projects;
mod programme_roles;
mod programmes;
mod route_guards;
mod rules;
mod schema;
mod search;
mod security;
mod site;
mod stories;
