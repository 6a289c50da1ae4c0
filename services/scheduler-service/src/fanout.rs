//! The fan-out worker: runs the pending fire runs by calling alert-service `RunAlert`, with
//! bounded concurrency, retries with exponential backoff, and leases so that replicas never run
//! the same row at once and a crashed worker's rows are resumed.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use alert_platform::{clock::SharedClock, error::error_chain, timestamp::to_rfc3339};
use alert_proto::v1::{
    RunAlertRequest, RunOutcome, alert_runner_service_client::AlertRunnerServiceClient,
};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tonic::{Code, transport::Channel};
use tracing::{error, info, warn};

use crate::store::{FireRun, RunCompletion, RunKey, Store};

/// Attempts before a run is given up as failed.
pub const MAX_ATTEMPTS: u32 = 10;
/// The wait before the second attempt; it doubles with each attempt after that.
const FIRST_BACKOFF: chrono::Duration = chrono::Duration::seconds(1);
const MAX_BACKOFF: chrono::Duration = chrono::Duration::minutes(5);
/// How long one RunAlert call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a claim keeps other workers off a run: longer than a call may take, so only a
/// crashed worker's runs are taken over.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// Runs pending fire runs until stopped; see the module docs.
#[derive(Clone)]
pub struct FanOutWorker {
    store: Arc<dyn Store>,
    runner: AlertRunnerServiceClient<Channel>,
    clock: SharedClock,
    wake: Arc<Notify>,
    concurrency: usize,
    poll_interval: Duration,
}

impl FanOutWorker {
    pub fn new(
        store: Arc<dyn Store>,
        runner: Channel,
        clock: SharedClock,
        wake: Arc<Notify>,
        concurrency: usize,
        poll_interval: Duration,
    ) -> FanOutWorker {
        FanOutWorker {
            store,
            runner: AlertRunnerServiceClient::new(runner),
            clock,
            wake,
            concurrency: concurrency.max(1),
            poll_interval,
        }
    }

