//! A throw-away PostgreSQL server on 127.0.0.1 for end-to-end tests.
//!
//! Uses the server binaries of the newest installed PostgreSQL (`scripts/test.sh` installs
//! them when absent). Missing binaries fail the test: a skipped database test would pass
//! silently. Running as root, the cluster is owned by the `postgres` user, as initdb
//! refuses to run as root. The server is stopped when the fixture is dropped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres_user: bool,
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    found.pop().expect(
        "PostgreSQL server binaries are required (run scripts/test.sh, which installs them)",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("polepos-pg")
            .tempdir()
            .unwrap();
        let as_postgres_user = is_root();
        if as_postgres_user {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown the cluster directory to postgres");
        }
        let port = super::free_port();
        let data = dir.path().join("data");
        let pg = Postgres {
            dir,
            bin,
            port,
            as_postgres_user,
        };
        pg.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off",
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("server.log");
        pg.run(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-o",
                &options,
                "-l",
                &log.display().to_string(),
                "-w",
                "start",
            ],
        );
        pg
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self
            .command(tool)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Creates a database and returns its SQLAlchemy URL.
    pub fn create_database(&self, name: &str) -> String {
        let port = self.port.to_string();
        self.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
        );
        format!(
            "postgresql+psycopg://postgres@127.0.0.1:{}/{name}",
            self.port
        )
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A generated project's two databases, `shop_app` and `shop_test`, as the
    /// `DATABASE_URL` and `TEST_DATABASE_URL` it reads (see [`ProjectDatabases::env`]).
    pub fn project_databases(&self) -> ProjectDatabases {
        ProjectDatabases {
            app: self.create_database("shop_app"),
            test: self.create_database("shop_test"),
        }
    }
}

/// The URLs of a generated project's app and test databases.
pub struct ProjectDatabases {
    pub app: String,
    pub test: String,
}

impl ProjectDatabases {
    /// The environment that points the project at them.
    pub fn env(&self) -> [(&str, &str); 2] {
        [
            ("DATABASE_URL", self.app.as_str()),
            ("TEST_DATABASE_URL", self.test.as_str()),
        ]
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "fast", "-w", "stop"])
            .output();
    }
}
