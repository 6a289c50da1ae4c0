//! What the result of one send means for the delivery.

use alert_webpush::{PushResponse, SendError};
use chrono::{DateTime, Utc};

use super::RetryPolicy;
use crate::domain::{AttemptOutcome, SubscriptionId};

/// Decides the outcome of attempt number `attempt` (1 for the first): 2xx delivered; 404/410 the
/// subscription is gone; 408/429/5xx and network failures retried with backoff until the last
/// attempt; anything else (400, 401, 403, 413, a refused endpoint, bad keys) fails at once, since
/// sending the same request again cannot succeed. `jitter` is uniform in `[0, 1]`.
pub fn decide(
    result: &Result<PushResponse, SendError>,
    attempt: u32,
    subscription_id: &SubscriptionId,
    policy: &RetryPolicy,
    now: DateTime<Utc>,
    jitter: f64,
) -> AttemptOutcome {
    let (status_code, error, retry_after) = match result {
        Ok(response) if response.is_success() => {
            return AttemptOutcome::Delivered {
                status_code: response.status,
            };
        }
        Ok(response) if response.is_gone() => {
            return AttemptOutcome::Expired {
                status_code: response.status,
                subscription_id: subscription_id.clone(),
            };
        }
        Ok(response) => {
            let error = describe(response);
            if !response.is_retryable() {
                return AttemptOutcome::Failed {
                    status_code: Some(response.status),
                    error,
                };
            }
            (Some(response.status), error, response.retry_after)
        }
        Err(error) if error.is_retryable() => (None, error.to_string(), None),
        Err(error) => {
            return AttemptOutcome::Failed {
                status_code: None,
                error: error.to_string(),
            };
        }
    };
    if !policy.allows_another(attempt) {
        return AttemptOutcome::Failed { status_code, error };
    }
    let delay = policy.delay(attempt, retry_after, jitter);
    let next_attempt_at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
    AttemptOutcome::Retry {
        status_code,
        error,
        next_attempt_at,
    }
}

fn describe(response: &PushResponse) -> String {
    let reason = match response.status {
        400 => "bad request",
        401 => "unauthorized (VAPID)",
        403 => "forbidden (VAPID key mismatch)",
        408 => "request timeout",
        413 => "payload too large",
        429 => "too many requests",
        500..=599 => "server error",
        _ => "unexpected status",
    };
    if response.body_excerpt.is_empty() {
        format!("push service answered {} {reason}", response.status)
    } else {
        format!(
            "push service answered {} {reason}: {}",
            response.status, response.body_excerpt
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
        }
    }

    fn answered(status: u16, retry_after: Option<u64>) -> Result<PushResponse, SendError> {
        Ok(PushResponse {
            status,
            retry_after: retry_after.map(Duration::from_secs),
            body_excerpt: String::new(),
        })
    }

    fn decide_at(result: &Result<PushResponse, SendError>, attempt: u32) -> AttemptOutcome {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        decide(
            result,
            attempt,
            &SubscriptionId::from("s-1".to_owned()),
            &policy(),
            now,
            1.0,
        )
    }

    fn retry_delay(outcome: &AttemptOutcome) -> Duration {
        match outcome {
            AttemptOutcome::Retry {
                next_attempt_at, ..
            } => (*next_attempt_at - DateTime::<Utc>::UNIX_EPOCH)
                .to_std()
                .unwrap(),
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    #[test]
    fn a_2xx_answer_is_delivered() {
        assert_eq!(
            decide_at(&answered(201, None), 1),
            AttemptOutcome::Delivered { status_code: 201 }
        );
    }

    #[test]
    fn a_gone_subscription_expires() {
        for status in [404, 410] {
            assert!(
                matches!(
                    decide_at(&answered(status, None), 1),
                    AttemptOutcome::Expired { .. }
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn transient_failures_are_retried_with_growing_backoff() {
        for status in [408, 429, 500, 503] {
            let outcome = decide_at(&answered(status, None), 1);
            assert_eq!(retry_delay(&outcome), Duration::from_secs(2), "{status}");
        }
        assert_eq!(
            retry_delay(&decide_at(&answered(503, None), 2)),
            Duration::from_secs(4)
        );
        let network = Err(SendError::Connect("connection refused".into()));
        assert_eq!(retry_delay(&decide_at(&network, 1)), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_sets_the_minimum_wait() {
        assert_eq!(
            retry_delay(&decide_at(&answered(429, Some(30)), 1)),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn the_last_attempt_fails_with_the_last_error() {
        match decide_at(&answered(500, None), 3) {
            AttemptOutcome::Failed {
                status_code: Some(500),
                error,
            } => assert!(error.contains("500"), "{error}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn requests_that_cannot_succeed_fail_at_once() {
        for status in [400, 401, 403, 413] {
            match decide_at(&answered(status, None), 1) {
                AttemptOutcome::Failed { status_code, error } => {
                    assert_eq!(status_code, Some(status));
                    assert!(error.contains(&status.to_string()), "{error}");
                }
                other => panic!("{status}: {other:?}"),
            }
        }
        let too_large = Err(SendError::PayloadTooLarge {
            size: 5000,
            limit: 3052,
        });
        assert!(matches!(
            decide_at(&too_large, 1),
            AttemptOutcome::Failed {
                status_code: None,
                ..
            }
        ));
    }
}
