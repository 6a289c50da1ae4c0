//! The `alert-system` binary as a child process, to be killed with SIGKILL and started again on
//! the same database, as a crash and a restart of the task would.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use alert_platform::Env;

/// How long the binary may take to answer after it was started.
const START_PATIENCE: Duration = Duration::from_secs(60);

/// A running `alert-system` process; killed when dropped.
pub struct SystemProcess {
    child: Option<Child>,
    env: Env,
    port: u16,
}

impl SystemProcess {
    /// Starts the binary with exactly `env` (plus `PATH`) on a free port and waits until its
    /// gateway answers.
    pub async fn start(env: Env) -> SystemProcess {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free local port")
            .port();
        let mut process = SystemProcess {
            child: None,
            env: env.with("PORT", port.to_string()).with("HOST", "127.0.0.1"),
            port,
        };
        process.spawn().await;
        process
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn database_url(&self) -> String {
        self.env
            .required("DATABASE_URL")
            .expect("the process runs on PostgreSQL")
    }

    async fn spawn(&mut self) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_alert-system"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .envs(self.env.iter())
            .stdout(Stdio::null());
        if std::env::var_os("TEST_LOG").is_none() {
            command.stderr(Stdio::null());
        }
        self.child = Some(command.spawn().expect("the alert-system binary starts"));
        // The child binds when it is ready: poll it, there is no listener to hand over.
        let health = format!("{}/health", self.base_url());
        let http = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + START_PATIENCE;
        loop {
            let answer = http
                .get(&health)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if answer.is_ok_and(|answer| answer.status().is_success()) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "alert-system did not answer on port {} within {START_PATIENCE:?}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no shutdown, no draining, no release of claims.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the binary again, on the same port, database and data directory.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    /// SIGTERM, and waits until it has drained and exited.
    pub async fn terminate(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while child.try_wait().ok().flatten().is_none() {
            if tokio::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("alert-system did not stop within 30 s of SIGTERM");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SystemProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
