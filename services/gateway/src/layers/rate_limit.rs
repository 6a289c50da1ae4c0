//! Per-caller rate limits: per signed-in user, or per client IP before sign-in.

use std::{net::SocketAddr, num::NonZeroU32, sync::Arc};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use http::HeaderMap;

use crate::{error::Error, extract::Caller};

/// A keyed limiter shared by every rate-limited route.
#[derive(Debug, Clone)]
pub struct RateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    trust_forwarded_for: bool,
}

impl RateLimit {
    pub fn per_minute(requests: NonZeroU32, trust_forwarded_for: bool) -> Self {
        RateLimit {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(requests))),
            trust_forwarded_for,
        }
    }

    /// Forgets callers whose allowance is full again, so the key map does not grow forever.
    pub fn forget_idle_callers(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Takes one request from `key`'s allowance, or says how long to wait.
    fn check(&self, key: &String) -> Result<(), Error> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            let retry_after_secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            Error::RateLimited { retry_after_secs }
        })
    }

    fn caller_key(&self, request: &Request) -> String {
        if let Some(Caller(user_id)) = request.extensions().get::<Caller>() {
            return format!("user:{user_id}");
        }
        if self.trust_forwarded_for
            && let Some(client) = last_forwarded_for(request.headers())
        {
            return format!("ip:{client}");
        }
        match request.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(address)) => format!("ip:{}", address.ip()),
            None => "ip:unknown".to_owned(),
        }
    }
}

/// The address the load balancer saw, which it appends last; earlier entries are the client's
/// own say.
fn last_forwarded_for(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?;
    let last = value.rsplit(',').next()?.trim();
    (!last.is_empty()).then(|| last.to_owned())
}

/// Answers 429 with `Retry-After` once the caller used up its allowance. Runs after the auth
/// layer on signed-in routes, so it sees the [`Caller`].
pub async fn limit_rate(
    State(rate_limit): State<RateLimit>,
    request: Request,
    next: Next,
) -> Response {
    let key = rate_limit.caller_key(&request);
    match rate_limit.check(&key) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            tracing::info!(caller = %key, "rate limit exceeded");
            error.into_response_for(request.headers())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_balancers_entry_is_the_last_one() {
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", "1.1.1.1, 2.2.2.2".parse().unwrap());
        headers.append("x-forwarded-for", "3.3.3.3".parse().unwrap());
        assert_eq!(last_forwarded_for(&headers).as_deref(), Some("3.3.3.3"));
    }

    #[test]
    fn a_caller_is_refused_once_its_allowance_is_spent() {
        let rate_limit = RateLimit::per_minute(NonZeroU32::new(2).unwrap(), false);
        let key = "user:u-1".to_owned();
        assert!(rate_limit.check(&key).is_ok());
        assert!(rate_limit.check(&key).is_ok());
        let Err(Error::RateLimited { retry_after_secs }) = rate_limit.check(&key) else {
            panic!("the third request should be limited");
        };
        assert!((1..=30).contains(&retry_after_secs), "{retry_after_secs}");
        assert!(
            rate_limit.check(&"user:u-2".to_owned()).is_ok(),
            "another caller has its own allowance"
        );
    }
}
