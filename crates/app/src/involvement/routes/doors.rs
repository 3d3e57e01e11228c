//! Taking part without an account: a personal link, the public link, or a workshop code
//! (with its QR code for the wall).

use super::*;

/// How someone without an account came to a process: a personal link, the public link,
/// or a workshop code (held in the pass cookie).
pub(super) enum Door {
    Link(String),
    Public(String),
    Workshop,
}

/// The cookie that tells one browser from another on the public link and in a workshop
/// (a random key; the process keeps only a UUID made from its SHA-256).
pub(super) const BROWSER_COOKIE: &str = "samskab_deltager";
/// A browser's key lives for a year: a participant comes back to vote on new statements.
pub(super) const BROWSER_COOKIE_SECONDS: i64 = 365 * 24 * 3600;
/// Writes a public visitor may make per minute from one address.
pub(super) const PUBLIC_WRITES_PER_MINUTE: i64 = 30;
/// Writes per minute from one address with one workshop code: a room shares an address.
pub(super) const WORKSHOP_WRITES_PER_MINUTE: i64 = 600;

/// This browser's participant id, and the cookie to set when it is new.
pub(super) fn browser(state: &AppState, headers: &HeaderMap) -> (Uuid, Option<header::HeaderValue>) {
    use sha2::{Digest, Sha256};
    let (key, new) =
        match crate::platform::web::cookie(headers, BROWSER_COOKIE).filter(|k| (32..=100).contains(&k.len())) {
            Some(k) => (k, false),
            None => (crate::platform::accounts::random_token(), true),
        };
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let cookie =
        new.then(|| crate::platform::web::set_cookie(state, BROWSER_COOKIE, &key, Some(BROWSER_COOKIE_SECONDS)));
    (Uuid::from_bytes(bytes), cookie)
}

/// What a door opens: the process, the taker, where its forms post, the actor counted by
/// the rate limit, the cookie to set.
pub(super) struct Opened {
    process: Process,
    taker: Taker,
    base: String,
    actor: Actor,
    limit: i64,
    cookie: Option<header::HeaderValue>,
}

