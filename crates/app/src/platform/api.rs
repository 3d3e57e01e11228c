//! What every JSON API endpoint shares: errors as `application/problem+json` (RFC 9457),
//! the JSON body extractor, paging with `limit`/`offset`, and the OpenAPI document built
//! from the modules' annotated handlers.
//!
//! The API lives under `/api/v1/` and is reached with a bearer token
//! (`samskab token add`); session cookies count for nothing there, so no CSRF token is
//! needed. Handlers take the same [`crate::platform::web::Permit`] as the pages.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::platform::i18n::Tr;
use crate::platform::web::{AppError, Ctx};

/// Where the API lives.
pub const PREFIX: &str = "/api/";

/// The most items one list answers with.
pub const MAX_LIMIT: i64 = 1000;
/// Items per answer when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 100;

pub fn is_api(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// An RFC 9457 problem document.
#[derive(Serialize, Deserialize, utoipa::ToSchema, Debug)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What was wrong, in the user's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A form's errors as one 400 problem, each named by its field.
pub fn invalid(errors: crate::platform::layout::FormErrors) -> AppError {
    AppError::BadRequest(
        errors.all().iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join(" "),
    )
}

/// The problem+json answer for a status and an optional message.
pub fn problem(tr: &Tr, status: StatusCode, detail: Option<String>) -> Response {
    let key = match status.as_u16() {
        400 => "error-400-heading",
        401 => "api-error-401",
        403 => "error-403-heading",
        404 => "error-404-heading",
        409 => "error-409-heading",
        429 => "error-429-heading",
        _ => "error-500-heading",
    };
    let body = Problem { kind: "about:blank".into(), title: tr.t(key), status: status.as_u16(), detail };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let mut r = (status, [(header::CONTENT_TYPE, "application/problem+json")], json).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    r
}

/// A JSON request body; one that cannot be read is a 400 problem naming what was wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let tr = req.extensions().get::<Ctx>().map(Ctx::tr).unwrap_or_default();
        let json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(AppError::BadRequest(tr.t("api-error-json-type")));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::BadRequest(tr.t("api-error-json")))?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| AppError::BadRequest(tr.t1("api-error-json-detail", "detail", e.to_string())))
    }
}

/// `?limit=&offset=` of a list, as received.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// How many items (1–1000, default 100).
    pub limit: Option<String>,
    /// How many to skip (default 0).
    pub offset: Option<String>,
}

impl Paging {
    /// (limit, offset), or a 400 naming the bad value.
    pub fn parse(&self, tr: &Tr) -> Result<(i64, i64), AppError> {
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_LIMIT,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(AppError::BadRequest(tr.t1("api-error-limit", "max", MAX_LIMIT))),
            },
        };
        let offset = match self.offset.as_deref().map(str::trim) {
            None | Some("") => 0,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (0..=i64::from(i32::MAX)).contains(&n) => n,
                _ => return Err(AppError::BadRequest(tr.t("api-error-offset"))),
            },
        };
        Ok((limit, offset))
    }
}

/// A JSON response.
pub fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => AppError::Internal(format!("json: {e}")).into_response(),
    }
}

/// A 201 Created with a JSON body (what a POST that makes something answers).
pub fn created<T: Serialize>(body: &T) -> Response {
    let mut r = json(body);
    *r.status_mut() = StatusCode::CREATED;
    r
}

/// The OpenAPI document: every module's part, merged, with the bearer scheme.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
    use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApiBuilder};
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Samskab API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The JSON API of Samskab. Authenticate with a bearer token from `samskab token add`. \
                     Errors are application/problem+json (RFC 9457). Lists take `limit` (1–1000) and \
                     `offset` and say the `total`.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(
                    "bearer",
                    SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
                )
                .schema_from::<Problem>()
                .build(),
        ))
        .security(Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]))
        .build();
    for module in crate::MODULES {
        if let Some(part) = module.openapi {
            doc.merge(part());
        }
    }
    doc
}
