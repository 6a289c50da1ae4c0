//! scheduler-service's metrics, read back from a recording MeterProvider: they say what the
//! sync-state RPC says, and they count what AWS (through a counting proxy), the reconciler and the
//! fan-out saw. Each test uses a schedule group of its own, the attribute that keeps its
//! measurements apart from those of the other tests in this binary.

use alert_platform::metrics::testing::{RecordedMetrics, Snapshot};
use alert_proto::v1::{ListBucketSyncStatesRequest, ListBucketSyncStatesResponse};

use crate::{
    helpers::{TestApp, TestSetup, eventually},
    moto::{self, Moto, ThrottlingProxy},
};

/// Calls the first answers of AWS throttle.
const THROTTLED: usize = 3;

struct MeteredApp {
    app: TestApp,
    moto: Moto,
    proxy: ThrottlingProxy,
    group: String,
    metrics: &'static RecordedMetrics,
}

impl MeteredApp {
    /// An EventBridge app on a fresh group of its own, reaching moto through a proxy that
    /// throttles the first `throttle` calls.
    async fn start(throttle: usize) -> MeteredApp {
        let metrics = RecordedMetrics::install();
        let moto = Moto::start().await;
        let group = format!("alert-system-test-{}", uuid::Uuid::new_v4().simple());
        moto.create_group_named(&group).await;
        let proxy = ThrottlingProxy::start(moto.url(), throttle).await;
        let mut setup = TestSetup::new().await;
        setup.eventbridge = Some(moto::eventbridge_config(
            &proxy.url,
            &[("SCHEDULE_GROUP_NAME", group.as_str())],
        ));
        setup.system_clock = true;
        MeteredApp {
            app: setup.spawn().await,
            moto,
            proxy,
            group,
            metrics,
        }
    }

    async fn sync_states(&self) -> ListBucketSyncStatesResponse {
        self.app
            .sync_client
            .clone()
            .list_bucket_sync_states(ListBucketSyncStatesRequest::default())
            .await
            .expect("list bucket sync states")
            .into_inner()
    }

    /// A measurement of this app's group.
    fn count(&self, snapshot: &Snapshot, name: &str, attributes: &[(&str, &str)]) -> u64 {
        let mut matching = vec![("schedule_group", self.group.as_str())];
        matching.extend_from_slice(attributes);
        snapshot.count(name, &matching)
    }

    /// Whether the bucket gauge reports exactly the RPC's counts per state.
    fn gauge_matches(&self, snapshot: &Snapshot, rpc: &ListBucketSyncStatesResponse) -> bool {
        let gauge = |state| self.count(snapshot, "scheduler.sync.buckets", &[("state", state)]);
        (gauge("synced"), gauge("pending"), gauge("failed"))
            == (rpc.synced, rpc.pending, rpc.failed)
    }

    /// Waits until the RPC reports `(synced, pending, failed)` and the gauge agrees.
    async fn wait_for_states(&self, expected: (u64, u64, u64)) {
        eventually(
            &format!("the rpc and the bucket gauge report {expected:?}"),
            || async {
                let rpc = self.sync_states().await;
                (rpc.synced, rpc.pending, rpc.failed) == expected
                    && self.gauge_matches(&self.metrics.collect(), &rpc)
            },
        )
        .await;
    }
}

