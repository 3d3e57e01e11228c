//! Personal links sent by e-mail: everyone in the chosen units (with their subtrees) and
//! the addresses typed in get their own link, once per process. The answer through a link
//! stays anonymous; the unit and role it was sent to go with it only where the process
//! keeps them.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Process;
use super::store::{self, InvitationDraft};
use super::{TakePart, object};
use crate::AppState;
use crate::organisation::cache::OrgView;
use crate::platform::accounts::random_token;
use crate::platform::i18n::Tr;
use crate::platform::layout::FormErrors;
use crate::platform::mail::{self, Outgoing};
use crate::platform::web::{AppError, Permit, Result};

/// The most invitations one sending makes (the design load: a whole municipality).
pub const INVITE_MAX: usize = 60_000;

/// Whom to invite.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct InviteRequest {
    /// Units whose people (in their subtrees too) are invited.
    #[serde(default)]
    pub units: Vec<Uuid>,
    /// Addresses invited one by one (people in the organisation keep their unit and role).
    #[serde(default)]
    pub emails: Vec<String>,
}

/// What a sending did.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct InviteOutcome {
    /// Links made and e-mails queued.
    pub invited: usize,
    /// People who had been sent a link to this process before (not sent again).
    pub already_invited: usize,
    /// People in the chosen units without a usable e-mail address.
    pub without_address: usize,
}

/// Someone to send a link to.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Invitee {
    email: String,
    name: String,
    unit: Option<Uuid>,
    role: Option<&'static str>,
}

/// The people in the subtrees of `units` (leaders as "leader", staff as "employee"; a
/// person in several places once, a leader post first), and how many lack an address.
fn people_in(view: &OrgView, units: &[Uuid]) -> (Vec<Invitee>, usize) {
    let mut seen_people = HashSet::new();
    let mut found = Vec::new();
    let mut without_address = 0;
    let roots: Vec<_> = units.iter().filter_map(|u| view.unit(*u)).collect();
    let within = |left: i64| roots.iter().any(|r| left >= r.tree_left && left <= r.tree_right);
    let chosen: Vec<_> = view.all_units().filter(|u| within(u.tree_left)).collect();
    let mut add = |id: Uuid, name: &str, email: &str, unit: Uuid, role: &'static str| {
        if !seen_people.insert(id) {
            return;
        }
        let email = email.trim().to_lowercase();
        if mail::is_address(&email) {
            found.push(Invitee { email, name: name.to_string(), unit: Some(unit), role: Some(role) });
        } else {
            without_address += 1;
        }
    };
    for u in &chosen {
        for leader in view.leaders(u.id) {
            add(leader.id, &leader.name, &leader.email, u.id, "leader");
        }
    }
    for u in &chosen {
        for member in view.staff(u.id) {
            add(member.person_id, &member.name, &member.email, u.id, "employee");
        }
    }
    (found, without_address)
}

/// Where each address in the organisation works (leader posts first), for addresses typed in.
fn places(view: &OrgView) -> HashMap<String, (String, Uuid, &'static str)> {
    let mut by_email = HashMap::new();
    for u in view.all_units() {
        for leader in view.leaders(u.id) {
            by_email.entry(leader.email.trim().to_lowercase()).or_insert((leader.name.clone(), u.id, "leader"));
        }
    }
    for u in view.all_units() {
        for member in view.staff(u.id) {
            by_email.entry(member.email.trim().to_lowercase()).or_insert((member.name.clone(), u.id, "employee"));
        }
    }
    by_email.remove("");
    by_email
}

/// The invitation e-mail, in the facilitator's language.
fn message(tr: &Tr, municipality: &str, title: &str, invitee: &Invitee, link: &str) -> Outgoing {
    let greeting = if invitee.name.is_empty() {
        tr.t("invite-mail-hello")
    } else {
        tr.t1("invite-mail-hello-name", "name", &invitee.name)
    };
    let body = [
        greeting,
        tr.t1("invite-mail-lead", "title", title),
        tr.t1("invite-mail-link", "link", link),
        tr.t("invite-mail-anonymous"),
        tr.t1("invite-mail-regards", "municipality", municipality),
    ]
    .join("\n\n");
    Outgoing { to: invitee.email.clone(), subject: tr.t1("invite-mail-subject", "title", title), body }
}

