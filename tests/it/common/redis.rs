//! A throw-away Redis server on 127.0.0.1 for end-to-end tests.
//!
//! Runs `redis-server` (Debian's `redis-server` package) as a child process on a free
//! port, without persistence, in a temporary directory. A missing binary fails the test:
//! a skipped broker test would pass silently. The server is stopped by its PID when the
//! fixture is dropped, and its directory removed.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Redis {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

/// How often a start is retried when another process took the free port first.
const START_ATTEMPTS: usize = 3;
const READY_TIMEOUT: Duration = Duration::from_secs(20);

impl Redis {
    pub fn start() -> Redis {
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let dir = tempfile::Builder::new()
                .prefix("polepos-redis")
                .tempdir()
                .expect("create the Redis directory");
            let port = super::free_port();
            let child = spawn(dir.path(), port);
            let mut redis = Redis { child, dir, port };
            match redis.wait_ready() {
                Ok(()) => return redis,
                // Dropping `redis` stops the process and removes its directory.
                Err(why) => failures.push(format!("port {port}: {why}\n{}", redis.log())),
            }
        }
        panic!("redis-server did not start:\n{}", failures.join("\n"));
    }

    /// `redis://127.0.0.1:<port>/<db>`.
    pub fn url(&self, db: u32) -> String {
        format!("redis://127.0.0.1:{}/{db}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }

    /// Sends one inline command (`PING`, `DBSIZE`, ...) and returns the first reply line.
    pub fn command(&self, line: &str) -> std::io::Result<String> {
        command(self.port, line)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("redis-server exited with {status}"));
            }
            if matches!(command(self.port, "PING").as_deref(), Ok("+PONG")) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("no PONG within {READY_TIMEOUT:?}"))
    }

    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // SIGTERM lets Redis shut down cleanly; SIGKILL if it does not within 5 s.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        // The temporary directory is removed after this, when `dir` is dropped.
        self.stop();
    }
}

fn spawn(dir: &Path, port: u16) -> Child {
    let log = std::fs::File::create(dir.join("redis.log")).expect("create redis.log");
    Command::new("redis-server")
        .args(["--port", &port.to_string()])
        .args(["--bind", "127.0.0.1"])
        .args(["--save", ""])
        .args(["--appendonly", "no"])
        .args(["--daemonize", "no"])
        .arg("--dir")
        .arg(dir)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone log handle"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run redis-server ({error}); install Debian's redis-server package \
                 (scripts/test.sh does)"
            )
        })
}

fn command(port: u16, line: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(format!("{line}\r\n").as_bytes())?;
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while !reply.ends_with(b"\r\n") {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        reply.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&reply).trim_end().to_string())
}
