//! Login through the municipality's OpenID Connect provider, with roles from its claim.

use super::*;

/// Logs in through the OIDC provider's development pages: the login name is the account.
async fn oidc_login(c: &Client, base: &str, account: &str) {
    c.goto(&format!("{base}/log-ind")).await.expect("login page");
    click(c, "#oidc").await;
    wait_for_url(c, "the provider's login page", |u| u.path().starts_with("/interaction/")).await;
    c.find(Locator::Css("input[name=login]")).await.expect("login field").send_keys(account).await.expect("type");
    c.find(Locator::Css("input[name=password]")).await.expect("password field").send_keys("x").await.expect("type");
    click(c, "button[type=submit]").await;
    // The provider asks for consent once per client and account.
    for _ in 0..100 {
        if c.current_url().await.expect("url").as_str().starts_with(base) {
            break;
        }
        if c.find(Locator::Css("input[name=prompt][value=consent]")).await.is_ok() {
            click(c, "button[type=submit]").await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    wait_for_url(c, "Samskab after the provider", |u| u.path() == "/").await;
}

#[tokio::test]
async fn oidc_login_maps_the_role_claim() {
    let e = env();
    let c = browser(&e.webdriver, true).await;
    oidc_login(&c, &e.base, "hr-anna").await;
    let user = c.find(Locator::Css(".portal-user .username")).await.expect("user").text().await.expect("t");
    assert_eq!(user, "Anna Hr-Testesen");
    c.goto(&format!("{}/admin/log?action=login.oidc_first", e.base)).await.expect("audit");
    assert_eq!(heading(&c).await, "Revisionslog", "the administrator role came from the claim");
    assert!(c.source().await.expect("html").contains("<td>Første login med kommunens login</td>"));
    click(&c, ".portal-user button.log-off").await;
    wait_for_url(&c, "the login page", |u| u.path() == "/log-ind").await;
    c.close().await.expect("close");

    for (account, why) in [
        ("bo-medarbejder", "no role claim: an employee"),
        ("mallory-words", "a string claim is one value, not words"),
        ("mallory-path", "a group path is not judged by its last part"),
    ] {
        let c = browser(&e.webdriver, true).await;
        oidc_login(&c, &e.base, account).await;
        c.goto(&format!("{}/admin/log", e.base)).await.expect("audit");
        assert_eq!(heading(&c).await, "Du har ikke adgang til siden", "{account}: {why}");
        c.close().await.expect("close");
    }
}
