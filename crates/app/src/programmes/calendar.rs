//! Calendar feeds (RFC 5545) and clashes. An activity's UID is its id, stable for its life;
//! its SEQUENCE rises with every change, so Outlook and others replace their copy when an
//! activity moves, and a cancelled one stays in the feed as CANCELLED until it has passed.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use super::model::Activity;

/// A feed of `activities` named `name`.
pub fn feed(name: &str, host: &str, activities: &[&Activity]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for a in activities {
        let mut event = Event::new();
        event
            .uid(&format!("{}@{host}", a.id))
            .sequence(a.sequence.max(0) as u32)
            .summary(&a.title)
            .starts(a.starts_at)
            .ends(a.ends_at);
        let place = match (a.place.is_empty(), a.meeting_url.is_empty()) {
            (false, true) => a.place.clone(),
            (true, false) => a.meeting_url.clone(),
            (false, false) => format!("{} / {}", a.place, a.meeting_url),
            (true, true) => String::new(),
        };
        if !place.is_empty() {
            event.location(&place);
        }
        if !a.meeting_url.is_empty() {
            event.url(&a.meeting_url);
        }
        if !a.agenda.is_empty() {
            event.description(&a.agenda);
        }
        event.status(if a.cancelled { EventStatus::Cancelled } else { EventStatus::Confirmed });
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// The activities among `activities` that overlap another one of them (not cancelled).
pub fn clashes(activities: &[&Activity]) -> std::collections::HashSet<uuid::Uuid> {
    let mut live: Vec<&&Activity> = activities.iter().filter(|a| !a.cancelled).collect();
    live.sort_by_key(|a| a.starts_at);
    let mut out = std::collections::HashSet::new();
    // Sorted by start: an activity clashes with an earlier one still running when it starts.
    let mut running: Option<&Activity> = None;
    for a in live {
        if let Some(r) = running {
            if a.starts_at < r.ends_at {
                out.insert(a.id);
                out.insert(r.id);
            }
            if a.ends_at > r.ends_at {
                running = Some(a);
            }
        } else {
            running = Some(a);
        }
    }
    out
}
