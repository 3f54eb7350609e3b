//! A throw-away Kafka-protocol broker on 127.0.0.1 for end-to-end tests.
//!
//! Debian has no Kafka; the tests use `tansu` (an Apache Kafka-compatible broker from
//! crates.io, installed with `cargo install --locked tansu --features dynostore`: its
//! default features have no storage engine) with in-memory storage. The binary is
//! `POLEPOS_TANSU` when set, otherwise `tansu` on `PATH`; a missing binary fails the
//! test (a skipped broker test would pass silently). The broker does not create topics
//! on first use, so clients create theirs. Dropping the fixture stops it by PID.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Environment variables tansu reads as defaults for its options; a developer's values
/// must not point the test broker elsewhere (or make it export telemetry).
const TANSU_ENV: &[&str] = &[
    "ADVERTISED_LISTENER_URL",
    "CLUSTER_ID",
    "DATA_LAKE",
    "LISTENER_URL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "SCHEMA_REGISTRY",
    "STORAGE_ENGINE",
];

pub struct Kafka {
    dir: tempfile::TempDir,
    child: Child,
    pub port: u16,
    /// How long the broker took until it answered a Kafka `ApiVersions` request.
    pub startup: Duration,
}

/// The tansu binary: `POLEPOS_TANSU`, else `tansu` on `PATH`.
pub fn tansu() -> PathBuf {
    if let Some(path) = std::env::var_os("POLEPOS_TANSU") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "POLEPOS_TANSU={} is not a file (it must name the tansu broker binary)",
            path.display()
        );
        return path;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("tansu"))
        .find(|p| p.is_file())
        .expect(
            "the Kafka-protocol broker `tansu` is required for the Kafka end-to-end tests: \
             put it on PATH or set POLEPOS_TANSU to its path (scripts/test.sh installs it \
             with `cargo install --locked tansu --features dynostore`)",
        )
}

/// Whether a Kafka broker answers an `ApiVersions` (v0) request with its correlation id.
fn kafka_answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let client_id = b"polepos-test";
    let correlation_id: i32 = 0x504f_4c45;
    let mut request = Vec::new();
    request.extend_from_slice(&18i16.to_be_bytes()); // ApiVersions
    request.extend_from_slice(&0i16.to_be_bytes()); // version 0
    request.extend_from_slice(&correlation_id.to_be_bytes());
    request.extend_from_slice(&(client_id.len() as i16).to_be_bytes());
    request.extend_from_slice(client_id);
    let mut frame = (request.len() as i32).to_be_bytes().to_vec();
    frame.extend_from_slice(&request);
    if stream.write_all(&frame).is_err() {
        return false;
    }
    let mut header = [0u8; 8];
    if stream.read_exact(&mut header).is_err() {
        return false;
    }
    let size = i32::from_be_bytes(header[..4].try_into().unwrap());
    size >= 4 && i32::from_be_bytes(header[4..].try_into().unwrap()) == correlation_id
}

impl Kafka {
    /// Starts the broker on a free port and waits until it answers Kafka requests.
    pub fn start() -> Kafka {
        let binary = tansu();
        let dir = tempfile::Builder::new()
            .prefix("polepos-kafka")
            .tempdir()
            .expect("create the Kafka directory");
        let port = super::free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let log = std::fs::File::create(dir.path().join("broker.log")).unwrap();
        let mut command = Command::new(&binary);
        command
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for name in TANSU_ENV {
            command.env_remove(name);
        }
        let started = Instant::now();
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut kafka = Kafka {
            dir,
            child,
            port,
            startup: Duration::ZERO,
        };
        kafka.wait_ready(started);
        kafka
    }

    fn wait_ready(&mut self, started: Instant) {
        while started.elapsed() < START_TIMEOUT {
            if kafka_answers(self.port) {
                self.startup = started.elapsed();
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tansu exited ({status}):\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the Kafka broker did not answer on 127.0.0.1:{} within {START_TIMEOUT:?}:\n{}",
            self.port,
            self.log()
        );
    }

    /// `host:port` for `KAFKA_BOOTSTRAP_SERVERS`.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("broker.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Kafka {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
