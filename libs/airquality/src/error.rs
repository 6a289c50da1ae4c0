//! The one error type of this crate.

use std::time::Duration;

/// What can go wrong when asking AirKorea.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum AirQualityError {
    /// resultCode 22 / LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR
    #[error("the AirKorea daily request quota is exhausted")]
    QuotaExceeded,
    /// resultCode 30 / SERVICE_KEY_IS_NOT_REGISTERED_ERROR (and other key/auth errors: 20, 31, 32)
    #[error("the AirKorea API key is not accepted: {0}")]
    KeyRejected(String),
    #[error("no AirKorea station named {0:?}")]
    UnknownStation(String),
    #[error("AirKorea did not answer within {0:?}")]
    Timeout(Duration),
    #[error("AirKorea is unreachable: {0}")]
    Unreachable(String),
    /// Any other resultCode, or an HTTP error status (code "HTTP 503").
    #[error("AirKorea answered with error {code}: {message}")]
    Upstream { code: String, message: String },
    #[error("AirKorea answered something we cannot read: {0}")]
    BadResponse(String),
    #[error("air quality is not configured (AIR_QUALITY_API_KEY is not set)")]
    NotConfigured,
}

/// API result codes that mean "try again later": application, database, HTTP and timeout
/// errors inside AirKorea, and its catch-all.
const TRANSIENT_RESULT_CODES: [u32; 5] = [1, 2, 4, 5, 99];

impl AirQualityError {
    /// Whether a later call may succeed (timeouts, unreachable, 5xx) — not quota/key/unknown station.
    ///
    /// A body we cannot read counts as transient: in practice it is an HTML error page from a
    /// proxy in front of the API, not a change of format.
    pub fn is_transient(&self) -> bool {
        match self {
            AirQualityError::Timeout(_)
            | AirQualityError::Unreachable(_)
            | AirQualityError::BadResponse(_) => true,
            AirQualityError::Upstream { code, .. } => match code.strip_prefix("HTTP ") {
                Some(status) => status.starts_with('5') || status == "429",
                None => code
                    .parse::<u32>()
                    .is_ok_and(|code| TRANSIENT_RESULT_CODES.contains(&code)),
            },
            AirQualityError::QuotaExceeded
            | AirQualityError::KeyRejected(_)
            | AirQualityError::UnknownStation(_)
            | AirQualityError::NotConfigured => false,
        }
    }

    /// The upstream error for an HTTP status that is not a success.
    pub(crate) fn http_status(status: u16, reason: &str) -> AirQualityError {
        AirQualityError::Upstream {
            code: format!("HTTP {status}"),
            message: reason.to_owned(),
        }
    }
}

/// This crate's result.
pub type Result<T, E = AirQualityError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn upstream(code: &str) -> AirQualityError {
        AirQualityError::Upstream {
            code: code.into(),
            message: String::new(),
        }
    }

    #[test]
    fn only_errors_a_retry_can_fix_are_transient() {
        let cases = [
            (AirQualityError::Timeout(Duration::from_secs(5)), true),
            (AirQualityError::Unreachable("refused".into()), true),
            (AirQualityError::BadResponse("<html>".into()), true),
            (upstream("HTTP 503"), true),
            (upstream("HTTP 429"), true),
            (upstream("HTTP 404"), false),
            (upstream("05"), true),
            (upstream("99"), true),
            (upstream("10"), false),
            (upstream("12"), false),
            (AirQualityError::QuotaExceeded, false),
            (AirQualityError::KeyRejected("30".into()), false),
            (AirQualityError::UnknownStation("x".into()), false),
            (AirQualityError::NotConfigured, false),
        ];
        for (error, transient) in cases {
            assert_eq!(error.is_transient(), transient, "{error:?}");
        }
    }
}
