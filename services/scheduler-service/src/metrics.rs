//! scheduler-service's metrics (docs/decisions/0006-metrics.md). Every measurement carries the
//! backend (`local` or `eventbridge`) and, with EventBridge, the schedule group.
//!
//! | instrument | kind | attributes |
//! |---|---|---|
//! | `scheduler.sync.buckets` | gauge | `state`: synced, pending, failed |
//! | `scheduler.sync.attempts` | counter | `result`: synced, throttled, transient, permanent |
//! | `scheduler.aws.calls` | counter | `operation`: CreateSchedule, UpdateSchedule, … |
//! | `scheduler.reconcile.runs` | counter | `result`: ok, failed |
//! | `scheduler.reconcile.repairs` | counter | `repair`: create, update, delete |
//! | `scheduler.fires` | counter | `target`: bucket, alert; `delivery`: first, repeat, skipped |
//! | `scheduler.fires.runs` | counter | `target`: runs the first deliveries recorded |
//! | `scheduler.fanout.runs` | counter | `outcome`: done, retry, failed |
//!
//! The bucket gauge is the same in every replica (it is read from the shared table): aggregate it
//! with the maximum, not the sum.

use std::sync::{Arc, Mutex};

use opentelemetry::{
    KeyValue, global,
    metrics::{Counter, ObservableGauge},
};

use crate::{
    domain::FireTarget,
    eventbridge::ReconcileReport,
    store::{RecordedFire, SyncCounts},
};

/// The meter's name: this crate.
const METER: &str = "scheduler-service";

/// The service's instruments; cheap to clone. Build it after the MeterProvider is installed.
#[derive(Clone)]
pub struct SchedulerMetrics {
    base: Arc<[KeyValue]>,
    sync_attempts: Counter<u64>,
    aws_calls: Counter<u64>,
    reconcile_runs: Counter<u64>,
    reconcile_repairs: Counter<u64>,
    fires: Counter<u64>,
    fire_runs: Counter<u64>,
    fanout_runs: Counter<u64>,
}

impl SchedulerMetrics {
    /// Instruments for the local backend.
    pub fn local() -> SchedulerMetrics {
        SchedulerMetrics::with_base(vec![KeyValue::new("backend", "local")])
    }

    /// Instruments for the EventBridge backend syncing into `schedule_group`.
    pub fn eventbridge(schedule_group: &str) -> SchedulerMetrics {
        SchedulerMetrics::with_base(vec![
            KeyValue::new("backend", "eventbridge"),
            KeyValue::new("schedule_group", schedule_group.to_owned()),
        ])
    }

    fn with_base(base: Vec<KeyValue>) -> SchedulerMetrics {
        let meter = global::meter(METER);
        let counter = |name: &'static str, description: &'static str| {
            meter
                .u64_counter(name)
                .with_description(description)
                .build()
        };
        SchedulerMetrics {
            base: base.into(),
            sync_attempts: counter(
                "scheduler.sync.attempts",
                "Attempts to make a bucket's schedule match its members, by result",
            ),
            aws_calls: counter(
                "scheduler.aws.calls",
                "EventBridge Scheduler API calls made, by operation",
            ),
            reconcile_runs: counter(
                "scheduler.reconcile.runs",
                "Reconciliations of the schedule group, by result",
            ),
            reconcile_repairs: counter(
                "scheduler.reconcile.repairs",
                "Schedules reconciliation found missing (create), drifted (update) or orphaned (delete)",
            ),
            fires: counter(
                "scheduler.fires",
                "Fires received (trigger or local tick), by target and delivery",
            ),
            fire_runs: counter(
                "scheduler.fires.runs",
                "RunAlert calls owed by first deliveries of fires",
            ),
            fanout_runs: counter(
                "scheduler.fanout.runs",
                "RunAlert attempts of the fan-out, by outcome",
            ),
        }
    }

    fn attributes(&self, extra: &[KeyValue]) -> Vec<KeyValue> {
        self.base.iter().chain(extra).cloned().collect()
    }

