//! Domain types built at the boundary: a value of one of these types is valid by construction,
//! so the logic behind the gRPC adapters never checks its input again.

mod account;
mod alert;
pub mod content;
mod language;
pub mod template;
mod text;

pub use account::{Email, Password};
pub use alert::{AlertDraft, AlertPatch, AlertSchedule, parse_time_zone};
pub use content::{
    AirQualityContent, AlertContent, Condition, Measure, StationName, Threshold, UnavailablePolicy,
};
pub use language::{language_from_proto, language_to_proto};
pub use text::{AlertBody, AlertName, AlertText, AlertTitle};
