//! Cron schedules for alerts: the one parsed form of a 5-field unix cron
//! expression plus an IANA time zone.
//!
//! Used by alert validation (user-facing error messages), the "next runs"
//! preview, the local durable scheduler's next fire time, and the conversion
//! to AWS EventBridge Scheduler `cron(...)` expressions. Everything a user is
//! shown matches what EventBridge Scheduler will do: expressions it cannot
//! express are rejected at parse time, and fire times follow its
//! daylight-saving rule.
//!
//! ```
//! use alert_cron::{CronSchedule, TimeZone};
//!
//! let schedule = CronSchedule::parse("0 8 * * mon-fri")?;
//! assert_eq!(schedule.normalized(), "0 8 * * 1-5");
//! assert_eq!(schedule.to_eventbridge(), "cron(0 8 ? * MON-FRI *)");
//!
//! let zone = TimeZone::parse("Asia/Seoul")?;
//! let after = "2026-01-01T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().expect("valid");
//! // Thursday 09:00 in Seoul: the next weekday 08:00 is Friday 08:00 KST.
//! let next = schedule.next_after(zone.tz(), after);
//! assert_eq!(next.map(|t| t.to_rfc3339()), Some("2026-01-01T23:00:00+00:00".to_owned()));
//! # Ok::<(), alert_cron::CronError>(())
//! ```

#![warn(missing_docs)]

mod error;
mod eventbridge;
mod field;
mod next;
mod schedule;
mod timezone;

pub use error::{CronError, CronField};
pub use schedule::CronSchedule;
pub use timezone::{DEFAULT_TIME_ZONE, TimeZone};