    /// Claims and runs due runs, woken by new fires and every poll interval, until `stop` is
    /// cancelled; then starts nothing new and returns once the calls in flight have finished.
    pub async fn run(self, stop: CancellationToken) {
        let in_flight = TaskTracker::new();
        let permits = Arc::new(Semaphore::new(self.concurrency));
        // Runs this worker is calling now; a claim that returns one again (its lease ran out on
        // a clock that jumped) must not start a second call.
        let running: Arc<Mutex<HashSet<RunKey>>> = Arc::default();
        while !stop.is_cancelled() {
            let free = permits.available_permits();
            if free > 0 {
                let now = self.clock.now();
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                match self.store.claim_runs(now, now + LEASE, limit).await {
                    Ok(runs) => {
                        for run in runs {
                            if !running
                                .lock()
                                .expect("running set poisoned")
                                .insert(run.key.clone())
                            {
                                continue;
                            }
                            let Ok(permit) = permits.clone().try_acquire_owned() else {
                                running
                                    .lock()
                                    .expect("running set poisoned")
                                    .remove(&run.key);
                                break;
                            };
                            let worker = self.clone();
                            let running = running.clone();
                            in_flight.spawn(async move {
                                let key = run.key.clone();
                                worker.attempt(run, permit).await;
                                running.lock().expect("running set poisoned").remove(&key);
                                // A permit is free again: claim more now rather than at the
                                // next poll, or a large fire runs one batch per poll interval.
                                worker.wake.notify_one();
                            });
                        }
                    }
                    Err(error) => error!(error = %error_chain(&error), "cannot claim fire runs"),
                }
            }
            tokio::select! {
                biased;
                () = stop.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.poll_interval) => {}
            }
        }
        in_flight.close();
        if !in_flight.is_empty() {
            info!(
                in_flight = in_flight.len(),
                "fan-out draining calls in flight"
            );
        }
        in_flight.wait().await;
        info!("fan-out stopped");
    }

    /// One attempt of a claimed run, settled in the store.
    async fn attempt(&self, run: FireRun, permit: OwnedSemaphorePermit) {
        let scheduled_time = to_rfc3339(run.key.scheduled_at);
        let request = RunAlertRequest {
            alert_id: run.key.alert_id.to_string(),
            scheduled_time: scheduled_time.clone(),
        };
        let mut runner = self.runner.clone();
        let result = tokio::time::timeout(CALL_TIMEOUT, runner.run_alert(request)).await;
        drop(permit);
        let completion = match result {
            Ok(Ok(response)) => {
                let response = response.into_inner();
                info!(
                    alert_id = %run.key.alert_id,
                    scheduled_time = %scheduled_time,
                    outcome = RunOutcome::try_from(response.outcome).unwrap_or_default().as_str_name(),
                    deliveries = response.deliveries,
                    "alert run"
                );
                RunCompletion::Done
            }
            Ok(Err(status)) if !is_retryable(status.code()) => {
                let error = format!("{:?}: {}", status.code(), status.message());
                error!(alert_id = %run.key.alert_id, scheduled_time = %scheduled_time, last_error = %error, "alert run rejected");
                RunCompletion::Failed { error }
            }
            Ok(Err(status)) => {
                self.retry_or_give_up(&run, format!("{:?}: {}", status.code(), status.message()))
            }
            Err(_) => self.retry_or_give_up(
                &run,
                format!("no answer within {}s", CALL_TIMEOUT.as_secs()),
            ),
        };
        if let Err(error) = self
            .store
            .complete_run(&run, &completion, self.clock.now())
            .await
        {
            // The lease runs out and the run is attempted again; RunAlert is idempotent.
            error!(alert_id = %run.key.alert_id, error = %error_chain(&error), "cannot record alert run");
        }
        self.wake.notify_one();
    }

    fn retry_or_give_up(&self, run: &FireRun, error: String) -> RunCompletion {
        if run.attempts >= MAX_ATTEMPTS {
            error!(
                alert_id = %run.key.alert_id,
                scheduled_time = %to_rfc3339(run.key.scheduled_at),
                attempts = run.attempts,
                last_error = %error,
                "alert run failed, giving up"
            );
            return RunCompletion::Failed { error };
        }
        let at = self.clock.now() + backoff(run.attempts);
        warn!(
            alert_id = %run.key.alert_id,
            scheduled_time = %to_rfc3339(run.key.scheduled_at),
            attempts = run.attempts,
            retry_at = %to_rfc3339(at),
            last_error = %error,
            "alert run failed, will retry"
        );
        RunCompletion::Retry { at, error }
    }
}

/// The wait after `attempts` failed attempts: 1s, 2s, 4s, … up to 5 minutes.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    (FIRST_BACKOFF * 2i32.pow(doublings)).min(MAX_BACKOFF)
}

/// Whether a failed RunAlert may succeed later: transport failures and server faults are
/// retried; a request alert-service rejects would be rejected again.
fn is_retryable(code: Code) -> bool {
    !matches!(
        code,
        Code::InvalidArgument
            | Code::NotFound
            | Code::AlreadyExists
            | Code::PermissionDenied
            | Code::Unauthenticated
            | Code::FailedPrecondition
            | Code::OutOfRange
            | Code::Unimplemented
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        assert_eq!(backoff(1), chrono::Duration::seconds(1));
        assert_eq!(backoff(2), chrono::Duration::seconds(2));
        assert_eq!(backoff(4), chrono::Duration::seconds(8));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }

    #[test]
    fn rejected_requests_are_not_retried() {
        assert!(!is_retryable(Code::InvalidArgument));
        assert!(!is_retryable(Code::NotFound));
        assert!(is_retryable(Code::Unavailable));
        assert!(is_retryable(Code::DeadlineExceeded));
    }
}
