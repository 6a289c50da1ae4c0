//! In-process single-flight: concurrent calls for one key share one piece of work.

use std::{collections::HashMap, future::Future, sync::Arc, sync::Mutex};

use futures::{
    FutureExt as _,
    future::{BoxFuture, Shared},
};

use crate::error::{AirQualityError, Result};

type Flight<T> = Shared<BoxFuture<'static, Result<T>>>;

/// The work in progress, by key.
pub(crate) struct SingleFlight<T> {
    flights: Arc<Mutex<HashMap<String, Flight<T>>>>,
}

impl<T> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight {
            flights: Arc::default(),
        }
    }
}

/// Whether this call started the work or joined work already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Leader,
    Follower,
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    /// Runs `work` for `key`, or waits for the run already in progress. The work runs in its own
    /// task, so it finishes (and fills the cache) even if every caller gives up waiting; its
    /// entry is removed when it finishes, after it has stored what it found.
    pub(crate) async fn run<F>(&self, key: &str, work: F) -> (Result<T>, Role)
    where
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let (flight, role) = {
            let mut flights = self.flights.lock().expect("single-flight lock poisoned");
            match flights.get(key) {
                Some(flight) => (flight.clone(), Role::Follower),
                None => {
                    let flight = self.spawn(key.to_owned(), work);
                    flights.insert(key.to_owned(), flight.clone());
                    (flight, Role::Leader)
                }
            }
        };
        (flight.await, role)
    }

    fn spawn<F>(&self, key: String, work: F) -> Flight<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let flights = Arc::clone(&self.flights);
        let task = tokio::spawn(async move {
            let result = work.await;
            flights
                .lock()
                .expect("single-flight lock poisoned")
                .remove(&key);
            result
        });
        async move {
            task.await.unwrap_or_else(|error| {
                Err(AirQualityError::Unreachable(format!(
                    "the air quality request stopped: {error}"
                )))
            })
        }
        .boxed()
        .shared()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn concurrent_calls_for_one_key_share_one_run() {
        let flights = Arc::new(SingleFlight::<usize>::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let calls = (0..100).map(|_| {
            let flights = Arc::clone(&flights);
            let runs = Arc::clone(&runs);
            async move {
                flights
                    .run("종로구", async move {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
                    })
                    .await
            }
        });
        let results = futures::future::join_all(calls).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(results.iter().all(|(result, _)| result == &Ok(1)));
        let leaders = results.iter().filter(|(_, role)| *role == Role::Leader);
        assert_eq!(leaders.count(), 1);
    }

    #[tokio::test]
    async fn a_finished_run_is_forgotten_so_the_next_call_runs_again() {
        let flights = SingleFlight::<u8>::default();
        assert_eq!(
            flights.run("a", async { Ok(1) }).await,
            (Ok(1), Role::Leader)
        );
        assert_eq!(
            flights.run("a", async { Ok(2) }).await,
            (Ok(2), Role::Leader)
        );
        assert_eq!(flights.run("b", async { Ok(3) }).await.0, Ok(3));
    }
}
