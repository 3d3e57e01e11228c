//! Login through the municipality's identity provider with OpenID Connect (authorization
//! code flow with PKCE and a nonce). The provider's metadata is discovered on first use;
//! pending logins (state, PKCE verifier, nonce) live in the database, so any instance can
//! receive the callback. Roles come from a configurable claim and are applied on every
//! login; a user without a role claim is an employee.

use std::sync::Arc;

use base64::Engine;
use chrono::{Duration, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope,
};
use serde_json::Value;
use tokio::sync::RwLock;

use crate::platform::accounts::hash_token;
use crate::platform::db::Db;
use crate::platform::permissions::Role;

/// How long a started login may take to come back.
pub const LOGIN_MINUTES: i64 = 10;
/// Pending logins at most; past it new starts are refused until some expire, so anonymous
/// starts cannot fill the table.
pub const MAX_PENDING: i64 = 10_000;
/// The cookie that binds a pending login to the browser that started it.
pub const BROWSER_COOKIE: &str = "samskab_oidc";

/// What an operator configures.
#[derive(Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// This installation's callback, e.g. https://samskab.kommune.dk/log-ind/oidc/tilbage
    pub redirect_url: String,
    /// The claim that carries role names (a string or a list), e.g. "roles" or "groups".
    pub role_claim: String,
    /// Claim value → role, matched exactly (the whole value, case and all). Empty: the
    /// default table [`DEFAULT_ROLE_MAP`].
    pub role_map: Vec<(String, Role)>,
}

/// The role names understood when no mapping is configured: each must be the whole claim
/// value, exactly as written here.
pub const DEFAULT_ROLE_MAP: [(&str, Role); 10] = [
    ("administrator", Role::Administrator),
    ("hr og udvikling", Role::Administrator),
    ("executive", Role::Executive),
    ("direktion", Role::Executive),
    ("leader", Role::Leader),
    ("leder", Role::Leader),
    ("facilitator", Role::Facilitator),
    ("konsulent", Role::Facilitator),
    ("employee", Role::Employee),
    ("medarbejder", Role::Employee),
];

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("redirect_url", &self.redirect_url)
            .field("role_claim", &self.role_claim)
            .field("role_map", &self.role_map)
            .finish()
    }
}

/// Who the provider says logged in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub username: String,
    pub name: String,
    pub email: String,
    /// The provider vouches for the e-mail address (`email_verified`); only then is the
    /// account linked to the person with that address.
    pub email_verified: bool,
    pub roles: Vec<Role>,
}

/// Why a login could not be finished; the user sees a message for the kind.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The state is unknown, used or expired (a replayed or forged callback).
    #[error("unknown or expired login state")]
    State,
    /// The provider said no (the user cancelled, or was refused).
    #[error("the provider refused: {0}")]
    Refused(String),
    /// The provider could not be reached or answered wrongly.
    #[error("provider error: {0}")]
    Provider(String),
    /// Too many logins are pending.
    #[error("too many pending logins")]
    Busy,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct Oidc {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<CoreProviderMetadata>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the client secret.
        f.debug_struct("Oidc").field("issuer", &self.config.issuer).field("client_id", &self.config.client_id).finish()
    }
}

fn provider_error(e: impl std::fmt::Display) -> OidcError {
    OidcError::Provider(e.to_string())
}

