//! Domain types built at the boundary: a value of one of these types is valid by construction,
//! so the logic behind the gRPC adapters never checks its input again.

mod account;
mod alert;
mod text;

pub use account::{Email, Password};
pub use alert::{AlertDraft, AlertPatch, AlertSchedule, parse_time_zone};
pub use text::{AlertBody, AlertName, AlertTitle};
