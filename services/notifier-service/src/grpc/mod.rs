//! The gRPC adapters: requests become domain types, errors become statuses, once.

mod notifier;
mod push;

pub use notifier::NotifierApi;
pub use push::PushApi;
