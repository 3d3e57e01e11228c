//! The accounts area's template structs.

use askama::Template;

use crate::platform::layout::{FormErrors, Page};

#[derive(Template)]
#[template(path = "accounts/login.html")]
pub struct LoginTemplate {
    pub page: Page,
    pub username: String,
    pub next: String,
    pub errors: FormErrors,
    pub demo: bool,
    pub oidc: bool,
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
pub struct PasswordTemplate {
    pub page: Page,
    pub errors: FormErrors,
    pub changed: bool,
    pub min_len: usize,
}
