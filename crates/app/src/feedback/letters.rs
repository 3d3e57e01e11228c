//! The letters of a survey or 360° round: the invitation with a personal link when the round is
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

/// What a link asks: in a 360° round about which leader, in which rater group.
#[derive(Clone, Copy, Debug)]
pub struct Asked<'a> {
    pub subject: Option<Uuid>,
    pub rater: &'a str,
}

/// The letter to `person` with the link `token`, or None without a usable address.
#[allow(clippy::too_many_arguments)]
pub fn letter(
    org: &OrgView,
    person: Uuid,
    kind: RoundLetter,
    title: &str,
    closes: NaiveDate,
    site: &str,
    token: &str,
    asked: Asked<'_>,
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
    // A 360° link says whom it asks about and in which role, and whether the answer is
    // shown as the rater's own (the leader's self-assessment, the manager's) or anonymously.
    let (about, privacy) = match asked.subject.and_then(|s| org.person(s)) {
        Some(_) if asked.rater == "self" => (tr.t("feedback-mail-rating-self"), tr.t("feedback-mail-rating-named")),
        Some(leader) => {
            let role = tr.t(&format!("feedback-rater360-{}", asked.rater));
            let privacy =
                if asked.rater == "manager" { "feedback-mail-rating-named" } else { "feedback-mail-anonymous" };
            (tr.ta("feedback-mail-rating-other", &[("name", &leader.name), ("role", &role)]), tr.t(privacy))
        }
        None => (String::new(), tr.t("feedback-mail-anonymous")),
    };
    let mut lines = vec![
        tr.t1("feedback-mail-greeting", "name", &at.name),
        String::new(),
        tr.t1(&format!("feedback-mail-{key}-text"), "title", title),
    ];
    if !about.is_empty() {
        lines.push(about);
    }
    lines.extend([
        String::new(),
        tr.t1("feedback-mail-link", "url", format!("{site}/svar/{token}")),
        tr.t1("feedback-mail-closes", "closes", tr.date(&closes)),
        String::new(),
        privacy,
    ]);
    Some(Outgoing {
        to: at.email.clone(),
        subject: tr.t1(&format!("feedback-mail-{key}-subject"), "title", title),
        body: lines.join("\n"),
    })
}
