//! The letters of a survey round: the invitation with a personal link when the round is
//! sent, and a reminder with a new link shortly before it closes to those who have not
//! answered. In Danish, the municipality's language, and only to people with a usable
//! address; a link is in the letter and nowhere else (only its hash is kept).

use chrono::NaiveDate;
use uuid::Uuid;

use crate::organisation::cache::OrgView;
use crate::platform::i18n::{Lang, Tr};
use crate::platform::mail::{self, Outgoing};

/// Which letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundLetter {
    Invitation,
    Reminder,
}

/// The letter to `person` with the link `token`, or None without a usable address.
pub fn letter(
    org: &OrgView,
    person: Uuid,
    kind: RoundLetter,
    title: &str,
    closes: NaiveDate,
    site: &str,
    token: &str,
) -> Option<Outgoing> {
    let at = org.person(person)?;
    if !mail::is_address(&at.email) {
        return None;
    }
    let tr = Tr::new(Lang::Da);
    let key = match kind {
        RoundLetter::Invitation => "invitation",
        RoundLetter::Reminder => "reminder",
    };
    let lines = [
        tr.t1("feedback-mail-greeting", "name", &at.name),
        String::new(),
        tr.t1(&format!("feedback-mail-{key}-text"), "title", title),
        String::new(),
        tr.t1("feedback-mail-link", "url", format!("{site}/svar/{token}")),
        tr.t1("feedback-mail-closes", "closes", tr.date(&closes)),
        String::new(),
        tr.t("feedback-mail-anonymous"),
    ];
    Some(Outgoing {
        to: at.email.clone(),
        subject: tr.t1(&format!("feedback-mail-{key}-subject"), "title", title),
        body: lines.join("\n"),
    })
}
