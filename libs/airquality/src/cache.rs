//! Where cached answers live: Redis when configured, so every replica shares them, else memory.
//!
//! The cache is best effort: a Redis that is down makes every `get` a miss and every `put` a
//! no-op (logged), so alerts still go out, just with more upstream calls.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use fred::{
    clients::Pool,
    interfaces::{KeysInterface as _, LuaInterface as _},
    types::{Expiration, SetOptions, Value},
};
use tracing::warn;

/// A key-value store with expiry and a lock, shared by the replicas that use it.
#[async_trait]
pub trait SharedCache: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Option<Vec<u8>>;
    async fn put(&self, key: &str, value: &[u8], ttl: Duration);
    /// Best-effort cross-replica lock for single-flight (Redis SET NX PX); memory: always true.
    async fn try_lock(&self, key: &str, ttl: Duration) -> bool;
    async fn unlock(&self, key: &str);
}

/// The cache of one process (the embedded mode).
#[derive(Debug, Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<String, (Instant, Vec<u8>)>>,
}

/// Past this many entries a `put` first drops the expired ones (there are about 650 stations).
const MEMORY_SWEEP_THRESHOLD: usize = 4096;

impl MemoryCache {
    pub fn new() -> MemoryCache {
        MemoryCache::default()
    }
}

#[async_trait]
impl SharedCache for MemoryCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let entries = self.entries.lock().expect("memory cache lock poisoned");
        entries
            .get(key)
            .filter(|(expires_at, _)| *expires_at > Instant::now())
            .map(|(_, value)| value.clone())
    }

    async fn put(&self, key: &str, value: &[u8], ttl: Duration) {
        let now = Instant::now();
        let mut entries = self.entries.lock().expect("memory cache lock poisoned");
        if entries.len() >= MEMORY_SWEEP_THRESHOLD {
            entries.retain(|_, (expires_at, _)| *expires_at > now);
        }
        entries.insert(key.to_owned(), (now + ttl, value.to_vec()));
    }

    /// One process needs no lock beyond its own single-flight.
    async fn try_lock(&self, _key: &str, _ttl: Duration) -> bool {
        true
    }

    async fn unlock(&self, _key: &str) {}
}

/// The cache shared by all replicas, in Redis.
pub struct RedisCache {
    pool: Pool,
    key_prefix: String,
    /// Written into the locks this replica takes, so it only ever releases its own.
    lock_owner: String,
    /// Set when a command failed: Redis is skipped until then.
    paused_until: Mutex<Option<Instant>>,
}

/// Deletes the lock only if this replica still holds it. KEYS: lock. ARGV: owner.
const UNLOCK_IF_OWNER: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

impl RedisCache {
    /// Keys are `{key_prefix}:…`; the pool should already be connected (`init`).
    pub fn new(pool: Pool, key_prefix: &str) -> RedisCache {
        RedisCache {
            pool,
            key_prefix: key_prefix.to_owned(),
            lock_owner: uuid::Uuid::new_v4().to_string(),
            paused_until: Mutex::new(None),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.key_prefix)
    }

    fn lock_key(&self, key: &str) -> String {
        format!("{}:lock:{key}", self.key_prefix)
    }
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

/// No cache operation may hold up an alert longer than this: a Redis that hangs (reconnecting,
/// overloaded) counts as a miss.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// After a failed command, Redis is left alone this long: an outage costs one timeout per pause,
/// not one per command.
const REDIS_PAUSE: Duration = Duration::from_secs(5);

impl RedisCache {
    /// Runs one command within [`REDIS_TIMEOUT`], unless Redis failed moments ago. A failure or
    /// a timeout is logged, pauses Redis use, and is `None`.
    async fn bounded<T>(
        &self,
        what: &str,
        key: &str,
        command: impl std::future::Future<Output = Result<T, fred::error::Error>>,
    ) -> Option<T> {
        let paused_until = *self.paused_until.lock().expect("redis pause lock poisoned");
        if paused_until.is_some_and(|until| Instant::now() < until) {
            return None;
        }
        let failure = match tokio::time::timeout(REDIS_TIMEOUT, command).await {
            Ok(Ok(value)) => return Some(value),
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no answer within {REDIS_TIMEOUT:?}"),
        };
        warn!(key, error = %failure, "air quality cache {what} failed, not using redis for {REDIS_PAUSE:?}");
        *self.paused_until.lock().expect("redis pause lock poisoned") =
            Some(Instant::now() + REDIS_PAUSE);
        None
    }
}

/// Redis wants at least one millisecond.
fn milliseconds(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1)
}

#[async_trait]
impl SharedCache for RedisCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let command = self.pool.get::<Option<Vec<u8>>, _>(self.key(key));
        self.bounded("read", key, command).await.flatten()
    }

    async fn put(&self, key: &str, value: &[u8], ttl: Duration) {
        let command = self.pool.set::<(), _, _>(
            self.key(key),
            Value::Bytes(value.to_vec().into()),
            Some(Expiration::PX(milliseconds(ttl))),
            None,
            false,
        );
        self.bounded("write", key, command).await;
    }

    /// Without a working Redis there is nobody to coordinate with: the lock is granted.
    async fn try_lock(&self, key: &str, ttl: Duration) -> bool {
        let command = self.pool.set::<Option<String>, _, _>(
            self.lock_key(key),
            self.lock_owner.as_str(),
            Some(Expiration::PX(milliseconds(ttl))),
            Some(SetOptions::NX),
            false,
        );
        self.bounded("lock", key, command)
            .await
            .is_none_or(|reply| reply.is_some())
    }

    async fn unlock(&self, key: &str) {
        let command = self.pool.eval::<i64, _, _, _>(
            UNLOCK_IF_OWNER,
            vec![self.lock_key(key)],
            vec![self.lock_owner.clone()],
        );
        self.bounded("unlock", key, command).await;
    }
}
