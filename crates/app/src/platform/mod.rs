//! The ground floor every module stands on. It imports no module: what it needs from the
//! organisation (which units a leader leads) comes through [`module::Directory`], and what
//! modules add (routes, navigation, translations) through the list in `lib.rs`.
//!
//! Infrastructure: [`db`], [`web`] (request context, errors, CSRF), [`layout`], [`i18n`],
//! [`permissions`], [`exports`], [`assets`], [`module`], [`api`]. Areas with the module shape:
//! [`accounts`] (accounts, sessions, OIDC), [`participants`] (link and code passes, rate limits), [`mail`] (the outbox and its SMTP sender), [`audit`], [`jobs`], [`tokens`] (API tokens, the OpenAPI document), [`site`] (the municipality, the
//! front page, menu, language, accessibility statement).

pub mod accounts;
pub mod anonymity;
pub mod api;
pub mod assets;
pub mod audit;
pub mod db;
pub mod exports;
pub mod files;
pub mod formats;
pub mod group_commit;
pub mod i18n;
pub mod jobs;
pub mod layout;
pub mod mail;
pub mod module;
pub mod participants;
pub mod permissions;
pub mod qr;
pub mod search;
pub mod site;
pub mod tokens;
pub mod web;