/// Checks and sends a process's invitations: links made, e-mails queued, all or nothing.
/// `site` is the address links start with.
pub async fn invite_checked(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    request: &InviteRequest,
    site: &str,
) -> Result<InviteOutcome> {
    let tr = permit.tr();
    if state.mailer.is_none() {
        return Err(AppError::Conflict(tr.t("invite-error-no-mail")));
    }
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut errors = FormErrors::default();
    if let Some(unknown) = request.units.iter().find(|u| view.unit(**u).is_none()) {
        errors.push("units", tr.t1("invite-error-unit", "unit", unknown));
    }
    let typed: Vec<String> = request.emails.iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();
    if let Some(bad) = typed.iter().find(|e| !mail::is_address(e)) {
        errors.push("emails", tr.t1("invite-error-email", "email", bad));
    }
    if request.units.is_empty() && typed.is_empty() {
        errors.push("units", tr.t("invite-error-nobody"));
    }
    if !errors.is_empty() {
        return Err(crate::platform::api::invalid(errors));
    }

    let (mut invitees, without_address) = people_in(&view, &request.units);
    let known = places(&view);
    for email in typed {
        let (name, unit, role) = match known.get(&email) {
            Some((name, unit, role)) => (name.clone(), Some(*unit), Some(*role)),
            None => (String::new(), None, None),
        };
        invitees.push(Invitee { email, name, unit, role });
    }
    let mut seen = HashSet::new();
    invitees.retain(|i| seen.insert(i.email.clone()));
    if invitees.len() > INVITE_MAX {
        return Err(AppError::BadRequest(tr.t1("invite-error-too-many", "max", tr.num(INVITE_MAX as i64))));
    }
    let before = store::already_invited(&state.db, process.id).await?;
    let already_invited = invitees.iter().filter(|i| before.contains(&i.email)).count();
    invitees.retain(|i| !before.contains(&i.email));

    let mut drafts: Vec<InvitationDraft> = invitees
        .iter()
        .map(|invitee| {
            let secret = random_token();
            let link = format!("{site}/deltag/{secret}");
            InvitationDraft {
                recipient: invitee.email.clone(),
                message: message(&tr, &state.municipality_name, &process.title, invitee, &link),
                secret,
                unit: invitee.unit.filter(|_| process.keep_unit_role),
                role: invitee.role.filter(|_| process.keep_unit_role).map(str::to_string),
            }
        })
        .collect();
    // Written in the order of their random secrets: the order of links says nothing of whom
    // they went to.
    drafts.sort_by(|a, b| a.secret.cmp(&b.secret));
    let invited = store::invite(
        &state.db,
        state.municipality,
        process,
        object(process.id),
        &drafts,
        permit.ctx.audit("process.invited"),
    )
    .await?;
    mail::wake(state);
    Ok(InviteOutcome { invited, already_invited: already_invited + drafts.len() - invited, without_address })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_names_the_process_and_carries_the_link_and_the_promise() {
        let tr = Tr::new(crate::platform::i18n::Lang::Da);
        let invitee = Invitee { email: "a@samby.dk".into(), name: "Anna Berg".into(), unit: None, role: None };
        let m = message(&tr, "Samby Kommune", "Fremtidens velfærd", &invitee, "https://samskab.samby.dk/deltag/abc");
        assert_eq!(m.to, "a@samby.dk");
        assert!(m.subject.contains("Fremtidens velfærd"), "{}", m.subject);
        assert!(m.body.starts_with("Kære Anna Berg"), "{}", m.body);
        assert!(m.body.contains("https://samskab.samby.dk/deltag/abc"));
        assert!(m.body.contains("uden dit navn"), "{}", m.body);
        assert!(m.body.ends_with("Samby Kommune"), "{}", m.body);
    }
}
