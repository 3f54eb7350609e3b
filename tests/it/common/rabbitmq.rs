//! A throw-away RabbitMQ node on 127.0.0.1 for end-to-end tests.
//!
//! Runs Debian's `rabbitmq-server` script (`scripts/test.sh` installs the package, which
//! starts no service) as a private node: its own name, AMQP, distribution and epmd ports
//! (all picked at runtime), and its database, logs, configuration, plugin list and Erlang
//! cookie (`HOME`) in a temporary directory. The node's port mapper (epmd) is started here
//! on its own port so that the node does not spawn a shared daemon. A missing package
//! fails the test: a skipped broker test would pass silently. Dropping the fixture stops
//! the node and epmd by PID and removes the directory.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian installs the server script that runs as the calling user (the
/// `/usr/sbin` wrapper switches to the `rabbitmq` user and its directories).
const SERVER_SCRIPT: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/// How long a node may take to boot; about 10 s on an idle machine, 25 s on a busy one.
const START_TIMEOUT: Duration = Duration::from_secs(120);

pub struct RabbitMq {
    dir: tempfile::TempDir,
    /// The server script; it runs the Erlang VM as its child and stops it on SIGTERM.
    server: Option<Child>,
    epmd: Option<Child>,
    /// The AMQP port.
    pub port: u16,
    /// How long the node took until it answered the AMQP handshake.
    pub startup: Duration,
}

fn server_script() -> PathBuf {
    let path = std::env::var_os("POLEPOS_RABBITMQ_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(SERVER_SCRIPT));
    assert!(
        path.is_file(),
        "RabbitMQ is required: {} is missing (run scripts/test.sh, which installs the \
         rabbitmq-server package, or set POLEPOS_RABBITMQ_SERVER to its \
         lib/rabbitmq/bin/rabbitmq-server script)",
        path.display()
    );
    path
}

/// Whether `pid` is a live process (not gone, not a zombie waiting for its parent).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may contain spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Waits until `pid` is gone; false when it is still alive after `timeout`.
fn wait_gone(pid: u32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !alive(pid)
}

/// Stops a child we started: SIGTERM, then SIGKILL after `grace`; always reaped.
fn stop_child(child: &mut Child, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    signal(child.id(), "TERM");
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether an AMQP 0-9-1 server answers the protocol header with a method frame
/// (`Connection.Start`), i.e. the broker has booted, not just opened a socket.
fn amqp_answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"AMQP\x00\x00\x09\x01").is_err() {
        return false;
    }
    let mut frame_type = [0u8; 1];
    matches!(stream.read_exact(&mut frame_type), Ok(()) if frame_type[0] == 1)
}

impl RabbitMq {
    /// Starts a node and waits until it speaks AMQP on its port.
    pub fn start() -> RabbitMq {
        let script = server_script();
        let dir = tempfile::Builder::new()
            .prefix("polepos-rabbitmq")
            .tempdir()
            .expect("create the RabbitMQ directory");
        let root = dir.path();
        std::fs::write(root.join("enabled_plugins"), "[].\n").unwrap();
        std::fs::write(root.join("rabbitmq.conf"), "").unwrap();
        std::fs::write(root.join("rabbitmq-env.conf"), "").unwrap();

        let port = super::free_port();
        let dist_port = super::free_port();
        let epmd_port = super::free_port();

        let epmd_log = std::fs::File::create(root.join("epmd.log")).unwrap();
        let epmd = Command::new("epmd")
            .args(["-address", "127.0.0.1", "-port", &epmd_port.to_string()])
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(epmd_log.try_clone().unwrap())
            .stderr(epmd_log)
            .spawn()
            .expect("start epmd (it comes with the rabbitmq-server package's Erlang)");
        let mut rabbit = RabbitMq {
            dir,
            server: None,
            epmd: Some(epmd),
            port,
            startup: Duration::ZERO,
        };
        rabbit.wait_for_epmd(epmd_port);

        let root = rabbit.dir.path();
        let path = |name: &str| root.join(name).display().to_string();
        let log = std::fs::File::create(root.join("server.log")).unwrap();
        let mut command = Command::new(&script);
        command
            .current_dir(root)
            .env("HOME", root)
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .env("ERL_EPMD_PORT", epmd_port.to_string())
            .env("RABBITMQ_NODENAME", format!("polepos-{port}@localhost"))
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", port.to_string())
            .env("RABBITMQ_DIST_PORT", dist_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", path("mnesia"))
            .env("RABBITMQ_LOG_BASE", path("log"))
            .env("RABBITMQ_CONFIG_FILE", path("rabbitmq.conf"))
            .env("RABBITMQ_CONF_ENV_FILE", path("rabbitmq-env.conf"))
            .env("RABBITMQ_ADVANCED_CONFIG_FILE", path("advanced.config"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", path("enabled_plugins"))
            .env("RABBITMQ_PLUGINS_EXPAND_DIR", path("plugins"))
            .env("RABBITMQ_FEATURE_FLAGS_FILE", path("feature_flags"))
            .env("RABBITMQ_PID_FILE", path("rabbit.pid"))
            // Without a terminal the script runs the VM as its child and forwards SIGTERM.
            .env_remove("RABBITMQ_ALLOW_INPUT")
            .env_remove("NOTIFY_SOCKET")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let started = Instant::now();
        rabbit.server = Some(command.spawn().expect("start rabbitmq-server"));
        rabbit.wait_ready(started);
        rabbit
    }

    fn wait_for_epmd(&mut self, epmd_port: u16) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", epmd_port)).is_ok() {
                return;
            }
            if let Some(Ok(Some(status))) = self.epmd.as_mut().map(Child::try_wait) {
                panic!("epmd exited ({status}):\n{}", self.read("epmd.log"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("epmd did not listen:\n{}", self.read("epmd.log"));
    }

    fn wait_ready(&mut self, started: Instant) {
        while started.elapsed() < START_TIMEOUT {
            if amqp_answers(self.port) {
                self.startup = started.elapsed();
                return;
            }
            if let Some(Ok(Some(status))) = self.server.as_mut().map(Child::try_wait) {
                panic!("rabbitmq-server exited ({status}):\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "RabbitMQ did not answer on 127.0.0.1:{} within {START_TIMEOUT:?}:\n{}",
            self.port,
            self.log()
        );
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// The AMQP URL of the node (the default `guest` user may log in from loopback).
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/", self.port)
    }

    /// What the server printed (its log file is in the same directory).
    pub fn log(&self) -> String {
        self.read("server.log")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The Erlang VM's PID, from the node's PID file.
    fn vm_pid(&self) -> Option<u32> {
        self.read("rabbit.pid").trim().parse().ok()
    }
}

impl Drop for RabbitMq {
    fn drop(&mut self) {
        // The script answers SIGTERM by stopping the VM and waiting for it.
        let vm = self.vm_pid();
        if let Some(server) = self.server.as_mut() {
            stop_child(server, Duration::from_secs(30));
        }
        if let Some(pid) = vm
            && !wait_gone(pid, Duration::from_secs(10))
        {
            signal(pid, "KILL");
            wait_gone(pid, Duration::from_secs(5));
        }
        if let Some(epmd) = self.epmd.as_mut() {
            stop_child(epmd, Duration::from_secs(5));
        }
    }
}
