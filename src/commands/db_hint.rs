//! The one line `polepos db` adds when Alembic could not reach the database.
//!
//! Alembic's own output (a traceback ending in SQLAlchemy's `OperationalError`) says
//! what the driver saw but not which database was meant, nor what to do. polepos reads
//! the failure from Alembic's stderr, finds the URL the project's settings would use
//! (`DATABASE_URL` from the environment, then `.env`, then the default in `settings.py`:
//! pydantic-settings' order) and names its host, port and database — never the
//! password — with the next step.

use std::path::Path;

use crate::manifest::DbMode;

/// Why the connection failed, as far as the driver's message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// No server answered (refused, timed out, unknown host).
    NoServer,
    /// The server runs but has no such database.
    NoDatabase,
    /// The server refused the user or password.
    Credentials,
    /// SQLite could not open (or create) the file.
    SqliteFile,
}

/// The parts of a database URL worth naming; the password is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    backend: String,
    user: Option<String>,
    host: String,
    port: Option<String>,
    database: String,
}

/// The line to add after Alembic's output, when `stderr` shows a connection failure.
pub(crate) fn connection_hint(
    stderr: &str,
    root: &Path,
    db: DbMode,
    package: &str,
) -> Option<String> {
    let failure = classify(stderr)?;
    let (url, source) = database_url(root, db, package);
    let target = parse_url(&url);
    Some(describe(failure, target.as_ref(), source, package))
}

fn classify(stderr: &str) -> Option<Failure> {
    if !stderr.contains("OperationalError") {
        return None;
    }
    let text = stderr.to_ascii_lowercase();
    let any = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if any(&["unable to open database file"]) {
        Some(Failure::SqliteFile)
    } else if text.contains("database \"") && text.contains("does not exist") {
        Some(Failure::NoDatabase)
    } else if any(&[
        "password authentication failed",
        "no password supplied",
        "role \"",
    ]) {
        Some(Failure::Credentials)
    } else if any(&[
        "connection refused",
        "could not connect",
        "connection to server",
        "could not translate host name",
        "name or service not known",
        "timeout expired",
        "timed out",
        "no route to host",
        "network is unreachable",
    ]) {
        Some(Failure::NoServer)
    } else {
        None
    }
}

/// The URL the project's settings would use, and where it came from.
fn database_url(root: &Path, db: DbMode, package: &str) -> (String, &'static str) {
    let from_env = std::env::vars()
        .find(|(key, value)| key.eq_ignore_ascii_case("DATABASE_URL") && !value.trim().is_empty());
    if let Some((_, value)) = from_env {
        return (value, "DATABASE_URL from the environment");
    }
    if let Some(value) = std::fs::read_to_string(root.join(".env"))
        .ok()
        .and_then(|text| dotenv_value(&text, "DATABASE_URL"))
    {
        return (value, "DATABASE_URL in .env");
    }
    if let Some(value) = std::fs::read_to_string(root.join(format!("src/{package}/settings.py")))
        .ok()
        .and_then(|text| settings_default(&text))
    {
        return (value, "the default DATABASE_URL in settings.py");
    }
    let value = match db {
        DbMode::Postgres => format!("postgresql+psycopg://postgres@localhost:5432/{package}"),
        _ => format!("sqlite:///./{package}.db"),
    };
    (value, "the default DATABASE_URL")
}

/// The value of the last non-empty `KEY=value` for `key` (case-insensitive) in a `.env` text.
fn dotenv_value(text: &str, key: &str) -> Option<String> {
    text.lines().rev().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (name, value) = line.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case(key) || line.starts_with('#') {
            return None;
        }
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q)?.split(*q).next())
            .unwrap_or_else(|| value.split(" #").next().unwrap_or(value).trim());
        (!unquoted.is_empty()).then(|| unquoted.to_string())
    })
}

/// The first URL-looking string literal after `database_url` in `settings.py`.
fn settings_default(text: &str) -> Option<String> {
    let start = text.find("database_url")?;
    text[start..]
        .lines()
        .take(6)
        .flat_map(|line| line.split(['"', '\'']).skip(1).step_by(2))
        .find(|literal| literal.contains("://"))
        .map(str::to_string)
}

fn parse_url(url: &str) -> Option<Target> {
    let (scheme, rest) = url.split_once("://")?;
    let backend = scheme.split('+').next().unwrap_or(scheme).to_string();
    if backend == "sqlite" {
        // `sqlite:///relative.db` and `sqlite:////absolute.db`: the path follows the third `/`.
        let path = rest.split('?').next().unwrap_or_default();
        let path = path.strip_prefix('/').unwrap_or(path);
        return Some(Target {
            backend,
            user: None,
            host: String::new(),
            port: None,
            database: if path.is_empty() {
                ":memory:".into()
            } else {
                path.to_string()
            },
        });
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let user = userinfo
        .map(|u| u.split(':').next().unwrap_or_default().to_string())
        .filter(|u| !u.is_empty());
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
        (
            host.to_string(),
            after.strip_prefix(':').map(str::to_string),
        )
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host.to_string(), Some(port.to_string())),
            None => (hostport.to_string(), None),
        }
    };
    Some(Target {
        backend,
        user,
        host: if host.is_empty() {
            "localhost".into()
        } else {
            host
        },
        port,
        database: path.split('?').next().unwrap_or_default().to_string(),
    })
}

