//! What a run of an alert sends, if anything: the plain text, or the reading of its station
//! told through its templates in the user's language, held against its condition, and cut to
//! fit one push.

mod condition;
mod fit;
mod text;

use alert_airquality::{Language, Measurement};

pub use condition::{Verdict, evaluate};
pub use fit::{PUSH_PAYLOAD_LIMIT_BYTES, fit_to_push};
pub use text::Writer;

use crate::{
    domain::{AirQualityContent, UnavailablePolicy},
    store::AlertRecord,
};

/// A notification's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
}

/// The reading a run got for its station, or why it got none.
#[derive(Debug, Clone)]
pub enum Fetched<'a> {
    Reading(&'a Measurement),
    Unavailable(String),
}

/// What a run does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Send `message`; `reason` (empty unless) says why it lacks the reading.
    Send { message: Message, reason: String },
    /// Send nothing, for `reason`.
    Skip { reason: String },
}

/// The plan for a plain alert: its text as written.
pub fn plain(alert: &AlertRecord) -> Plan {
    Plan::Send {
        message: Message {
            title: alert.title.clone(),
            body: alert.body.clone(),
        },
        reason: String::new(),
    }
}

/// The plan for an air-quality alert given what was fetched for its station.
pub fn air_quality(
    alert: &AlertRecord,
    content: &AirQualityContent,
    language: Language,
    fetched: Fetched<'_>,
) -> Plan {
    let writer = Writer::new(language);
    let templates = (alert.title.as_str(), alert.body.as_str());
    let station = content.station.as_str();
    let unavailable = |why: String, (title, body): (String, String)| {
        let reason = format!("measurement unavailable: {why}");
        match content.when_unavailable {
            UnavailablePolicy::Send => Plan::Send {
                message: Message { title, body },
                reason,
            },
            UnavailablePolicy::Skip => Plan::Skip { reason },
        }
    };
    let measurement = match fetched {
        Fetched::Reading(measurement) => measurement,
        Fetched::Unavailable(why) => {
            return unavailable(why, writer.write_unavailable(templates, station));
        }
    };
    match content
        .condition
        .map(|condition| evaluate(condition, measurement))
    {
        None | Some(Verdict::Met) => {
            let (title, body) = writer.write(templates, station, measurement, false);
            Plan::Send {
                message: Message { title, body },
                reason: String::new(),
            }
        }
        Some(Verdict::NotMet(why)) => Plan::Skip {
            reason: format!("condition not met: {why}"),
        },
        Some(Verdict::Unavailable(why)) => {
            unavailable(why, writer.write(templates, station, measurement, true))
        }
    }
}
