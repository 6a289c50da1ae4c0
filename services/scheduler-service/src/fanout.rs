//! The fan-out worker: runs the pending fire runs by calling alert-service `RunAlert`, with
//! bounded concurrency, retries with exponential backoff, and leases so that replicas never run
//! the same row at once and a crashed worker's rows are resumed.
//!
//! The database sees one statement per batch, not per run: a claim takes the due runs for every
//! free slot once half the slots are free, and one recorder task writes the outcomes of all the
//! calls that finished meanwhile in one transaction.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use alert_platform::{clock::SharedClock, error::error_chain, timestamp::to_rfc3339};
use alert_proto::v1::{
    RunAlertRequest, RunOutcome, alert_runner_service_client::AlertRunnerServiceClient,
};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tonic::{Code, transport::Channel};
use tracing::{error, info, warn};

use crate::{
    metrics::SchedulerMetrics,
    store::{FireRun, RunCompletion, RunKey, Store},
};

/// Attempts before a run is given up as failed.
pub const MAX_ATTEMPTS: u32 = 10;
/// Settled runs recorded in one transaction at most.
const SETTLE_BATCH: usize = 256;
/// The wait before the second attempt; it doubles with each attempt after that.
const FIRST_BACKOFF: chrono::Duration = chrono::Duration::seconds(1);
const MAX_BACKOFF: chrono::Duration = chrono::Duration::minutes(5);

/// Runs pending fire runs until stopped; see the module docs.
#[derive(Clone)]
pub struct FanOutWorker {
    store: Arc<dyn Store>,
    runner: AlertRunnerServiceClient<Channel>,
    clock: SharedClock,
    wake: Arc<Notify>,
    concurrency: usize,
    poll_interval: Duration,
    /// How long one RunAlert call may take.
    call_timeout: Duration,
    /// How long a claim keeps other workers off a run: twice a call's timeout, so that only a
    /// crashed worker's runs are taken over.
    lease: chrono::Duration,
    metrics: SchedulerMetrics,
}

/// How the fan-out runs.
#[derive(Debug, Clone, Copy)]
pub struct FanOutSettings {
    /// RunAlert calls in flight at once.
    pub concurrency: usize,
    /// How often it looks for due runs when nothing woke it.
    pub poll_interval: Duration,
    pub call_timeout: Duration,
}

impl FanOutWorker {
    pub fn new(
        store: Arc<dyn Store>,
        runner: Channel,
        clock: SharedClock,
        wake: Arc<Notify>,
        settings: FanOutSettings,
        metrics: SchedulerMetrics,
    ) -> FanOutWorker {
        FanOutWorker {
            store,
            runner: AlertRunnerServiceClient::new(runner),
            clock,
            wake,
            concurrency: settings.concurrency.max(1),
            poll_interval: settings.poll_interval,
            call_timeout: settings.call_timeout,
            lease: chrono::Duration::from_std(settings.call_timeout * 2)
                .unwrap_or(chrono::Duration::MAX),
            metrics,
        }
    }

    /// Claims and runs due runs, woken by new fires and every poll interval, until `stop` is
    /// cancelled; then starts nothing new and returns once the calls in flight have finished and
    /// their outcomes are recorded.
    pub async fn run(self, stop: CancellationToken) {
        let in_flight = TaskTracker::new();
        let permits = Arc::new(Semaphore::new(self.concurrency));
        // Runs this worker is calling or recording now; a claim that returns one again (its
        // lease ran out on a clock that jumped) must not start a second call.
        let running: Arc<Mutex<HashSet<RunKey>>> = Arc::default();
        let (settled_tx, settled_rx) = mpsc::unbounded_channel();
        let recorder = tokio::spawn(self.clone().record(settled_rx, running.clone()));
        // Claims wait until half the slots are free, so each claim takes a batch of runs rather
        // than one run per finished call.
        let claim_when_free = self.concurrency.div_ceil(2);
        while !stop.is_cancelled() {
            let free = permits.available_permits();
            if free >= claim_when_free {
                let now = self.clock.now();
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                match self.store.claim_runs(now, now + self.lease, limit).await {
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
                            let settled_tx = settled_tx.clone();
                            in_flight.spawn(async move {
                                let completion = worker.attempt(&run, permit).await;
                                // The recorder outlives every attempt; a send fails only if it
                                // panicked, and then the lease hands the run on.
                                let _ = settled_tx.send((run, completion));
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
        drop(settled_tx);
        if let Err(error) = recorder.await {
            error!(%error, "fan-out recorder failed");
        }
        info!("fan-out stopped");
    }

    /// Records settled runs, as many per transaction as have finished meanwhile: one commit per
    /// batch instead of one per run.
    async fn record(
        self,
        mut settled_rx: mpsc::UnboundedReceiver<(FireRun, RunCompletion)>,
        running: Arc<Mutex<HashSet<RunKey>>>,
    ) {
        let mut batch = Vec::with_capacity(SETTLE_BATCH);
        while settled_rx.recv_many(&mut batch, SETTLE_BATCH).await > 0 {
            if let Err(error) = self.store.complete_runs(&batch, self.clock.now()).await {
                // The leases run out and the runs are attempted again; RunAlert is idempotent.
                error!(runs = batch.len(), error = %error_chain(&error), "cannot record alert runs");
            }
            let mut running = running.lock().expect("running set poisoned");
            for (run, _) in batch.drain(..) {
                running.remove(&run.key);
            }
        }
    }

    /// One attempt of a claimed run: how it ended.
    async fn attempt(&self, run: &FireRun, permit: OwnedSemaphorePermit) -> RunCompletion {
        let scheduled_time = to_rfc3339(run.key.scheduled_at);
        let request = RunAlertRequest {
            alert_id: run.key.alert_id.to_string(),
            scheduled_time: scheduled_time.clone(),
        };
        let mut runner = self.runner.clone();
        let result = tokio::time::timeout(self.call_timeout, runner.run_alert(request)).await;
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
                self.retry_or_give_up(run, format!("{:?}: {}", status.code(), status.message()))
            }
            Err(_) => {
                self.retry_or_give_up(run, format!("no answer within {:?}", self.call_timeout))
            }
        };
        self.metrics.fanout_run(match completion {
            RunCompletion::Done => "done",
            RunCompletion::Retry { .. } => "retry",
            RunCompletion::Failed { .. } => "failed",
        });
        completion
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
