//! Personal links sent by e-mail: the links, who was invited, the messages and the audit
//! entry in one transaction.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::AUDIT_KIND;
use crate::involvement::model::Process;
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool};
use crate::platform::mail::{self, Outgoing};
use crate::platform::participants;
use crate::platform::permissions::ObjectRef;

/// One invitation to write: the address (lower case) and its message, the link's secret
/// (already in the message) and the unit and role the link keeps, if any.
pub struct InvitationDraft {
    pub recipient: String,
    pub secret: String,
    pub unit: Option<Uuid>,
    pub role: Option<String>,
    pub message: Outgoing,
}

/// The addresses of `candidates` that have been sent a link to the process already.
pub async fn already_invited(db: &Db, process: Uuid) -> sqlx::Result<std::collections::HashSet<String>> {
    let rows: Vec<String> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT recipient FROM process_invitation WHERE process_id = $1")
            .bind(process)
            .fetch_all(p)
            .await
    })?;
    Ok(rows.into_iter().collect())
}

/// Writes the invitations (in the order given: the caller shuffles) with their links and
/// queued messages, and one audit entry with the count. An address invited meanwhile by
/// another request is skipped; returns how many were written.
pub async fn invite(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    object: ObjectRef,
    drafts: &[InvitationDraft],
    entry: AuditEntry,
) -> sqlx::Result<usize> {
    let now = Utc::now();
    let today: NaiveDate = now.date_naive();
    // The links' creation time is the day only, like the invitation's.
    let day_start = today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let batch = process.mail_batch();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let mut written = 0;
        for d in drafts {
            let fresh = sqlx::query(
                "INSERT INTO process_invitation (process_id, recipient, invited_on) VALUES ($1, $2, $3)
                 ON CONFLICT (process_id, recipient) DO NOTHING",
            )
            .bind(process.id)
            .bind(&d.recipient)
            .bind(today)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if fresh == 0 {
                continue;
            }
            participants::store::insert_link_in(
                &mut *tx,
                municipality,
                object,
                &d.secret,
                d.unit,
                d.role.as_deref(),
                day_start,
            )
            .await?;
            mail::store::queue_in(&mut *tx, municipality, &batch, std::slice::from_ref(&d.message), now).await?;
            written += 1;
        }
        let entry = entry.subject(AUDIT_KIND, process.id, &process.title).detail(written.to_string());
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(written)
    })
}
