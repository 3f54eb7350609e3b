//! The one test harness: running the real `polepos` binary (strict defaults: no colour,
//! no stdin, no CI environment), scratch directories, file trees, the older tool's
//! fixture, and (for end-to-end tests) uv, servers and HTTP.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The outcome of one run: exit code and both streams.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// `exit code / stdout / stderr` with scratch paths replaced by `[TEMP]`, for snapshots.
    pub fn render(&self, scratch: &Path) -> String {
        self.render_as(scratch, "[TEMP]")
    }

    /// [`Output::render`] with `path` replaced by `label`.
    pub fn render_as(&self, path: &Path, label: &str) -> String {
        let filter = |s: &str| s.replace(&path.display().to_string(), label);
        format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code,
            filter(&self.stdout),
            filter(&self.stderr)
        )
    }
}

/// A scratch directory plus a builder for `polepos` invocations inside it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("create a temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `polepos <args>` in `cwd` (relative to the scratch dir).
    pub fn run_in(&self, cwd: &str, args: &[&str]) -> Output {
        run(&self.path().join(cwd), args, &[])
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_in("", args)
    }

    /// Every file under the scratch dir with its bytes, for "nothing changed" assertions.
    pub fn snapshot_tree(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        tree(self.path())
    }
}

/// Runs the built binary with extra environment variables.
pub fn run(cwd: &Path, args: &[&str], env: &[(&str, OsString)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_polepos"));
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_WORKSPACE");
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("run polepos");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `root` (recursively) with its bytes.
pub fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                files.insert(
                    path.strip_prefix(root).expect("prefix").to_path_buf(),
                    bytes,
                );
            }
        }
    }
    files
}

/// Suffix every file of a committed fixture carries (so the repository's own tooling
/// never mistakes fixture files for real ones).
pub const FIXTURE_SUFFIX: &str = ".fixture";

/// The committed fixture in the older tool's layout.
pub fn legacy_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy_project")
}

/// Copies a fixture tree, dropping the `.fixture` suffix of every file.
pub fn copy_fixture(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().into_string().expect("utf-8 name");
        if entry.path().is_dir() {
            copy_fixture(&entry.path(), &to.join(name));
        } else {
            let target = name
                .strip_suffix(FIXTURE_SUFFIX)
                .unwrap_or_else(|| panic!("fixture file without suffix: {name}"));
            std::fs::copy(entry.path(), to.join(target)).expect("copy");
        }
    }
}

pub mod http;
pub mod kafka;
pub mod pg;
pub mod rabbitmq;
pub mod redis;

/// A free TCP port on 127.0.0.1 picked by the kernel.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .expect("addr")
        .port()
}

/// The `uv` executable; end-to-end tests fail (never skip) without it.
pub fn uv() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("uv"))
        .find(|p| p.is_file())
        .expect("uv is required for end-to-end tests (scripts/test.sh installs it with pip)")
}

/// Runs a program in `cwd` and asserts it succeeds, showing all output otherwise.
pub fn sh(
    cwd: &Path,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let out = sh_status(cwd, program, args, env);
    assert_eq!(
        out.code,
        0,
        "`{}` failed in {}:\n{}{}",
        args.join(" "),
        cwd.display(),
        out.stdout,
        out.stderr
    );
    out
}

/// Runs a program in `cwd` and returns its outcome, whatever it is.
pub fn sh_status(
    cwd: &Path,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(program.as_ref());
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", program.as_ref()));
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a program in `cwd` with `input` on its stdin and returns its outcome.
pub fn sh_stdin(
    cwd: &Path,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    env: &[(&str, &str)],
    input: &str,
) -> Output {
    use std::io::Write;
    let mut command = Command::new(program.as_ref());
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", program.as_ref()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `polepos <args>` in `cwd`, asserting success.
pub fn polepos(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    sh(cwd, env!("CARGO_BIN_EXE_polepos"), args, env)
}

/// The checks every generated state must pass, run with uv in the project.
pub fn assert_project_checks(root: &Path, env: &[(&str, &str)]) {
    project_checks(root, env, &[]);
}

/// The same checks with the tests spread over two pytest-xdist workers, each on a
/// test database of its own.
pub fn assert_project_checks_in_parallel(root: &Path, env: &[(&str, &str)]) {
    project_checks(root, env, &["-n", "2"]);
}

fn project_checks(root: &Path, env: &[(&str, &str)], pytest_args: &[&str]) {
    let uv = uv();
    sh(root, &uv, &["sync", "--extra", "dev"], env);
    let mut args = vec!["run", "pytest", "-q", "-p", "no:cacheprovider"];
    args.extend_from_slice(pytest_args);
    let pytest = sh(root, &uv, &args, env);
    assert!(
        !pytest.stdout.to_lowercase().contains("warning"),
        "pytest printed warnings:\n{}",
        pytest.stdout
    );
    sh(root, &uv, &["run", "ruff", "check"], env);
    sh(root, &uv, &["run", "ruff", "format", "--check"], env);
    sh(root, &uv, &["run", "mypy"], env);
}

/// A server process started by a test and stopped (by its PID) when dropped.
pub struct Server {
    child: std::process::Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts `python -m <pkg>.run` from the project's virtualenv on a free port.
    pub fn start(root: &Path, package: &str, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let log = root.join(format!("server-{port}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(root.join(".venv/bin/python"));
        command
            .args(["-m", &format!("{package}.run")])
            .current_dir(root)
            .env("APP_HOST", "127.0.0.1")
            .env("APP_PORT", port.to_string())
            .env("APP_RELOAD", "false")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn().expect("start the generated server");
        let server = Server { child, port, log };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "server did not start:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The server's process ID (uvicorn runs in this process: one worker, no reload).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A `VmRSS`/`VmHWM`-style line of `/proc/<pid>/status`, in KiB.
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("read /proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first so uvicorn shuts down cleanly, then make sure it is gone.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes `rel` look as if an older polepos wrote `older` there: the file holds those
/// bytes and its ledger entry records their hash.
pub fn pretend_older_version_wrote(root: &std::path::Path, rel: &str, older: &str) {
    let path = root.join(rel);
    let current = std::fs::read(&path).unwrap();
    std::fs::write(&path, older).unwrap();
    let ledger_path = root.join(".poleposition.lock");
    let ledger = std::fs::read_to_string(&ledger_path).unwrap();
    let old_hash = polepos::ledger::sha256_hex(&current);
    let new_hash = polepos::ledger::sha256_hex(older.as_bytes());
    assert!(ledger.contains(&old_hash), "{rel} is in the ledger");
    std::fs::write(&ledger_path, ledger.replace(&old_hash, &new_hash)).unwrap();
}
