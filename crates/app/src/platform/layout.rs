//! The page chrome shared by every page (DKFDS header, navigation, footer) and the error
//! pages. Modules add their entries to the navigation in [`navigation`].

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::platform::i18n::{Lang, Tr};
use crate::platform::permissions::can;
use crate::platform::web::Ctx;

/// Vendored asset folders (see scripts/vendor-assets.sh); the version in the path busts
/// caches on upgrade.
pub const DKFDS: &str = "/static/vendor/dkfds-11.2.0";
pub const HTMX: &str = "/static/vendor/htmx-2.0.11";

/// One field's error, shown next to the field and in the error summary.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// The errors of a submitted form, in field order.
#[derive(Default)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn one(field: &'static str, message: String) -> FormErrors {
        FormErrors(vec![FieldError { field, message }])
    }

    pub fn push(&mut self, field: &'static str, message: String) {
        self.0.push(FieldError { field, message });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds another check's errors after these.
    pub fn extend(&mut self, more: FormErrors) {
        self.0.extend(more.0);
    }

    /// The first error for `field`, for the message beside it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn all(&self) -> &[FieldError] {
        &self.0
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub section: &'static str,
}

/// One step of a breadcrumb trail (see templates/breadcrumbs.html).
pub struct Crumb {
    pub href: String,
    pub label: String,
}

pub struct UserChrome {
    pub name: String,
    pub roles: String,
}

/// What the base template needs on every page.
pub struct Page {
    pub tr: Tr,
    pub lang: &'static str,
    pub title: String,
    pub section: &'static str,
    pub municipality: String,
    pub user: Option<UserChrome>,
    pub csrf: String,
    pub path: String,
    /// `path` percent-encoded, for a `next=` parameter.
    pub path_encoded: String,
    pub nav: Vec<NavItem>,
    pub other_lang: &'static str,
    pub other_lang_label: &'static str,
    pub dkfds: &'static str,
    pub htmx: &'static str,
}

/// The navigation a user sees: only what they may open, in the order of the module list.
fn navigation(ctx: &Ctx, tr: &Tr) -> Vec<NavItem> {
    let mut nav = vec![NavItem { href: "/", label: tr.t("nav-home"), section: "home" }];
    let Some(user) = &ctx.user else { return nav };
    for entry in crate::MODULES.iter().flat_map(|m| m.nav) {
        if can(&user.grants, entry.action.anywhere()) {
            nav.push(NavItem { href: entry.href, label: tr.t(entry.label), section: entry.section });
        }
    }
    nav
}

pub fn page(ctx: &Ctx, state: &AppState, title: String, section: &'static str) -> Page {
    let tr = ctx.tr();
    let user = ctx.user.as_ref().map(|u| UserChrome {
        name: u.account.display_name.clone(),
        roles: u.roles.iter().map(|r| tr.t(&format!("role-{}", r.key()))).collect::<Vec<_>>().join(", "),
    });
    let (other_lang, other_lang_label) = match ctx.lang {
        Lang::Da => ("en", "English"),
        Lang::En => ("da", "Dansk"),
    };
    Page {
        nav: navigation(ctx, &tr),
        tr,
        lang: ctx.lang.code(),
        title,
        section,
        municipality: state.municipality_name.clone(),
        user,
        csrf: ctx.csrf.clone(),
        path: ctx.path.clone(),
        path_encoded: crate::platform::web::url_encode(&ctx.path),
        other_lang,
        other_lang_label,
        dkfds: DKFDS,
        htmx: HTMX,
    }
}

/// Renders a template into a response; a template error becomes a 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "500").into_response()
        }
    }
}

/// Renders a form page: 400 Bad Request when it shows errors, so clients and tests see that
/// nothing was saved.
pub fn render_form(t: &impl Template, has_errors: bool) -> Response {
    let mut r = render(t);
    if has_errors && r.status() == StatusCode::OK {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    page: Page,
    status: u16,
    heading: String,
    text: String,
    signed_in: bool,
}

/// The 400/403/404/500 page in the user's language.
pub fn error_page(ctx: &Ctx, state: &AppState, status: StatusCode, message: Option<String>) -> Response {
    let tr = ctx.tr();
    let code = status.as_u16();
    let key = match code {
        400 => "error-400",
        403 => "error-403",
        404 => "error-404",
        409 => "error-409",
        429 => "error-429",
        _ => "error-500",
    };
    let heading = tr.t(&format!("{key}-heading"));
    let text = message.unwrap_or_else(|| tr.t(&format!("{key}-text")));
    let t = ErrorTemplate {
        page: page(ctx, state, heading.clone(), ""),
        status: code,
        heading,
        text,
        signed_in: ctx.user.is_some(),
    };
    let mut r = render(&t);
    *r.status_mut() = status;
    r
}