pub(super) async fn open_door(state: &AppState, headers: &HeaderMap, door: &Door) -> Result<Opened> {
    match door {
        Door::Link(token) => {
            let (pass, process, taker) = by_link(state, token).await?;
            Ok(Opened {
                process,
                taker,
                base: format!("/deltag/{token}"),
                actor: Actor::Participant(pass),
                limit: crate::involvement::api::LINK_WRITES_PER_MINUTE,
                cookie: None,
            })
        }
        Door::Public(id) => {
            let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
            let process = crate::involvement::cache::process(&state.db, state.municipality, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if process.scope != Scope::Public || process.archived_at.is_some() {
                return Err(AppError::NotFound);
            }
            let (browser, cookie) = browser(state, headers);
            Ok(Opened {
                base: format!("/p/{}", process.id),
                process,
                taker: Taker::Browser { browser, channel: crate::involvement::model::Channel::Public },
                actor: Actor::Visitor,
                limit: PUBLIC_WRITES_PER_MINUTE,
                cookie,
            })
        }
        Door::Workshop => {
            let secret = crate::platform::web::cookie(headers, participants::PASS_COOKIE).unwrap_or_default();
            let pass = if secret.is_empty() || secret.len() > 100 {
                None
            } else {
                crate::involvement::cache::pass(&state.db, state.municipality, &secret).await?
            };
            let pass = pass
                .filter(|p| p.kind == participants::PassKind::Code && p.object.kind == crate::involvement::OBJECT_KIND)
                .ok_or(AppError::NotFound)?;
            let process = crate::involvement::cache::process(&state.db, state.municipality, pass.object.id)
                .await?
                .ok_or(AppError::NotFound)?;
            let (browser, cookie) = browser(state, headers);
            Ok(Opened {
                process,
                taker: Taker::Browser { browser, channel: crate::involvement::model::Channel::Workshop },
                base: "/workshop".to_string(),
                actor: Actor::Participant(pass),
                limit: WORKSHOP_WRITES_PER_MINUTE,
                cookie,
            })
        }
    }
}

/// Sets the browser cookie on a response when the door made one.
pub(super) fn with_cookie(mut r: Response, cookie: Option<header::HeaderValue>) -> Response {
    if let Some(c) = cookie {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    // Personal links and participation pages are for one person: keep them out of caches.
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

pub(super) async fn door_view(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    door: &Door,
    fields: (String, String, String),
    errors: FormErrors,
    saved: Option<&str>,
) -> Result<Response> {
    let opened = open_door(state, headers, door).await?;
    let tr = ctx.tr();
    let bad = !errors.is_empty();
    let mut taking =
        taking(state, &tr, &opened.process, &opened.taker, opened.base.clone(), false, fields, saved).await?;
    taking.public = matches!(door, Door::Public(_));
    let note = match door {
        Door::Link(_) => "process-link-anonymous",
        Door::Public(_) => "process-public-note",
        Door::Workshop => "process-workshop-note",
    };
    let mut r = render(&ParticipateTemplate {
        page: ctx.page(state, opened.process.title.clone(), ""),
        timeline: timeline(&tr, &opened.process),
        process: opened.process,
        taking,
        errors,
        note: tr.t(note),
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(with_cookie(r, opened.cookie))
}

#[derive(Deserialize, Default)]
pub(super) struct DoorInputForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    core_task: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    /// Hidden from people; a form that fills it in is a robot's.
    #[serde(default)]
    website: String,
}

/// A plausible e-mail address: one @ with text either side and a dot in the domain.
pub(super) fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && s.chars().count() <= 200
        && !domain.contains('@')
}

pub(super) async fn door_input(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    door: Door,
    form: DoorInputForm,
) -> Result<Response> {
    let opened = open_door(state, headers, &door).await?;
    let tr = ctx.tr();
    let window = chrono::Duration::minutes(1);
    // A write counts against the quota in its own transaction; a refused one (a robot's,
    // or one with errors) is counted on its own, so neither can be repeated for free.
    let count_refused =
        async || participants::limit(state, ctx, &opened.actor, "process.write", opened.limit, window).await;
    if let Some(why) = refusal(&opened.process, Doing::Input, true) {
        count_refused().await?;
        return Err(AppError::Conflict(tr.t(why)));
    }
    let back = format!("{}?gemt=input#input", opened.base);
    if !form.website.is_empty() {
        count_refused().await?;
        // A robot filled in the hidden field: it is told all went well, and nothing is kept.
        return Ok(with_cookie(Redirect::to(&back).into_response(), opened.cookie));
    }
    let (text, core_task, mut errors) =
        input_from_form(state, &tr, &InputForm { text: form.text.clone(), core_task: form.core_task.clone() }).await;
    let public = matches!(door, Door::Public(_));
    let name = Some(form.name.trim().chars().take(200).collect::<String>()).filter(|n| public && !n.is_empty());
    let email = Some(form.email.trim().to_string()).filter(|e| public && !e.is_empty());
    if let Some(e) = &email
        && !plausible_email(e)
    {
        errors.push("email", tr.t("process-error-email"));
    }
    if !errors.is_empty() {
        count_refused().await?;
        let fields = (form.text.clone(), form.core_task.clone(), String::new());
        return door_view(state, ctx, headers, &door, fields, errors, None).await;
    }
    let draft = store::InputDraft { text, core_task, category: None, contact_name: name, contact_email: email };
    let quota = opened.actor.quota(ctx, "process.write", opened.limit, window);
    let entry = ctx.audit("process.input_added");
    store::add_input(&state.db, state.municipality, &opened.process, &opened.taker, &draft, quota.as_ref(), entry)
        .await?
        .map_err(|_| crate::involvement::api::over_quota(ctx))?;
    // A public participant has nothing else to come back with: a receipt link to their
    // own inputs shows them later what became of them.
    if public && let Some(secret) = store::issue_receipt(&state.db, opened.process.id, &opened.taker).await? {
        return Ok(with_cookie(Redirect::to(&format!("/kvittering/{secret}")).into_response(), opened.cookie));
    }
    Ok(with_cookie(Redirect::to(&back).into_response(), opened.cookie))
}

pub(super) async fn door_vote(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    door: Door,
    form: VoteForm,
) -> Result<Response> {
    let opened = open_door(state, headers, &door).await?;
    let tr = ctx.tr();
    let window = chrono::Duration::minutes(1);
    let checked = match refusal(&opened.process, Doing::Vote, true) {
        Some(why) => Err(AppError::Conflict(tr.t(why))),
        None => vote_from_form(state, &tr, &opened.process, &form).await,
    };
    let cast = match checked {
        Ok(cast) => cast,
        Err(e) => {
            participants::limit(state, ctx, &opened.actor, "process.write", opened.limit, window).await?;
            return Err(e);
        }
    };
    let quota = opened.actor.quota(ctx, "process.write", opened.limit, window);
    store::vote(
        &state.db,
        state.municipality,
        &opened.process,
        &opened.taker,
        cast,
        quota.as_ref(),
        ctx.audit("process.voted"),
    )
    .await?
    .map_err(|_| crate::involvement::api::over_quota(ctx))?;
    let back = format!("{}?gemt=stemme#stem", opened.base);
    Ok(with_cookie(Redirect::to(&back).into_response(), opened.cookie))
}

pub(super) async fn link_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    door_view(&state, &ctx, &headers, &Door::Link(token), Default::default(), FormErrors::default(), q.gemt.as_deref())
        .await
}

pub(super) async fn link_input(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<DoorInputForm>,
) -> Result<Response> {
    door_input(&state, &ctx, &headers, Door::Link(token), form).await
}

pub(super) async fn link_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response> {
    door_vote(&state, &ctx, &headers, Door::Link(token), form).await
}

pub(super) async fn public_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    door_view(&state, &ctx, &headers, &Door::Public(id), Default::default(), FormErrors::default(), q.gemt.as_deref())
        .await
}

pub(super) async fn public_input(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DoorInputForm>,
) -> Result<Response> {
    door_input(&state, &ctx, &headers, Door::Public(id), form).await
}

pub(super) async fn public_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response> {
    door_vote(&state, &ctx, &headers, Door::Public(id), form).await
}

pub(super) async fn workshop_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    match door_view(
        &state,
        &ctx,
        &headers,
        &Door::Workshop,
        Default::default(),
        FormErrors::default(),
        q.gemt.as_deref(),
    )
    .await
    {
        // Without a valid code the participant is asked for one.
        Err(AppError::NotFound) => Ok(Redirect::to("/kode").into_response()),
        other => other,
    }
}