#[tokio::test]
async fn the_bucket_gauge_and_the_sync_counters_agree_with_the_sync_state_rpc_and_aws() {
    let mut metered = MeteredApp::start(THROTTLED).await;
    let app = &metered.app;
    let daily = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-2", "0 8 * * *", "Asia/Seoul", true).await;
    let weekly = app
        .upsert("alert-3", "30 7 * * MON", "Europe/Berlin", true)
        .await;
    metered.wait_for_states((2, 0, 0)).await;
    eventually("the first reconciliation finished", || async {
        !metered.sync_states().await.last_reconcile_time.is_empty()
    })
    .await;

    let snapshot = metered.metrics.collect();
    let calls = |operation| {
        metered.count(
            &snapshot,
            "scheduler.aws.calls",
            &[("operation", operation)],
        )
    };
    let attempts =
        |result| metered.count(&snapshot, "scheduler.sync.attempts", &[("result", result)]);
    let rpc = metered.sync_states().await;
    assert_eq!(
        metered.count(&snapshot, "scheduler.aws.calls", &[]),
        rpc.api_calls,
        "the calls the metric counts are the calls the rpc counts"
    );
    assert_eq!(
        rpc.api_calls as usize,
        metered.proxy.throttled() + metered.proxy.forwarded(),
        "and the calls AWS received"
    );
    assert_eq!(metered.proxy.throttled(), THROTTLED);
    // Every throttled answer ended a sync attempt or a reconciliation.
    assert_eq!(
        attempts("throttled")
            + metered.count(
                &snapshot,
                "scheduler.reconcile.runs",
                &[("result", "failed")]
            ),
        THROTTLED as u64
    );
    // Every attempt starts with one CreateSchedule (present) or DeleteSchedule (absent).
    assert_eq!(
        attempts("synced") + attempts("throttled") + attempts("transient") + attempts("permanent"),
        calls("CreateSchedule") + calls("DeleteSchedule")
    );
    assert!(attempts("synced") >= 2, "both buckets were synced");

    // Behind our back: one schedule gone, one changed, one orphan of ours.
    let group = metered.group.as_str();
    let orphan = "alert-0123456789abcdef01234567";
    metered
        .moto
        .delete_schedule_behind_our_back(group, &daily)
        .await;
    metered
        .moto
        .change_expression_behind_our_back(group, &weekly, "cron(45 7 ? * MON *)")
        .await;
    metered
        .moto
        .create_schedule_behind_our_back(group, orphan, "cron(0 1 * * ? *)")
        .await;
    let runs_before = metered.count(&snapshot, "scheduler.reconcile.runs", &[("result", "ok")]);
    let parts = app.eventbridge.clone().expect("eventbridge backend");
    parts.reconciler.reconcile().await.expect("reconciled");
    let snapshot = metered.metrics.collect();
    let repairs = |repair| {
        metered.count(
            &snapshot,
            "scheduler.reconcile.repairs",
            &[("repair", repair)],
        )
    };
    assert_eq!(
        (repairs("create"), repairs("update"), repairs("delete")),
        (1, 1, 1)
    );
    assert_eq!(
        metered.count(&snapshot, "scheduler.reconcile.runs", &[("result", "ok")]),
        runs_before + 1
    );
    // The orphan's row goes once it is deleted; the repaired buckets are synced again.
    metered.wait_for_states((2, 0, 0)).await;

    // AWS down: a new bucket waits, and the gauge shows it pending, as the rpc does.
    metered.moto.stop();
    app.upsert("alert-4", "0 21 * * *", "UTC", true).await;
    metered.wait_for_states((2, 1, 0)).await;
    let snapshot = metered.metrics.collect();
    assert!(
        metered.count(
            &snapshot,
            "scheduler.sync.attempts",
            &[("result", "transient")]
        ) >= 1,
        "the failed attempts are counted as transient"
    );
    metered.moto.restart().await;
    metered.moto.create_group_named(&metered.group).await;
    metered.wait_for_states((3, 0, 0)).await;
    metered.app.stop().await;
}

#[tokio::test]
async fn fires_and_their_fan_out_runs_are_counted() {
    let metered = MeteredApp::start(0).await;
    let app = &metered.app;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-2", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-3", "0 8 * * *", "Asia/Seoul", false)
        .await;

    // EventBridge delivers at least once: the same trigger twice. (The app runs on the wall
    // clock: a fire before the alerts joined would not include them.)
    let scheduled_time =
        alert_platform::timestamp::to_rfc3339(chrono::Utc::now() + chrono::Duration::hours(1));
    app.fire_bucket(&key, &scheduled_time).await;
    app.fire_bucket(&key, &scheduled_time).await;
    app.runner.wait_for_successes(2).await;
    eventually("both runs are counted as done", || async {
        let snapshot = metered.metrics.collect();
        metered.count(&snapshot, "scheduler.fanout.runs", &[("outcome", "done")]) == 2
    })
    .await;
    let snapshot = metered.metrics.collect();
    let fires = |delivery| {
        metered.count(
            &snapshot,
            "scheduler.fires",
            &[("target", "bucket"), ("delivery", delivery)],
        )
    };
    assert_eq!((fires("first"), fires("repeat")), (1, 1));
    assert_eq!(
        metered.count(&snapshot, "scheduler.fires.runs", &[("target", "bucket")]),
        2,
        "the enabled members only"
    );
    assert_eq!(
        metered.count(&snapshot, "scheduler.fanout.runs", &[("outcome", "retry")])
            + metered.count(&snapshot, "scheduler.fanout.runs", &[("outcome", "failed")]),
        0
    );
    metered.app.stop().await;
}
