//! The tokens area's template structs.

use askama::Template;

use super::model::ApiToken;
use crate::platform::layout::Page;

/// The administrator's list of API tokens.
#[derive(Template)]
#[template(path = "tokens/list.html")]
pub struct TokenListTemplate {
    pub page: Page,
    pub tokens: Vec<ApiToken>,
    pub revoked: bool,
}