impl Oidc {
    pub fn new(config: OidcConfig) -> anyhow::Result<Arc<Oidc>> {
        IssuerUrl::new(config.issuer.clone())?;
        RedirectUrl::new(config.redirect_url.clone())?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would open the client to SSRF.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()?;
        Ok(Arc::new(Oidc { config, http, metadata: RwLock::new(None) }))
    }

    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(provider_error)?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http).await.map_err(provider_error)?;
        *self.metadata.write().await = Some(m.clone());
        Ok(m)
    }

    async fn client(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(self.config.redirect_url.clone()).map_err(provider_error)?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a login: records the state and returns the provider's authorization URL and
    /// the value for [`BROWSER_COOKIE`], which the callback must bring back.
    pub async fn start(&self, db: &Db, next: &str) -> Result<(String, String), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new(self.config.role_claim.clone()))
            .set_pkce_challenge(challenge)
            .url();
        let browser = crate::platform::accounts::random_token();
        record_pending(db, state.secret(), verifier.secret(), nonce.secret(), next, &browser).await?;
        Ok((url.to_string(), browser))
    }

    /// Finishes a login from the provider's callback: checks the state (single use),
    /// exchanges the code with the PKCE verifier, verifies the ID token and its nonce, and
    /// reads the claims (ID token, then userinfo). Returns who logged in and where to go.
    pub async fn finish(
        &self,
        db: &Db,
        code: &str,
        state: &str,
        browser: Option<&str>,
    ) -> Result<(Identity, String), OidcError> {
        let (verifier, nonce, next) = take_pending(db, state, browser).await?;
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(provider_error)?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&self.http)
            .await
            .map_err(provider_error)?;
        let id_token = openidconnect::TokenResponse::id_token(&token)
            .ok_or_else(|| OidcError::Provider("no ID token in the answer".into()))?;
        let nonce = Nonce::new(nonce);
        // A signature the cached keys cannot check may be made with a key the provider has
        // rotated in: fetch its metadata and keys again once before refusing the token.
        // Other failures (nonce, expiry, audience) are not about keys and are not retried.
        let key_problem = matches!(
            id_token.claims(&client.id_token_verifier(), &nonce),
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(_))
        );
        let client = if key_problem {
            tracing::info!("ID token signature not verified with the cached keys; fetching them again");
            *self.metadata.write().await = None;
            self.client().await?
        } else {
            client
        };
        let verifier = client.id_token_verifier();
        let claims = id_token.claims(&verifier, &nonce).map_err(provider_error)?;
        let subject = claims.subject().to_string();
        let issuer = claims.issuer().to_string();
        // The token is verified, so its payload can be read as plain JSON for claims the
        // library does not model (the role claim).
        let mut all = jwt_payload(&id_token.to_string()).unwrap_or(Value::Null);
        if let Some(url) = client.user_info_url() {
            let info = self
                .http
                .get(url.url().clone())
                .bearer_auth(token.access_token().secret())
                .send()
                .await
                .map_err(provider_error)?;
            if info.status().is_success() {
                let body = info.bytes().await.map_err(provider_error)?;
                let info: Value = serde_json::from_slice(&body).map_err(provider_error)?;
                // The userinfo answer must be about the same subject.
                if info.get("sub").and_then(Value::as_str) == Some(subject.as_str())
                    && let (Some(base), Some(extra)) = (all.as_object_mut(), info.as_object())
                {
                    for (k, v) in extra {
                        base.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
        }
        Ok((identity_from_claims(&issuer, &subject, &all, &self.config), next))
    }
}

/// Records a started login (state and browser value hashed), first dropping expired ones;
/// refused when [`MAX_PENDING`] are waiting.
pub async fn record_pending(
    db: &Db,
    state: &str,
    pkce_verifier: &str,
    nonce: &str,
    next: &str,
    browser: &str,
) -> Result<(), OidcError> {
    let now = Utc::now();
    let expires = now + Duration::minutes(LOGIN_MINUTES);
    let pending = super::store::PendingLogin {
        state_hash: hash_token(state),
        pkce_verifier: pkce_verifier.to_string(),
        nonce: nonce.to_string(),
        next_path: next.to_string(),
        expires_at: expires,
        browser_hash: hash_token(browser),
    };
    if super::store::record_pending_login(db, &pending, now, MAX_PENDING).await? {
        Ok(())
    } else {
        Err(OidcError::Busy)
    }
}

/// Takes a pending login out (single use) and returns its PKCE verifier, nonce and next
/// path, if `state` is known, unexpired, and `browser` is the value of the browser that
/// started it. Anything else is [`OidcError::State`], and the state is used up either way.
pub async fn take_pending(db: &Db, state: &str, browser: Option<&str>) -> Result<(String, String, String), OidcError> {
    let state_hash = hash_token(state);
    // Taken out in one statement, so two callbacks with the same state cannot both get it.
    let pending = super::store::take_pending_login(db, &state_hash).await?;
    let Some(super::store::PendingLogin {
        pkce_verifier: verifier,
        nonce,
        next_path: next,
        expires_at: expires,
        browser_hash,
        ..
    }) = pending
    else {
        return Err(OidcError::State);
    };
    let same_browser = browser.is_some_and(|b| !browser_hash.is_empty() && hash_token(b) == browser_hash);
    if expires < Utc::now() || !same_browser {
        return Err(OidcError::State);
    }
    Ok((verifier, nonce, next))
}

fn jwt_payload(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The role one claim value names: the whole value must equal an entry of the configured
/// table (or of [`DEFAULT_ROLE_MAP`] when none is configured). No splitting into words and
/// no reading of a group path's last part: "Leder ikke admin" and "/skoler/x/admin" name no role.
pub fn role_from_claim(value: &str, role_map: &[(String, Role)]) -> Option<Role> {
    if role_map.is_empty() {
        DEFAULT_ROLE_MAP.iter().find(|(name, _)| *name == value).map(|(_, role)| *role)
    } else {
        role_map.iter().find(|(name, _)| name == value).map(|(_, role)| *role)
    }
}

/// Builds the identity from the merged claims.
pub fn identity_from_claims(issuer: &str, subject: &str, claims: &Value, config: &OidcConfig) -> Identity {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("").trim().to_string();
    let email = text("email");
    let username = [text("preferred_username"), email.clone(), subject.to_string()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default()
        .to_lowercase();
    let name =
        [text("name"), format!("{} {}", text("given_name"), text("family_name")).trim().to_string(), username.clone()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
    // A string claim is one value; a list is several.
    let values: Vec<&str> = match claims.get(&config.role_claim) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut roles: Vec<Role> = Vec::new();
    for r in values.into_iter().filter_map(|v| role_from_claim(v, &config.role_map)) {
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if roles.is_empty() {
        roles.push(Role::Employee);
    }
    let email_verified = claims.get("email_verified").and_then(Value::as_bool) == Some(true);
    Identity { issuer: issuer.to_string(), subject: subject.to_string(), username, name, email, email_verified, roles }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(role_claim: &str, role_map: Vec<(String, Role)>) -> OidcConfig {
        OidcConfig {
            issuer: "https://idp".into(),
            client_id: "samskab".into(),
            client_secret: None,
            redirect_url: "https://samskab/log-ind/oidc/tilbage".into(),
            role_claim: role_claim.into(),
            role_map,
        }
    }

    #[test]
    fn claims_become_an_identity() {
        let c = json!({"preferred_username": "Anna", "email": "anna@k.dk", "email_verified": true,
            "name": "Anna Hansen", "roles": ["leder", "hr og udvikling"]});
        let id = identity_from_claims("https://idp", "s1", &c, &config("roles", vec![]));
        assert_eq!(id.username, "anna");
        assert_eq!(id.name, "Anna Hansen");
        assert_eq!(id.roles, vec![Role::Leader, Role::Administrator]);
        assert!(id.email_verified);
        let none = identity_from_claims("https://idp", "s3", &json!({}), &config("roles", vec![]));
        assert_eq!(none.roles, vec![Role::Employee], "no role claim: employee");
        assert!(!none.email_verified);
    }

    #[test]
    fn roles_come_only_from_exact_values() {
        let defaults = config("roles", vec![]);
        let roles =
            |claim: Value| identity_from_claims("https://idp", "s", &json!({ "roles": claim }), &defaults).roles;
        // What the penetration test got administrator with.
        assert_eq!(roles(json!("Leder ikke administrator")), vec![Role::Employee], "a string is one value");
        assert_eq!(roles(json!("leder administrator")), vec![Role::Employee]);
        assert_eq!(roles(json!(["/skoler/holmbjerg/administrator"])), vec![Role::Employee], "no last path segment");
        assert_eq!(roles(json!(["Administrator"])), vec![Role::Employee], "case is part of the value");
        assert_eq!(roles(json!(" administrator")), vec![Role::Employee]);
        assert_eq!(roles(json!("leder")), vec![Role::Leader]);
        assert_eq!(roles(json!(["direktion", "leder"])), vec![Role::Executive, Role::Leader]);
        // A configured table replaces the default one.
        let groups = config(
            "groups",
            vec![("/samskab/hr".into(), Role::Administrator), ("/samskab/ledere".into(), Role::Leader)],
        );
        let mapped =
            |claim: Value| identity_from_claims("https://idp", "s", &json!({ "groups": claim }), &groups).roles;
        assert_eq!(mapped(json!(["/samskab/hr", "/andet"])), vec![Role::Administrator]);
        assert_eq!(mapped(json!(["administrator"])), vec![Role::Employee], "defaults are off once a table is set");
        assert_eq!(mapped(json!(["/samskab/hr/extra"])), vec![Role::Employee]);
    }

    #[test]
    fn only_a_verified_email_counts() {
        let defaults = config("roles", vec![]);
        for (claims, verified) in [
            (json!({"email": "a@k.dk", "email_verified": true}), true),
            (json!({"email": "a@k.dk", "email_verified": false}), false),
            (json!({"email": "a@k.dk", "email_verified": "true"}), false),
            (json!({"email": "a@k.dk"}), false),
        ] {
            assert_eq!(
                identity_from_claims("https://idp", "s", &claims, &defaults).email_verified,
                verified,
                "{claims}"
            );
        }
    }

    #[test]
    fn reads_a_jwt_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"x","roles":["leder"]}"#);
        let v = jwt_payload(&format!("h.{payload}.s")).expect("payload");
        assert_eq!(v["roles"][0], "leder");
    }
}
