//! The site's template structs.

use askama::Template;

use crate::platform::layout::{FormErrors, Page};

#[derive(Template)]
#[template(path = "site/home.html")]
pub struct HomeTemplate {
    pub page: Page,
    /// Each module's part of the front page, rendered by the module.
    pub panels: Vec<String>,
}

#[derive(Template)]
#[template(path = "site/menu.html")]
pub struct MenuTemplate {
    pub page: Page,
    pub back: String,
}

#[derive(Template)]
#[template(path = "site/accessibility.html")]
pub struct AccessibilityTemplate {
    pub page: Page,
}

#[derive(Template)]
#[template(path = "site/about.html")]
pub struct AboutTemplate {
    pub page: Page,
    pub version: &'static str,
}

/// Where a code is typed (`/kode`).
#[derive(Template)]
#[template(path = "site/enter_code.html")]
pub struct EnterCodeTemplate {
    pub page: Page,
    pub code: String,
    pub errors: FormErrors,
}
