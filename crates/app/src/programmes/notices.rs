//! The e-mails a participant gets about an activity: a place or a spot on the waiting list,
//! a place that opened up, a change of time or place, and a reminder two days before. They
//! are queued in the outbox inside the write that causes them (see `store`), in Danish, the
//! municipality's language, and only to people with a usable address.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{Activity, Mode, NewActivity};
use crate::organisation::cache::OrgView;
use crate::platform::i18n::{Lang, Tr};
use crate::platform::mail::{self, Outgoing};

/// What a letter tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Enrolled,
    Waiting,
    Promoted,
    Changed,
    Reminder,
}

impl Notice {
    fn key(self) -> &'static str {
        match self {
            Notice::Enrolled => "enrolled",
            Notice::Waiting => "waiting",
            Notice::Promoted => "promoted",
            Notice::Changed => "changed",
            Notice::Reminder => "reminder",
        }
    }
}

/// How long before an activity the reminder goes.
pub const REMINDER_BEFORE: chrono::Duration = chrono::Duration::days(2);

/// What a letter says of the activity (as saved, or as it is about to be).
#[derive(Clone, Debug)]
pub struct Facts {
    pub id: Uuid,
    pub title: String,
    pub programme: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub mode: Mode,
    pub place: String,
    pub meeting_url: String,
}

impl Facts {
    pub fn of(a: &Activity, programme: &str) -> Facts {
        Facts {
            id: a.id,
            title: a.title.clone(),
            programme: programme.to_string(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            mode: a.mode,
            place: a.place.clone(),
            meeting_url: a.meeting_url.clone(),
        }
    }

    pub fn changed(id: Uuid, a: &NewActivity, programme: &str) -> Facts {
        Facts {
            id,
            title: a.title.clone(),
            programme: programme.to_string(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            mode: a.mode,
            place: a.place.clone(),
            meeting_url: a.meeting_url.clone(),
        }
    }

    /// Whether a participant must hear of the change from `before` to this.
    pub fn differs_for_participants(&self, before: &Facts) -> bool {
        self.title != before.title
            || self.starts_at != before.starts_at
            || self.ends_at != before.ends_at
            || self.mode != before.mode
            || self.place != before.place
            || self.meeting_url != before.meeting_url
    }
}

/// Writes the letters of one activity.
pub struct Letters {
    facts: Facts,
    /// None: write no letters (the demo's enrolments).
    org: Option<Arc<OrgView>>,
    /// The site's address, for the links.
    site: String,
    tr: Tr,
}

impl Letters {
    pub fn new(facts: Facts, org: Arc<OrgView>, site: String) -> Letters {
        Letters { facts, org: Some(org), site, tr: Tr::new(Lang::Da) }
    }

    /// Letters that are never written: for data put in place, not done by people.
    pub fn none(facts: Facts) -> Letters {
        Letters { facts, org: None, site: String::new(), tr: Tr::new(Lang::Da) }
    }

    /// The outbox batch of an activity's letters.
    pub fn batch(&self) -> String {
        format!("activity:{}", self.facts.id)
    }

    /// The letter to one person, or None when they have no usable address.
    pub fn letter(&self, person: Uuid, notice: Notice) -> Option<Outgoing> {
        let at = self.org.as_ref()?.person(person)?;
        if !mail::is_address(&at.email) {
            return None;
        }
        let tr = &self.tr;
        let f = &self.facts;
        let key = notice.key();
        let when = super::when(tr, &f.starts_at, &f.ends_at);
        let mut lines = vec![
            tr.t1("mail-greeting", "name", &at.name),
            String::new(),
            tr.ta(&format!("mail-{key}-text"), &[("title", &f.title), ("programme", &f.programme)]),
            String::new(),
            tr.t1("mail-when", "when", &when),
        ];
        if matches!(f.mode, Mode::Physical | Mode::Hybrid) && !f.place.is_empty() {
            lines.push(tr.t1("mail-place", "place", &f.place));
        }
        if matches!(f.mode, Mode::Virtual | Mode::Hybrid) && !f.meeting_url.is_empty() {
            lines.push(tr.t1("mail-link", "link", &f.meeting_url));
        }
        lines.push(String::new());
        lines.push(tr.t1("mail-activity", "url", format!("{}/aktiviteter/{}", self.site, f.id)));
        lines.push(tr.t1("mail-calendar", "url", format!("{}/mit-forloeb", self.site)));
        Some(Outgoing {
            to: at.email.clone(),
            subject: tr.t1(&format!("mail-{key}-subject"), "title", &f.title),
            body: lines.join("\n"),
        })
    }
}
