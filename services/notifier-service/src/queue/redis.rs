//! [`DeliveryQueue`] over Redis Streams: one stream of delivery ids read by a consumer group.
//!
//! - `enqueue` adds an id to the stream unless it is already waiting (a set of waiting ids makes
//!   it idempotent, so a sweep or a retried `Notify` never doubles an entry).
//! - `claim` reads new entries with `XREADGROUP` (blocking briefly when there is nothing), and
//!   takes over entries a dead consumer left pending longer than the lease with `XAUTOCLAIM`.
//! - An entry is acknowledged (`XACK` + `XDEL`) only after the push service answered and the
//!   outcome is in the database.
//! - A retry leaves the stream for a sorted set scored by its due time; `claim` moves due ones
//!   back to the stream, so a waiting retry never holds up other deliveries.
//! - After the last attempt the delivery goes to a dead-letter stream with its history.
//! - A sweep puts deliveries that are `queued` in the database but not waiting in Redis back on
//!   the stream: an enqueue that failed after `Notify` committed, or a Redis that restarted
//!   without its data. It runs at start and after every reconnection, and every sweep interval
//!   for the deliveries recorded before the last interval.
//!
//! Each multi-key step is one Lua script, so it is atomic and one round trip. All keys share the
//! `{prefix}` hash tag, so the scripts also run on a Redis cluster.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alert_platform::{clock::SharedClock, db::Database, error::error_chain};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fred::{
    prelude::{
        Builder, Client, ClientLike as _, Config as RedisConfig, EventInterface as _,
        ReconnectPolicy, StreamsInterface as _,
    },
    types::{Value, scripts::Script},
};
use sqlx::Row as _;
use tokio::time::Instant;
use tracing::{info, warn};

use super::{AttemptNote, ClaimedDelivery, DeliveryQueue, QueueError};
use crate::{config::RedisQueueConfig, domain::DeliveryId};

/// The consumer group every notifier replica reads with.
const GROUP: &str = "notifier";
/// Ids per `enqueue` or `complete` script call: keeps one call well under a millisecond of Redis
/// time, and within what Lua's `unpack` takes.
const SCRIPT_CHUNK: usize = 500;
/// Deliveries read per sweep query.
const SWEEP_PAGE: i64 = 1000;
/// Retries moved back to the stream per claim.
const MOVE_BATCH: usize = 256;
/// How long the history of a delivery that never finishes is kept.
const HISTORY_TTL_SECONDS: u64 = 7 * 24 * 3600;
/// The dead-letter stream is capped near this length.
const DEAD_LETTER_MAX_LEN: u64 = 100_000;

/// Adds each id not already waiting. KEYS: stream, waiting set. ARGV: ids. Returns the number
/// added.
const ENQUEUE: &str = r"
local added = 0
for _, id in ipairs(ARGV) do
  if redis.call('SADD', KEYS[2], id) == 1 then
    redis.call('XADD', KEYS[1], '*', 'id', id)
    added = added + 1
  end
end
return added";