    /// One sync attempt ended: `synced`, or the error kind.
    pub fn sync_attempt(&self, result: &'static str) {
        self.sync_attempts
            .add(1, &self.attributes(&[KeyValue::new("result", result)]));
    }

    pub fn aws_call(&self, operation: &'static str) {
        self.aws_calls.add(
            1,
            &self.attributes(&[KeyValue::new("operation", operation)]),
        );
    }

    /// A reconciliation ended, with its report when it finished.
    pub fn reconcile_run(&self, report: Option<&ReconcileReport>) {
        let result = if report.is_some() { "ok" } else { "failed" };
        self.reconcile_runs
            .add(1, &self.attributes(&[KeyValue::new("result", result)]));
        if let Some(report) = report {
            for (repair, schedules) in [
                ("create", &report.missing),
                ("update", &report.drifted),
                ("delete", &report.orphans),
            ] {
                self.reconcile_repairs.add(
                    u64::try_from(schedules.len()).unwrap_or(u64::MAX),
                    &self.attributes(&[KeyValue::new("repair", repair)]),
                );
            }
        }
    }

    /// A fire was recorded (a trigger, or a tick of the local scheduler).
    pub fn fire_recorded(&self, target: &FireTarget, recorded: RecordedFire) {
        let target_kind = match target {
            FireTarget::Bucket(_) => "bucket",
            FireTarget::Alert(_) => "alert",
        };
        let delivery = if recorded.first_delivery {
            "first"
        } else {
            "repeat"
        };
        self.count_fire(target_kind, delivery);
        if recorded.first_delivery {
            self.fire_runs.add(
                u64::from(recorded.alerts),
                &self.attributes(&[KeyValue::new("target", target_kind)]),
            );
        }
    }

    /// The local scheduler skipped a bucket's fire older than the grace period.
    pub fn fire_skipped(&self) {
        self.count_fire("bucket", "skipped");
    }

    fn count_fire(&self, target_kind: &'static str, delivery: &'static str) {
        self.fires.add(
            1,
            &self.attributes(&[
                KeyValue::new("target", target_kind),
                KeyValue::new("delivery", delivery),
            ]),
        );
    }

    /// A RunAlert attempt of the fan-out ended: `done`, `retry` or `failed`.
    pub fn fanout_run(&self, outcome: &'static str) {
        self.fanout_runs
            .add(1, &self.attributes(&[KeyValue::new("outcome", outcome)]));
    }

    /// Registers the bucket gauge, observing the counts last given to the returned handle.
    pub fn bucket_states(&self) -> BucketStates {
        let latest: Arc<Mutex<Option<SyncCounts>>> = Arc::default();
        let observed = latest.clone();
        let base = self.base.clone();
        let gauge = global::meter(METER)
            .u64_observable_gauge("scheduler.sync.buckets")
            .with_description("Buckets per sync state of their schedule")
            .with_callback(move |observer| {
                let Some(counts) = *observed.lock().expect("bucket counts lock") else {
                    return;
                };
                for (state, count) in [
                    ("synced", counts.synced),
                    ("pending", counts.pending),
                    ("failed", counts.failed),
                ] {
                    let attributes: Vec<KeyValue> = base
                        .iter()
                        .cloned()
                        .chain([KeyValue::new("state", state)])
                        .collect();
                    observer.observe(count, &attributes);
                }
            })
            .build();
        BucketStates {
            latest,
            _gauge: Arc::new(gauge),
        }
    }
}

/// The counts the bucket gauge reports; the sync worker refreshes them from the store.
#[derive(Clone)]
pub struct BucketStates {
    latest: Arc<Mutex<Option<SyncCounts>>>,
    _gauge: Arc<ObservableGauge<u64>>,
}

impl BucketStates {
    pub fn set(&self, counts: SyncCounts) {
        *self.latest.lock().expect("bucket counts lock") = Some(counts);
    }
}
