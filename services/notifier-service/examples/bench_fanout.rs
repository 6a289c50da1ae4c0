//! The notifier side of `bench/run.sh`: against a running notifier-service, subscribes N
//! browsers whose endpoints are on the benchmark sink, calls `Notify` once, waits until the
//! sink's access log shows N pushes, and prints one JSON line of figures.
//!
//! Settings (environment): `NOTIFIER_URL`, `NOTIFIER_PID`, `SINK_ORIGIN`, `SINK_LOG` (nginx
//! access log with `$msec` per line), `N`, `LABEL`, and optionally the servers whose CPU is
//! reported apart: `SERVER_PIDS` (space separated, e.g. a private Redis) and `SERVER_COMMANDS`
//! (process names, e.g. `postgres`, whose backends start only when the notifier connects).

use std::{
    collections::HashMap,
    fs,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alert_platform::{grpc::connect_lazy, identity::user_request};
use alert_proto::v1::{
    NotificationMessage, NotifyRequest, SubscribeRequest,
    notifier_service_client::NotifierServiceClient, push_service_client::PushServiceClient,
};
use alert_webpush::{VapidKeys, b64};
use notifier_service::domain::{DeliveryId, NotifyCommand};
use rand::RngCore as _;

const USER: &str = "bench-user";
const PAYLOAD_BYTES: usize = 200;
/// Linux clock ticks per second (`getconf CLK_TCK`).
const CLOCK_TICKS: f64 = 100.0;

fn setting(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is required"))
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / CLOCK_TICKS
}

/// CPU seconds of the servers: the processes `pids` and every process named one of `commands`.
fn server_cpu_seconds(pids: &[String], commands: &[String]) -> HashMap<String, f64> {
    let mut found: HashMap<String, f64> = pids
        .iter()
        .map(|pid| (pid.clone(), cpu_seconds(pid)))
        .collect();
    if commands.is_empty() {
        return found;
    }
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        let Ok(command) = fs::read_to_string(entry.path().join("comm")) else {
            continue;
        };
        if commands.iter().any(|wanted| wanted == command.trim()) {
            found.insert(pid.clone(), cpu_seconds(&pid));
        }
    }
    found
}

