//! E-mail. A module puts messages in the outbox inside its own write transaction
//! ([`store::queue_in`]), so a message exists exactly when what it tells of was saved. A
//! sender in every serving process ([`spawn`]) takes due messages, sends them over SMTP and
//! marks them sent; a failure is retried after a growing pause, and given up after
//! [`MAX_ATTEMPTS`]. Several instances share the outbox: a sender claims a message by moving
//! its next attempt ahead, so a killed sender's claim passes by itself.
//!
//! A message may carry a secret (a personal link whose answers are anonymous): its body is
//! emptied once it is sent or given up, so the outbox never ties an address to an answer.

pub mod store;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::AppState;

/// How to reach the municipality's mail relay.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://host:port` (plain, or `?tls=required` for STARTTLS), or `smtps://host:port`,
    /// with `user:password@` where the relay wants a login.
    pub smtp_url: String,
    /// The sender, e.g. `Samskab <samskab@kommune.dk>`.
    pub from: String,
}

/// The configured relay, ready to send.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The mail settings are not usable; said at start, not at the first send.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("the SMTP address is not usable ({0}); use smtp://host:port or smtps://host:port")]
    Url(String),
    #[error("the sender address \"{0}\" is not an e-mail address")]
    From(String),
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer, MailConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| MailConfigError::Url(e.to_string()))?
            .timeout(Some(StdDuration::from_secs(30)))
            .build();
        let from = config.from.parse::<Mailbox>().map_err(|_| MailConfigError::From(config.from.clone()))?;
        Ok(Mailer { transport, from })
    }

    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to = to.parse::<Mailbox>().map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// A message to queue.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Whether `address` is one an SMTP relay will take (what the sender will parse).
pub fn is_address(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

/// A message is given up after this many failed attempts (about a day of retries).
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a sender's claim on a message holds.
const CLAIM: Duration = Duration::minutes(5);
/// Messages a sender takes at a time.
const BATCH: i64 = 50;

/// The pause before attempt number `attempt + 1`: a minute, doubling, at most six hours.
pub fn retry_after(attempt: i32) -> Duration {
    let doublings = (attempt - 1).clamp(0, 9) as u32;
    Duration::minutes((1_i64 << doublings).min(360))
}

/// What one round of delivery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub retrying: usize,
    pub given_up: usize,
}

/// Sends every message that is due now, batch by batch, until none is left. Without a
/// configured relay nothing is sent (the messages wait, and modules refuse to queue mail).
pub async fn deliver_due(state: &AppState) -> sqlx::Result<Delivered> {
    let mut done = Delivered::default();
    let Some(mailer) = state.mailer.clone() else { return Ok(done) };
    loop {
        let claimed = store::claim(&state.db, BATCH, Utc::now() + CLAIM).await?;
        if claimed.is_empty() {
            return Ok(done);
        }
        for message in claimed {
            match mailer.send(&message.recipient, &message.subject, &message.body).await {
                Ok(()) => {
                    store::mark_sent(&state.db, message.id, Utc::now()).await?;
                    done.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(message = %message.id, %error, "an e-mail could not be sent");
                    let attempts = message.attempts + 1;
                    if attempts >= MAX_ATTEMPTS {
                        store::give_up(&state.db, message.id, &error, Utc::now()).await?;
                        done.given_up += 1;
                    } else {
                        store::retry(&state.db, message.id, attempts, &error, Utc::now() + retry_after(attempts))
                            .await?;
                        done.retrying += 1;
                    }
                }
            }
        }
    }
}

/// Starts the sender: it looks for due messages every `every`, and at once when woken.
pub fn spawn(state: AppState, every: StdDuration) -> tokio::task::JoinHandle<()> {
    let wake = state.mail_wake.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&state).await {
                tracing::warn!(error = %e, "the outbox could not be read");
            }
            let _ = tokio::time::timeout(every, wake.notified()).await;
        }
    })
}

/// Tells this process's sender that new mail is waiting (other instances find it on their
/// next look).
pub fn wake(state: &AppState) {
    state.mail_wake.notify_one();
}

/// The shared wake-up signal of a process's sender.
pub type Wake = Arc<tokio::sync::Notify>;