pub(super) async fn workshop_input(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<DoorInputForm>,
) -> Result<Response> {
    door_input(&state, &ctx, &headers, Door::Workshop, form).await
}

pub(super) async fn workshop_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response> {
    door_vote(&state, &ctx, &headers, Door::Workshop, form).await
}

/// How long a workshop code works: the rest of a workshop day.
pub(super) const CODE_HOURS: i64 = 12;

/// The address a workshop code's QR code opens.
pub(super) fn code_url(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    format!("{}/kode?c={code}", crate::platform::web::site_url(state, headers))
}

pub(super) async fn make_code(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let expires = chrono::Utc::now() + chrono::Duration::hours(CODE_HOURS);
    let code =
        participants::issue_code(&state.db, state.municipality, crate::involvement::object(process.id), Some(expires))
            .await?;
    let entry = permit.ctx.audit("process.code_issued").subject(store::AUDIT_KIND, process.id, &process.title);
    crate::platform::audit::record(&state.db, Some(state.municipality), &entry).await?;
    let url = code_url(&state, &headers, &code);
    let qr = crate::platform::qr::svg(&url, 320, &tr.t1("process-code-qr", "code", &code))?;
    Ok(render(&CodeTemplate {
        page: permit.ctx.page(&state, tr.t1("process-code-title", "title", &process.title), "processes"),
        spaced: format!("{} {}", &code[..3], &code[3..]),
        url,
        qr,
        expires: tr.datetime(&expires),
        code,
        process,
    }))
}

pub(super) async fn code_png(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: HeaderMap,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let code = participants::normalise_code(code.trim_end_matches(".png"));
    let pass = participants::store::pass(&state.db, state.municipality, &code).await?;
    if !pass
        .is_some_and(|p| p.kind == participants::PassKind::Code && p.object == crate::involvement::object(process.id))
    {
        return Err(AppError::NotFound);
    }
    let png = crate::platform::qr::png(&code_url(&state, &headers, &code), 12)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// The involvement module's door at `/kode`: a workshop code gives this browser the pass
/// cookie for the rest of the workshop day and leads to the workshop.
pub fn code_door(state: AppState, _ctx: Ctx, code: String) -> BoxFuture<'static, Result<Option<Response>>> {
    Box::pin(async move {
        let pass = participants::store::pass(&state.db, state.municipality, &code).await?;
        if !pass
            .is_some_and(|p| p.kind == participants::PassKind::Code && p.object.kind == crate::involvement::OBJECT_KIND)
        {
            return Ok(None);
        }
        let mut r = Redirect::to("/workshop").into_response();
        let cookie =
            crate::platform::web::set_cookie(&state, participants::PASS_COOKIE, &code, Some(CODE_HOURS * 3600));
        r.headers_mut().append(header::SET_COOKIE, cookie);
        Ok(Some(r))
    })
}
