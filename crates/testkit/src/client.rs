//! The whole app driven without a network: a router over a test database, and a client
//! that keeps cookies and CSRF tokens like a browser.

use std::collections::HashMap;

use app::platform::db::Db;
use app::{AppState, Config};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The shipped Kolding test organisation.
pub fn kolding_csv() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/os2mo-kolding/alle_ledere.csv")
}

/// The app over `db`, with the demo municipality installed at `size` employees.
pub async fn demo_app(db: &Db, size: usize) -> TestApp {
    let m = app::platform::site::store::ensure(db, "Kommune").await.expect("municipality");
    assert!(app::demo::install(db, m.id, size, 7).await.expect("demo"));
    TestApp::new(db).await
}

/// [`demo_app`] with settings of the test's own (a mail relay, a public address).
pub async fn demo_app_with(db: &Db, size: usize, config: Config) -> TestApp {
    let m = app::platform::site::store::ensure(db, "Kommune").await.expect("municipality");
    assert!(app::demo::install(db, m.id, size, 7).await.expect("demo"));
    TestApp::with_config(db, Config { demo: true, ..config }).await
}

/// [`demo_app`] that sends its e-mail to `smtp` and makes its links on `site`.
pub async fn demo_app_with_relay(db: &Db, size: usize, smtp: &crate::mail::SmtpServer, site: &str) -> TestApp {
    let config = Config {
        mail: Some(app::platform::mail::MailConfig {
            smtp_url: smtp.url(),
            from: "Samskab <samskab@samby.test>".into(),
        }),
        public_url: Some(site.into()),
        ..Default::default()
    };
    demo_app_with(db, size, config).await
}

pub struct TestApp {
    pub state: AppState,
    router: axum::Router,
}

impl TestApp {
    pub async fn new(db: &Db) -> TestApp {
        TestApp::with_config(
            db,
            Config { secure_cookies: false, demo: true, oidc: None, trusted_proxies: Vec::new(), ..Default::default() },
        )
        .await
    }

    pub async fn with_config(db: &Db, config: Config) -> TestApp {
        let state = AppState::new(db.clone(), config).await.expect("state");
        TestApp { router: app::router(state.clone()), state }
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookies: HashMap::new(), lang: None, forwarded_for: None, bearer: None }
    }

    /// An API client with a new token for `username`.
    pub async fn api_client(&self, username: &str) -> Client {
        let (account, _) = app::platform::accounts::account_for_login(&self.state.db, username)
            .await
            .expect("q")
            .expect("the user exists");
        let entry = app::platform::audit::AuditEntry::system("token.created", "test");
        let issued =
            app::platform::tokens::store::issue(&self.state.db, self.state.municipality, &account, "test", entry)
                .await
                .expect("token");
        let mut c = self.client();
        c.bearer = Some(issued.token);
        c
    }

    /// A client logged in as `username` with password `demo`.
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.login(username, "demo").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login as {username}: {}", r.body);
        c
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).map(|i| i + marker.len()).expect("a form with a CSRF token");
        self.body[start..].split('"').next().unwrap_or_default().to_string()
    }
}

/// A browser stand-in: keeps cookies and sends requests through the router.
pub struct Client {
    router: axum::Router,
    cookies: HashMap<String, String>,
    pub lang: Option<&'static str>,
    /// Sent as X-Forwarded-For (what a reverse proxy adds).
    pub forwarded_for: Option<String>,
    /// Sent as `Authorization: Bearer …` (an API token).
    pub bearer: Option<String>,
}

impl Client {
    async fn send(&mut self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.expect("router answers");
        for v in res.headers().get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap_or("");
            if let Some((pair, _)) = s.split_once(';')
                && let Some((k, v)) = pair.split_once('=')
            {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !cookie.is_empty() {
            b = b.header(header::COOKIE, cookie.join("; "));
        }
        if let Some(lang) = self.lang {
            b = b.header(header::ACCEPT_LANGUAGE, lang);
        }
        if let Some(token) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(ip) = &self.forwarded_for {
            b = b.header("x-forwarded-for", ip.as_str());
        }
        // The connection comes from the loopback address, as from a proxy on this machine.
        b.extension(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 40000))))
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let req = self.request("GET", path).body(Body::empty()).expect("request");
        self.send(req).await
    }

    /// Sends a JSON body.
    pub async fn send_json(&mut self, method: &str, path: &str, body: &serde_json::Value) -> Reply {
        let req = self
            .request(method, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(req).await
    }

    /// Sends a request with extra headers and a raw body.
    pub async fn send_raw(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut b = self.request(method, path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::from(body.to_string())).expect("request");
        self.send(req).await
    }

    /// Sends a request with extra headers and a body of bytes (a file).
    pub async fn send_bytes(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
        let mut b = self.request(method, path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::from(body)).expect("request");
        self.send(req).await
    }

    /// Posts a form as is (no token added).
    pub async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(form).expect("form");
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Posts a form with the CSRF token a page would carry (read from `token_page`).
    pub async fn post(&mut self, path: &str, token_page: &str, form: &[(&str, &str)]) -> Reply {
        let token = self.get(token_page).await.csrf();
        let mut fields: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        fields.extend_from_slice(form);
        self.post_raw(path, &fields).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Reply {
        self.post("/log-ind", "/log-ind", &[("username", username), ("password", password), ("next", "/")]).await
    }

    /// Sets a cookie as the browser would keep it.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub fn has_session(&self) -> bool {
        self.cookies.contains_key("samskab_session")
    }
}