/// Peak resident memory (VmHWM) of a process, in MiB.
fn peak_rss_mib(pid: &str) -> f64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| {
                    value
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The sink's access log, read as it grows: one `$msec` time per push.
struct SinkLog {
    path: String,
    read: usize,
    partial: String,
    times: Vec<f64>,
}

impl SinkLog {
    fn new(path: String) -> Self {
        SinkLog {
            path,
            read: 0,
            partial: String::new(),
            times: Vec::new(),
        }
    }

    /// Reads what was appended since the last call (reading the whole log every time would cost
    /// this process more CPU than the sender it measures).
    fn poll(&mut self) -> usize {
        use std::io::{Read as _, Seek as _, SeekFrom};
        let Ok(mut file) = fs::File::open(&self.path) else {
            return self.times.len();
        };
        if file.seek(SeekFrom::Start(self.read as u64)).is_ok() {
            self.read += file.read_to_string(&mut self.partial).unwrap_or(0);
        }
        let complete = self.partial.rfind('\n').map_or(0, |end| end + 1);
        self.times.extend(
            self.partial[..complete]
                .lines()
                .filter_map(|line| line.split_whitespace().next()?.parse::<f64>().ok()),
        );
        self.partial.drain(..complete);
        self.times.len()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A message whose push payload is exactly [`PAYLOAD_BYTES`].
fn message() -> NotifyRequest {
    let mut request = NotifyRequest {
        user_id: USER.to_owned(),
        message: Some(NotificationMessage {
            title: "Fine dust at your station".to_owned(),
            body: String::new(),
            url: "/alerts".to_owned(),
            tag: String::new(),
        }),
        dedupe_key: format!("bench:{}", uuid::Uuid::new_v4()),
        alert_id: "bench-alert".to_owned(),
        ttl_seconds: 0,
        urgency: 0,
    };
    let size = NotifyCommand::try_from(request.clone())
        .expect("valid message")
        .payload(&DeliveryId::generate())
        .len();
    request.message.as_mut().unwrap().body = "x".repeat(PAYLOAD_BYTES - size);
    request
}

#[tokio::main]
async fn main() {
    let notifier_url = setting("NOTIFIER_URL");
    let notifier_pid = setting("NOTIFIER_PID");
    let sink_origin = setting("SINK_ORIGIN");
    let sink_log = setting("SINK_LOG");
    let count: usize = setting("N").parse().expect("N is a number");
    let label = setting("LABEL");
    let list = |name: &str| -> Vec<String> {
        std::env::var(name)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    let server_pids = list("SERVER_PIDS");
    let server_commands = list("SERVER_COMMANDS");

    let channel = connect_lazy(&notifier_url).expect("valid NOTIFIER_URL");
    let push = PushServiceClient::new(channel.clone());
    let mut notifier = NotifierServiceClient::new(channel);

    let keys: Vec<(String, String)> = (0..count)
        .map(|_| {
            let mut auth = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut auth);
            (
                VapidKeys::generate().public_key_base64url(),
                b64::encode(&auth),
            )
        })
        .collect();
    for (chunk_index, chunk) in keys.chunks(64).enumerate() {
        let mut calls = tokio::task::JoinSet::new();
        for (index, (p256dh, auth)) in chunk.iter().enumerate() {
            let mut push = push.clone();
            let request = SubscribeRequest {
                endpoint: format!("{sink_origin}/push/{label}-{}", chunk_index * 64 + index),
                p256dh: p256dh.clone(),
                auth: auth.clone(),
            };
            calls.spawn(async move { push.subscribe(user_request(request, USER)).await });
        }
        while let Some(call) = calls.join_next().await {
            call.unwrap().expect("subscribe");
        }
    }

    let request = message();
    // The machine's one-minute load average as the fan-out starts: other work skews the figures.
    let load_average: f64 = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|loadavg| loadavg.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN);
    let cpu_before = cpu_seconds(&notifier_pid);
    let servers_before = server_cpu_seconds(&server_pids, &server_commands);
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let queued = notifier
        .notify(request)
        .await
        .expect("notify")
        .into_inner()
        .queued;
    let notify_ms = (SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        - started)
        * 1e3;
    assert_eq!(queued as usize, count, "every subscription got a delivery");
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    let mut sink = SinkLog::new(sink_log);
    while sink.poll() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {count} pushes arrived",
            sink.times.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let times = sink.times;
    let cpu = cpu_seconds(&notifier_pid) - cpu_before;
    // A server process that started meanwhile (a new connection's backend) counts in full.
    let servers: f64 = server_cpu_seconds(&server_pids, &server_commands)
        .iter()
        .map(|(pid, after)| after - servers_before.get(pid).copied().unwrap_or(0.0))
        .fold(0.0, |sum, cpu| sum + cpu);
    let mut latencies: Vec<f64> = times.iter().map(|t| (t - started) * 1e3).collect();
    latencies.sort_by(f64::total_cmp);
    let seconds = latencies.last().copied().unwrap_or(0.0) / 1e3;
    let figures = serde_json::json!({
        "sender": label,
        "pushes": times.len(),
        "seconds": seconds,
        "pushes_per_second": times.len() as f64 / seconds,
        "p50_ms": percentile(&latencies, 50.0),
        "p99_ms": percentile(&latencies, 99.0),
        "cpu_seconds_per_1000": cpu / count as f64 * 1000.0,
        "peak_rss_mib": peak_rss_mib(&notifier_pid),
        "server_cpu_seconds_per_1000": servers / count as f64 * 1000.0,
        "notify_ms": notify_ms,
        "load_average": load_average,
    });
    println!("{figures}");
}
