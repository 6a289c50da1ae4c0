//! The notifier's domain: who is asking, what to send, to which browser, and how it went.
//! Requests become these types at the gRPC boundary (parse, don't validate).

mod delivery;
mod notification;
mod subscription;

pub use delivery::{AttemptOutcome, Delivery, DeliveryJob, DeliveryStatus};
pub use notification::{
    DedupeKey, Notification, NotifyCommand, TEST_NOTIFICATION, default_ttl_seconds,
    topic_for_alert, urgency_from_name,
};
pub use subscription::{NewSubscription, Subscription, normalize_endpoint};

use std::fmt;

use crate::error::Error;

/// The user a request is made for: the gateway's `x-user-id`, or `user_id` of an internal call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserId(String);

impl UserId {
    /// A user id from a request; `field` names the request field for the error.
    pub fn parse(raw: &str, field: &'static str) -> Result<UserId, Error> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Error::MissingField(field));
        }
        Ok(UserId(trimmed.to_owned()))
    }

    /// A user id read back from storage, where only parsed ids are written.
    pub(crate) fn from_stored(id: String) -> UserId {
        UserId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// A new time-ordered id (UUID v7).
            pub fn generate() -> Self {
                $name(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            /// An id read back from storage or a queue.
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// Identifies one push subscription (one browser).
    SubscriptionId
);
id_type!(
    /// Identifies one delivery: one notification to one subscription.
    DeliveryId
);