/// Moves due retries to the stream. KEYS: retries, stream. ARGV: now (ms), limit. Returns
/// `{moved, due time of the next retry in ms or -1}`.
const MOVE_DUE: &str = r"
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(due) do
  redis.call('XADD', KEYS[2], '*', 'id', id)
  redis.call('ZREM', KEYS[1], id)
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if next[2] then
  return {#due, tonumber(next[2])}
end
return {#due, -1}";

/// Takes over entries pending longer than the lease. KEYS: stream. ARGV: group, consumer,
/// min idle (ms), cursor, count. Returns `{next cursor, entry id, delivery id, …}`.
const AUTOCLAIM: &str = r"
local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local out = {reply[1]}
for _, entry in ipairs(reply[2]) do
  if type(entry) == 'table' and type(entry[2]) == 'table' then
    for i = 1, #entry[2], 2 do
      if entry[2][i] == 'id' then
        table.insert(out, entry[1])
        table.insert(out, entry[2][i + 1])
      end
    end
  end
end
return out";

/// Acknowledges final deliveries. KEYS: stream, waiting set, then the history of each delivery.
/// ARGV: group, then the entry id and delivery id of each. Returns the number acknowledged.
const COMPLETE: &str = r"
local entries, ids = {}, {}
for i = 2, #ARGV, 2 do
  entries[#entries + 1] = ARGV[i]
  ids[#ids + 1] = ARGV[i + 1]
end
if #ids == 0 then
  return 0
end
redis.call('XACK', KEYS[1], ARGV[1], unpack(entries))
redis.call('XDEL', KEYS[1], unpack(entries))
redis.call('SREM', KEYS[2], unpack(ids))
redis.call('DEL', unpack(KEYS, 3))
return #ids";

/// Parks a delivery until its retry is due. KEYS: stream, retries, history. ARGV: group, entry
/// id, delivery id, due (ms), note (JSON or empty), history TTL (s).
const RETRY: &str = r"
if ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1";

/// Moves a delivery to the dead letters with its history. KEYS: stream, waiting set, history,
/// dead letters. ARGV: group, entry id, delivery id, last note (JSON), dead-letter cap.
const DEAD_LETTER: &str = r"
redis.call('RPUSH', KEYS[3], ARGV[4])
local history = redis.call('LRANGE', KEYS[3], 0, -1)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[3],
  'attempts', #history, 'history', '[' .. table.concat(history, ',') .. ']')
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('SREM', KEYS[2], ARGV[3])
redis.call('DEL', KEYS[3])
return 1";

/// Gives deliveries back for anyone to take now. KEYS: stream. ARGV: group, then the entry id
/// and delivery id of each. Returns the number given back.
const RELEASE: &str = r"
for i = 2, #ARGV, 2 do
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
  redis.call('XDEL', KEYS[1], ARGV[i])
  redis.call('XADD', KEYS[1], '*', 'id', ARGV[i + 1])
end
return (#ARGV - 1) / 2";

/// The Redis keys of one queue, all in the `{prefix}` hash slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisKeys {
    /// The stream of delivery ids to attempt.
    pub stream: String,
    /// Ids waiting in the stream or the retries (enqueue's idempotence).
    pub waiting: String,
    /// Sorted set of ids to retry, scored by due time (ms).
    pub retries: String,
    /// Stream of deliveries that failed their last attempt, with their history.
    pub dead_letters: String,
    prefix: String,
}

impl RedisKeys {
    pub fn new(prefix: &str) -> Self {
        RedisKeys {
            stream: format!("{{{prefix}}}:deliveries"),
            waiting: format!("{{{prefix}}}:waiting"),
            retries: format!("{{{prefix}}}:retries"),
            dead_letters: format!("{{{prefix}}}:dead-letters"),
            prefix: prefix.to_owned(),
        }
    }

    /// The failed attempts so far of one delivery (JSON notes).
    pub fn history(&self, id: &DeliveryId) -> String {
        format!("{{{}}}:history:{id}", self.prefix)
    }
}

struct Scripts {
    enqueue: Script,
    move_due: Script,
    autoclaim: Script,
    complete: Script,
    retry: Script,
    dead_letter: Script,
    release: Script,
}

impl Scripts {
    fn new() -> Self {
        Scripts {
            enqueue: Script::from_lua(ENQUEUE),
            move_due: Script::from_lua(MOVE_DUE),
            autoclaim: Script::from_lua(AUTOCLAIM),
            complete: Script::from_lua(COMPLETE),
            retry: Script::from_lua(RETRY),
            dead_letter: Script::from_lua(DEAD_LETTER),
            release: Script::from_lua(RELEASE),
        }
    }
}

/// What `claim` remembers between calls.
struct ClaimState {
    /// Where the next `XAUTOCLAIM` scan starts.
    autoclaim_cursor: String,
    next_autoclaim: Instant,
    next_sweep: Instant,
}

/// Redis Streams as the delivery queue; delivery state stays in the database.
pub struct RedisStreamsQueue {
    /// Everything but the blocking read, which would hold up the commands queued behind it.
    commands: Client,
    reader: Client,
    keys: RedisKeys,
    consumer: String,
    scripts: Scripts,
    database: Database,
    clock: SharedClock,
    max_wait: Duration,
    sweep_interval: Duration,
    /// Set on every reconnection: Redis may have restarted without its data.
    sweep_requested: Arc<AtomicBool>,
    state: Mutex<ClaimState>,
}

impl std::fmt::Debug for RedisStreamsQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStreamsQueue")
            .field("keys", &self.keys)
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

fn client(url: &str) -> Result<Client, QueueError> {
    let config = RedisConfig::from_url(url).map_err(QueueError::Redis)?;
    Builder::from_config(config)
        .with_connection_config(|connection| {
            connection.connection_timeout = Duration::from_secs(5);
            connection.internal_command_timeout = Duration::from_secs(5);
        })
        .with_performance_config(|performance| {
            performance.default_command_timeout = Duration::from_secs(10);
        })
        // Reconnect forever, backing off to 2 s: the service outlives a Redis restart.
        .set_policy(ReconnectPolicy::new_exponential(0, 50, 2000, 2))
        .build()
        .map_err(QueueError::Redis)
}

/// Whether Redis lost the group (it restarted empty, or someone deleted the stream).
fn is_missing_group(error: &fred::error::Error) -> bool {
    error.details().contains("NOGROUP") || error.details().contains("no such key")
}

impl RedisStreamsQueue {
    /// Connects (waiting at most 10 s for Redis), creates the consumer group if needed, and
    /// returns a queue whose idle `claim` waits at most `max_wait`. The first `claim` sweeps.
    pub async fn connect(
        config: &RedisQueueConfig,
        database: Database,
        clock: SharedClock,
        max_wait: Duration,
    ) -> Result<Self, QueueError> {
        let commands = client(&config.url)?;
        let reader = client(&config.url)?;
        for client in [&commands, &reader] {
            client.init().await.map_err(QueueError::Redis)?;
        }
        let sweep_requested = Arc::new(AtomicBool::new(true));
        let flag = Arc::clone(&sweep_requested);
        commands.on_reconnect(move |server| {
            let flag = Arc::clone(&flag);
            async move {
                info!(server = %server, "reconnected to redis, sweeping deliveries");
                flag.store(true, Ordering::Relaxed);
                Ok(())
            }
        });
        let now = Instant::now();
        let queue = RedisStreamsQueue {
            commands,
            reader,
            keys: RedisKeys::new(&config.key_prefix),
            consumer: format!("notifier-{}", uuid::Uuid::new_v4().simple()),
            scripts: Scripts::new(),
            database,
            clock,
            max_wait,
            sweep_interval: config.sweep_interval,
            sweep_requested,
            state: Mutex::new(ClaimState {
                autoclaim_cursor: "0-0".to_owned(),
                next_autoclaim: now,
                next_sweep: now + config.sweep_interval,
            }),
        };
        queue.create_group().await?;
        info!(consumer = %queue.consumer, stream = %queue.keys.stream, "redis streams queue ready");
        Ok(queue)
    }

    /// The keys this queue uses.
    pub fn keys(&self) -> &RedisKeys {
        &self.keys
    }

    /// The dead letters, oldest first: (delivery id, attempts, history as JSON).
    pub async fn dead_letters(&self) -> Result<Vec<(String, u32, String)>, QueueError> {
        let entries: Vec<(String, std::collections::HashMap<String, String>)> = self
            .commands
            .xrange(&self.keys.dead_letters, "-", "+", None)
            .await
            .map_err(QueueError::Redis)?;
        Ok(entries
            .into_iter()
            .map(|(_, fields)| {
                let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
                (
                    get("id"),
                    get("attempts").parse().unwrap_or(0),
                    get("history"),
                )
            })
            .collect())
    }

    async fn create_group(&self) -> Result<(), QueueError> {
        let created: Result<(), _> = self
            .commands
            .xgroup_create(&self.keys.stream, GROUP, "0", true)
            .await;
        match created {
            Ok(()) => Ok(()),
            Err(error) if error.details().contains("BUSYGROUP") => Ok(()),
            Err(error) => Err(QueueError::Redis(error)),
        }
    }

    /// After Redis lost the group: create it again and sweep before the next read.
    async fn recover(&self, error: fred::error::Error) -> QueueError {
        if is_missing_group(&error) {
            warn!(stream = %self.keys.stream, "redis lost the consumer group, recreating it and sweeping");
            self.sweep_requested.store(true, Ordering::Relaxed);
            if let Err(create_error) = self.create_group().await {
                return create_error;
            }
        }
        QueueError::Redis(error)
    }

    async fn add(&self, ids: &[String]) -> Result<u64, QueueError> {
        let mut added = 0;
        for chunk in ids.chunks(SCRIPT_CHUNK) {
            let count: u64 = self
                .scripts
                .enqueue
                .evalsha_with_reload(
                    &self.commands,
                    vec![self.keys.stream.clone(), self.keys.waiting.clone()],
                    chunk.to_vec(),
                )
                .await
                .map_err(QueueError::Redis)?;
            added += count;
        }
        Ok(added)
    }

    /// Puts every delivery the database holds as unfinished on the stream, unless it is waiting
    /// there already. Returns how many were added.
    pub async fn sweep(&self) -> Result<u64, QueueError> {
        self.sweep_recorded_before(None).await
    }

    /// [`sweep`](Self::sweep) of the deliveries recorded before `cutoff` (all when `None`).
    async fn sweep_recorded_before(
        &self,
        cutoff: Option<DateTime<Utc>>,
    ) -> Result<u64, QueueError> {
        let cutoff = cutoff.map_or(i64::MAX, |cutoff| cutoff.timestamp_millis());
        let mut after = String::new();
        let mut added = 0;
        loop {
            let ids: Vec<String> = sqlx::query(
                "SELECT id FROM deliveries WHERE status IN ('queued', 'sending') AND id > $1 \
                 AND created_at < $3 ORDER BY id LIMIT $2",
            )
            .bind(after.as_str())
            .bind(SWEEP_PAGE)
            .bind(cutoff)
            .fetch_all(&self.database.pool)
            .await
            .map_err(QueueError::Database)?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()
            .map_err(QueueError::Database)?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            added += self.add(&ids).await?;
            if (ids.len() as i64) < SWEEP_PAGE {
                break;
            }
        }
        if added > 0 {
            info!(added, "swept deliveries missing from redis onto the stream");
        }
        Ok(added)
    }

    async fn sweep_if_due(&self) -> Result<(), QueueError> {
        let now = Instant::now();
        let due = {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            now >= state.next_sweep
        };
        let requested = self.sweep_requested.swap(false, Ordering::Relaxed);
        if !(due || requested) {
            return Ok(());
        }
        // A periodic sweep leaves the deliveries of the last interval to the `Notify` that is
        // enqueueing them: in a burst they are most of the unfinished ones, and reading them all
        // back only to find them waiting cost the burst a query per thousand and a script call
        // per five hundred. One whose enqueue failed is taken by the next sweep. After a
        // reconnection (Redis may have lost them) and at start, every one is swept.
        let cutoff = chrono::Duration::from_std(self.sweep_interval)
            .ok()
            .and_then(|interval| self.clock.now().checked_sub_signed(interval))
            .filter(|_| !requested);
        let swept = self.sweep_recorded_before(cutoff).await;
        if swept.is_err() {
            self.sweep_requested.store(true, Ordering::Relaxed);
        }
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next_sweep = now + self.sweep_interval;
        swept.map(drop)
    }

    /// Takes over entries other consumers (dead ones) left pending longer than `lease`. Runs at
    /// most every quarter lease (and once a second at most), so a live queue pays nothing.
    async fn reclaim(
        &self,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, QueueError> {
        let now = Instant::now();
        let cursor = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if now < state.next_autoclaim {
                return Ok(Vec::new());
            }
            state.next_autoclaim = now + (lease / 4).min(Duration::from_secs(1));
            state.autoclaim_cursor.clone()
        };
        let reply: Vec<String> = self
            .scripts
            .autoclaim
            .evalsha_with_reload(
                &self.commands,
                vec![self.keys.stream.clone()],
                vec![
                    GROUP.to_owned(),
                    self.consumer.clone(),
                    lease.as_millis().to_string(),
                    cursor,
                    max.to_string(),
                ],
            )
            .await
            .map_err(QueueError::Redis)?;
        let Some((next_cursor, pairs)) = reply.split_first() else {
            return Err(QueueError::UnexpectedReply("empty XAUTOCLAIM reply".into()));
        };
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.autoclaim_cursor = next_cursor.clone();
            // More may be pending behind this batch: look again on the next claim.
            if next_cursor != "0-0" {
                state.next_autoclaim = now;
            }
        }
        let claimed: Vec<ClaimedDelivery> = pairs
            .chunks_exact(2)
            .map(|pair| ClaimedDelivery {
                id: DeliveryId::from(pair[1].clone()),
                receipt: Some(pair[0].clone()),
            })
            .collect();
        if !claimed.is_empty() {
            info!(
                count = claimed.len(),
                "took over deliveries a stopped worker left pending"
            );
        }
        Ok(claimed)
    }

    /// Moves due retries to the stream; returns when the next one falls due (ms), if any.
    async fn move_due_retries(&self) -> Result<Option<i64>, QueueError> {
        let (_moved, next_due): (i64, i64) = self
            .scripts
            .move_due
            .evalsha_with_reload(
                &self.commands,
                vec![self.keys.retries.clone(), self.keys.stream.clone()],
                vec![
                    self.clock.now().timestamp_millis().to_string(),
                    MOVE_BATCH.to_string(),
                ],
            )
            .await
            .map_err(QueueError::Redis)?;
        Ok((next_due >= 0).then_some(next_due))
    }

    async fn read_new(
        &self,
        max: usize,
        block: Option<Duration>,
    ) -> Result<Vec<ClaimedDelivery>, QueueError> {
        let block_ms = block.map(|wait| (wait.as_millis() as u64).max(1));
        let read: Result<Value, _> = self
            .reader
            .xreadgroup(
                GROUP,
                self.consumer.as_str(),
                Some(max as u64),
                block_ms,
                false,
                self.keys.stream.as_str(),
                ">",
            )
            .await;
        let read = match read {
            Ok(read) => read,
            Err(error) => return Err(self.recover(error).await),
        };
        let mut claimed = Vec::new();
        parse_stream_reply(read, &mut claimed)?;
        Ok(claimed)
    }

    fn receipt<'a>(&self, claimed: &'a ClaimedDelivery) -> Result<&'a str, QueueError> {
        claimed.receipt.as_deref().ok_or_else(|| {
            QueueError::UnexpectedReply(format!("delivery {} has no stream entry", claimed.id))
        })
    }

    /// The group, then the stream entry id and delivery id of each claimed delivery: the
    /// arguments of the scripts that settle many at once.
    fn entry_args(&self, claimed: &[ClaimedDelivery]) -> Result<Vec<String>, QueueError> {
        let mut args = Vec::with_capacity(2 * claimed.len() + 1);
        args.push(GROUP.to_owned());
        for delivery in claimed {
            args.push(self.receipt(delivery)?.to_owned());
            args.push(delivery.id.as_str().to_owned());
        }
        Ok(args)
    }

    fn stream_keys(&self, id: &DeliveryId) -> Vec<String> {
        vec![
            self.keys.stream.clone(),
            self.keys.waiting.clone(),
            self.keys.history(id),
        ]
    }
}

/// Collects `(entry id, delivery id)` from an `XREADGROUP` reply, in RESP2 (nested arrays) or
/// RESP3 (maps) form; nil means nothing arrived.
fn parse_stream_reply(reply: Value, claimed: &mut Vec<ClaimedDelivery>) -> Result<(), QueueError> {
    let unexpected = |what: &str| QueueError::UnexpectedReply(format!("XREADGROUP: {what}"));
    let streams: Vec<Value> = match reply {
        Value::Null => return Ok(()),
        Value::Array(streams) => streams
            .into_iter()
            .map(|stream| match stream {
                Value::Array(mut pair) if pair.len() == 2 => Ok(pair.remove(1)),
                _ => Err(unexpected("a stream is not [key, entries]")),
            })
            .collect::<Result<_, _>>()?,
        Value::Map(map) => map.inner().into_values().collect(),
        _ => return Err(unexpected("not an array or map")),
    };
    for entries in streams {
        let Value::Array(entries) = entries else {
            return Err(unexpected("entries are not an array"));
        };
        for entry in entries {
            let Value::Array(mut entry) = entry else {
                return Err(unexpected("an entry is not an array"));
            };
            if entry.len() != 2 {
                return Err(unexpected("an entry is not [id, fields]"));
            }
            let fields = entry.pop().unwrap_or(Value::Null);
            let entry_id = entry.pop().and_then(|id| id.into_string());
            let fields: Vec<Value> = match fields {
                Value::Array(fields) => fields,
                Value::Map(map) => map
                    .inner()
                    .into_iter()
                    .flat_map(|(key, value)| {
                        [
                            Value::from(key.as_str().unwrap_or_default().to_string()),
                            value,
                        ]
                    })
                    .collect(),
                // A pending entry deleted meanwhile has nil fields: nothing to do for it.
                _ => continue,
            };
            let delivery_id = fields
                .chunks_exact(2)
                .find(|pair| pair[0].as_str().as_deref() == Some("id"))
                .and_then(|pair| pair[1].clone().into_string());
            if let (Some(entry_id), Some(delivery_id)) = (entry_id, delivery_id) {
                claimed.push(ClaimedDelivery {
                    id: DeliveryId::from(delivery_id),
                    receipt: Some(entry_id),
                });
            }
        }
    }
    Ok(())
}

fn note_json(note: &AttemptNote) -> String {
    serde_json::to_string(note).unwrap_or_else(|_| "{}".to_owned())
}

#[async_trait]
impl DeliveryQueue for RedisStreamsQueue {
    async fn enqueue(&self, ids: &[DeliveryId]) -> Result<(), QueueError> {
        let ids: Vec<String> = ids.iter().map(|id| id.as_str().to_owned()).collect();
        self.add(&ids).await.map(drop)
    }

    async fn claim(&self, max: usize, lease: Duration) -> Result<Vec<ClaimedDelivery>, QueueError> {
        if let Err(error) = self.sweep_if_due().await {
            warn!(error = %error_chain(&error), "cannot sweep deliveries onto the stream");
        }
        let mut claimed = match self.reclaim(max, lease).await {
            Ok(claimed) => claimed,
            Err(QueueError::Redis(error)) => return Err(self.recover(error).await),
            Err(error) => return Err(error),
        };
        if claimed.len() >= max {
            return Ok(claimed);
        }
        let next_due = self.move_due_retries().await?;
        let block = claimed.is_empty().then(|| {
            let until_due = next_due.map(|due| {
                let millis = due - self.clock.now().timestamp_millis();
                Duration::from_millis(millis.max(1) as u64)
            });
            until_due.map_or(self.max_wait, |wait| wait.min(self.max_wait))
        });
        claimed.extend(self.read_new(max - claimed.len(), block).await?);
        Ok(claimed)
    }

    async fn complete(&self, claimed: &[ClaimedDelivery]) -> Result<(), QueueError> {
        for chunk in claimed.chunks(SCRIPT_CHUNK) {
            let mut keys = vec![self.keys.stream.clone(), self.keys.waiting.clone()];
            keys.extend(chunk.iter().map(|delivery| self.keys.history(&delivery.id)));
            self.scripts
                .complete
                .evalsha_with_reload::<(), _, _>(&self.commands, keys, self.entry_args(chunk)?)
                .await
                .map_err(QueueError::Redis)?;
        }
        Ok(())
    }

    async fn retry_at(
        &self,
        claimed: &ClaimedDelivery,
        when: DateTime<Utc>,
        note: Option<&AttemptNote>,
    ) -> Result<(), QueueError> {
        let receipt = self.receipt(claimed)?;
        let keys = vec![
            self.keys.stream.clone(),
            self.keys.retries.clone(),
            self.keys.history(&claimed.id),
        ];
        self.scripts
            .retry
            .evalsha_with_reload::<(), _, _>(
                &self.commands,
                keys,
                vec![
                    GROUP.to_owned(),
                    receipt.to_owned(),
                    claimed.id.as_str().to_owned(),
                    when.timestamp_millis().to_string(),
                    note.map(note_json).unwrap_or_default(),
                    HISTORY_TTL_SECONDS.to_string(),
                ],
            )
            .await
            .map_err(QueueError::Redis)
    }

    async fn dead_letter(
        &self,
        claimed: &ClaimedDelivery,
        note: &AttemptNote,
    ) -> Result<(), QueueError> {
        let receipt = self.receipt(claimed)?;
        let mut keys = self.stream_keys(&claimed.id);
        keys.push(self.keys.dead_letters.clone());
        self.scripts
            .dead_letter
            .evalsha_with_reload::<(), _, _>(
                &self.commands,
                keys,
                vec![
                    GROUP.to_owned(),
                    receipt.to_owned(),
                    claimed.id.as_str().to_owned(),
                    note_json(note),
                    DEAD_LETTER_MAX_LEN.to_string(),
                ],
            )
            .await
            .map_err(QueueError::Redis)
    }

    async fn release(&self, claimed: &[ClaimedDelivery]) -> Result<(), QueueError> {
        for chunk in claimed.chunks(SCRIPT_CHUNK) {
            self.scripts
                .release
                .evalsha_with_reload::<(), _, _>(
                    &self.commands,
                    vec![self.keys.stream.clone()],
                    self.entry_args(chunk)?,
                )
                .await
                .map_err(QueueError::Redis)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_shares_one_hash_slot() {
        let keys = RedisKeys::new("notifier");
        let id = DeliveryId::from("d-1".to_owned());
        for key in [
            &keys.stream,
            &keys.waiting,
            &keys.retries,
            &keys.dead_letters,
            &keys.history(&id),
        ] {
            assert!(key.starts_with("{notifier}:"), "{key}");
        }
    }
}