fn describe(failure: Failure, target: Option<&Target>, source: &str, package: &str) -> String {
    let Some(target) = target else {
        return format!(
            "cannot connect to the database ({source} is not a URL polepos can read); check DATABASE_URL"
        );
    };
    if failure == Failure::SqliteFile || target.backend == "sqlite" {
        return format!(
            "cannot open the SQLite database {} ({source}); make sure its directory exists and is writable",
            target.database
        );
    }
    let server = match &target.port {
        Some(port) => format!("{}:{port}", target.host),
        None => target.host.clone(),
    };
    let local = matches!(target.host.as_str(), "localhost" | "127.0.0.1" | "::1");
    let compose = local && target.backend == "postgresql" && target.database == package;
    match failure {
        Failure::NoDatabase => {
            let user = target
                .user
                .as_deref()
                .map(|u| format!(" -U {u}"))
                .unwrap_or_default();
            let port = target
                .port
                .as_deref()
                .map(|p| format!(" -p {p}"))
                .unwrap_or_default();
            format!(
                "the server at {server} has no database {db} ({source}); create it with `createdb -h {host}{port}{user} {db}`",
                db = target.database,
                host = target.host,
            )
        }
        Failure::Credentials => format!(
            "the server at {server} refused the user{} for database {} ({source}); check the user and password in DATABASE_URL",
            target
                .user
                .as_deref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default(),
            target.database
        ),
        Failure::NoServer | Failure::SqliteFile if compose => format!(
            "cannot connect to PostgreSQL at {server} (database {}, {source}); start it with `docker compose up -d postgres`, or point DATABASE_URL at a running server",
            target.database
        ),
        Failure::NoServer | Failure::SqliteFile => format!(
            "cannot connect to the database server at {server} (database {}, {source}); start the server, or point DATABASE_URL at a running one",
            target.database
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFUSED: &str = "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: connection to server at \"127.0.0.1\", port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?";
    const NO_DB: &str = "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"shop\" does not exist";

    #[test]
    fn failures_are_read_from_the_driver_message() {
        assert_eq!(classify(REFUSED), Some(Failure::NoServer));
        assert_eq!(classify(NO_DB), Some(Failure::NoDatabase));
        assert_eq!(
            classify(
                "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: FATAL:  password authentication failed for user \"postgres\""
            ),
            Some(Failure::Credentials)
        );
        assert_eq!(
            classify(
                "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) unable to open database file"
            ),
            Some(Failure::SqliteFile)
        );
        assert_eq!(
            classify("FAILED: Can't locate revision identified by 'x'"),
            None
        );
        assert_eq!(
            classify("sqlalchemy.exc.OperationalError: near \"SELEC\": syntax error"),
            None
        );
    }

    #[test]
    fn urls_lose_their_password() {
        let target =
            parse_url("postgresql+psycopg://app:s3cret@db.internal:6543/shop?sslmode=require")
                .unwrap();
        assert_eq!(
            target,
            Target {
                backend: "postgresql".into(),
                user: Some("app".into()),
                host: "db.internal".into(),
                port: Some("6543".into()),
                database: "shop".into(),
            }
        );
        let text = describe(
            Failure::NoDatabase,
            Some(&target),
            "DATABASE_URL in .env",
            "shop",
        );
        assert!(!text.contains("s3cret"), "{text}");
        assert_eq!(
            text,
            "the server at db.internal:6543 has no database shop (DATABASE_URL in .env); create it with `createdb -h db.internal -p 6543 -U app shop`"
        );
        assert_eq!(parse_url("postgresql://[::1]:5432/x").unwrap().host, "::1");
        assert_eq!(
            parse_url("sqlite:///./shop.db").unwrap().database,
            "./shop.db"
        );
        assert_eq!(
            parse_url("sqlite:////var/data/shop.db").unwrap().database,
            "/var/data/shop.db"
        );
    }

    #[test]
    fn the_local_compose_database_is_started_with_compose() {
        let target = parse_url("postgresql+psycopg://postgres:postgres@localhost:5432/shop");
        assert_eq!(
            describe(
                Failure::NoServer,
                target.as_ref(),
                "DATABASE_URL in .env",
                "shop"
            ),
            "cannot connect to PostgreSQL at localhost:5432 (database shop, DATABASE_URL in .env); start it with `docker compose up -d postgres`, or point DATABASE_URL at a running server"
        );
        let elsewhere = parse_url("postgresql://u@10.0.0.5/other");
        assert!(!describe(Failure::NoServer, elsewhere.as_ref(), "x", "shop").contains("docker"));
    }

    #[test]
    fn the_url_comes_from_dotenv_or_the_settings_default() {
        let env = "# DATABASE_URL=sqlite:///./old.db\nAPP_ENV=development\nexport DATABASE_URL=\"postgresql://u:p@h:1/a\"  # comment\n";
        assert_eq!(
            dotenv_value(env, "DATABASE_URL").as_deref(),
            Some("postgresql://u:p@h:1/a")
        );
        assert_eq!(dotenv_value("DATABASE_URL=\n", "DATABASE_URL"), None);
        let settings = "    database_url: str = Field(\n        default=\"postgresql+psycopg://postgres:postgres@localhost:5432/shop\",\n        repr=False,\n    )\n";
        assert_eq!(
            settings_default(settings).as_deref(),
            Some("postgresql+psycopg://postgres:postgres@localhost:5432/shop")
        );
    }
}
