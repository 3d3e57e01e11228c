//! Shared infrastructure every module uses.

pub mod account_routes;
pub mod assets;
pub mod audit;
pub mod audit_routes;
pub mod auth;
pub mod db;
pub mod exports;
pub mod i18n;
pub mod layout;
pub mod oidc;
pub mod permissions;
pub mod routes;
pub mod tenant;
pub mod web;
