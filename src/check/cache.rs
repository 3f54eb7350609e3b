//! The check cache: what `check` learned from each Python file, kept between runs in
//! `.polepos_cache/check.txt` at the project root, so a file that did not change is
//! not read or parsed again.
//!
//! A file is known by its stamp: size, modification and change times and inode, all
//! from the directory walk's `stat`. A stamp that differs in any field means "read it
//! again". A file changed less than a second before the run started is not cached (its
//! next change could fall in the same timestamp tick and keep the stamp). The cache
//! belongs to one polepos version and one package name, and is dropped when either
//! differs. It is only ever an optimisation: a cache that is missing, unreadable, corrupt
//! or not writable is ignored, and `polepos check --no-cache` neither reads nor writes it.
//!
//! Like the caches of ruff, mypy and pytest, the directory holds a `.gitignore` of `*`,
//! so it never shows up in version control.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::python::Arg;

/// The cache directory at the project root.
pub const DIR: &str = ".polepos_cache";
const FILE: &str = "check.txt";
const FORMAT: u32 = 1;
/// Files changed this recently before the run are read every time.
const RACY: Duration = Duration::from_secs(1);

/// A file's identity on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
}

impl Stamp {
    #[cfg(unix)]
    pub fn of(meta: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
        }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &fs::Metadata) -> Stamp {
        let nanos = |t: std::io::Result<SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or((0, 0), |d| {
                    (
                        i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                        i64::from(d.subsec_nanos()),
                    )
                })
        };
        Stamp {
            len: meta.len(),
            mtime: nanos(meta.modified()),
            ctime: nanos(meta.created()),
            ino: 0,
        }
    }

    /// Whether the file changed at or after `limit` (seconds and nanoseconds since the
    /// epoch).
    fn changed_since(&self, limit: (i64, i64)) -> bool {
        self.mtime >= limit || self.ctime >= limit
    }
}

/// What `check` takes from one Python file. Module files fill every field that applies;
/// the other files only the first two.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The first syntax error: line, column and message.
    pub syntax: Option<(usize, usize, String)>,
    /// The line of the first byte that is not UTF-8.
    pub not_utf8: Option<usize>,
    /// Top-level imports of other modules: the module and the line.
    pub imports: Vec<(String, usize)>,
    /// For files directly in a module directory: the names defined at top level.
    pub defines: Vec<String>,
    /// For `router.py`: the prefix of `router = APIRouter(...)`.
    pub router_prefix: Option<Arg<String>>,
    /// For `model.py`: the `__tablename__` values and their lines.
    pub tables: Vec<(String, usize)>,
}

/// The cache of one `check` run: the loaded file, and what the run used and learned.
///
/// The file is text, one line per Python file: its path, its stamp and its summary,
/// separated by tabs (with tabs, newlines and backslashes escaped). Loading it only
/// indexes the lines; a line is decoded when its file is asked for, and lines of
/// unchanged files are written back as they were.
pub struct Cache {
    dir: PathBuf,
    package: String,
    racy_limit: (i64, i64),
    text: String,
    /// Hash of the path → byte range of its line in `text`.
    lines: HashMap<u64, (usize, usize)>,
    learned: Mutex<Session>,
}

/// What one thread of the scan used and learned; merged into the cache when it is done.
#[derive(Default)]
pub struct Session {
    /// Lines of `text` still valid.
    used: Vec<(usize, usize)>,
    /// Encoded lines of files read in this run.
    fresh: Vec<String>,
}

fn header(package: &str) -> String {
    format!(
        "polepos-check-cache\t{FORMAT}\t{}\t{}\n",
        env!("CARGO_PKG_VERSION"),
        escape(package)
    )
}

fn path_hash(path: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut hasher);
    hasher.finish()
}

impl Cache {
    /// Opens the cache of the project at `root` (empty when there is none, or it belongs
    /// to another version or package).
    pub fn open(root: &Path, package: &str) -> Cache {
        let dir = root.join(DIR);
        let expected = header(package);
        let text = fs::read_to_string(dir.join(FILE))
            .ok()
            .filter(|t| t.starts_with(&expected))
            .unwrap_or_default();
        let mut lines = HashMap::new();
        let mut at = if text.is_empty() { 0 } else { expected.len() };
        while at < text.len() {
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            if let Some((path, _)) = text[at..end].split_once('\t') {
                lines.insert(path_hash(path), (at, end));
            }
            at = end + 1;
        }
        let since_epoch = SystemTime::now()
            .checked_sub(RACY)
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .unwrap_or_default();
        Cache {
            dir,
            package: package.to_string(),
            racy_limit: (
                i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX),
                i64::from(since_epoch.subsec_nanos()),
            ),
            text,
            lines,
            learned: Mutex::new(Session::default()),
        }
    }

    /// The summary of `rel` when its stamp is still `stamp`.
    pub fn get(&self, rel: &str, stamp: &Stamp, session: &mut Session) -> Option<Summary> {
        let (start, end) = *self.lines.get(&path_hash(rel))?;
        let (path, rest) = self.text[start..end].split_once('\t')?;
        if unescape(path) != rel {
            return None;
        }
        let (recorded, summary) = decode(rest)?;
        if recorded != *stamp {
            return None;
        }
        session.used.push((start, end));
        Some(summary)
    }

    /// Records what was learned about `rel`, unless it changed too recently to trust
    /// its stamp.
    pub fn learn(&self, rel: &str, stamp: Stamp, summary: &Summary, session: &mut Session) {
        if !stamp.changed_since(self.racy_limit) {
            session.fresh.push(encode(rel, &stamp, summary));
        }
    }

    /// Adds a thread's session to the run's.
    pub fn merge(&self, session: Session) {
        if let Ok(mut all) = self.learned.lock() {
            all.used.extend(session.used);
            all.fresh.extend(session.fresh);
        }
    }

    /// Writes the cache when the run learned something or stopped seeing a file.
    /// Failures are ignored: the next run reads the files again.
    pub fn save(self) {
        let Ok(mut learned) = self.learned.into_inner() else {
            return;
        };
        if learned.fresh.is_empty() && learned.used.len() == self.lines.len() {
            return;
        }
        learned.used.sort_unstable();
        learned.used.dedup();
        let mut out = header(&self.package);
        for (start, end) in learned.used {
            out.push_str(&self.text[start..end]);
            out.push('\n');
        }
        for line in learned.fresh {
            out.push_str(&line);
            out.push('\n');
        }
        let _ = write(&self.dir, out.as_bytes());
    }
}

/// One line of the cache file, without its newline.
fn encode(rel: &str, stamp: &Stamp, summary: &Summary) -> String {
    use std::fmt::Write;
    let mut line = escape(rel);
    let _ = write!(
        line,
        "\t{}\t{}\t{}\t{}\t{}\t{}",
        stamp.len, stamp.mtime.0, stamp.mtime.1, stamp.ctime.0, stamp.ctime.1, stamp.ino
    );
    let mut field = |tag: char, value: String| {
        line.push('\t');
        line.push(tag);
        line.push_str(&value);
    };
    if let Some((l, c, message)) = &summary.syntax {
        field('S', format!("{l}:{c}:{}", escape(message)));
    }
    if let Some(l) = summary.not_utf8 {
        field('U', l.to_string());
    }
    for (target, l) in &summary.imports {
        field('I', format!("{}:{l}", escape(target)));
    }
    for name in &summary.defines {
        field('D', escape(name));
    }
    match &summary.router_prefix {
        None => {}
        Some(Arg::Absent) => field('P', "-".to_string()),
        Some(Arg::Other) => field('P', "?".to_string()),
        Some(Arg::Literal(prefix)) => field('P', format!("={}", escape(prefix))),
    }
    for (name, l) in &summary.tables {
        field('T', format!("{}:{l}", escape(name)));
    }
    line
}

/// The stamp and summary of a line after its path; `None` when it is malformed.
fn decode(rest: &str) -> Option<(Stamp, Summary)> {
    let mut fields = rest.split('\t');
    let mut number = || fields.next()?.parse::<i64>().ok();
    let len = u64::try_from(number()?).ok()?;
    let mtime = (number()?, number()?);
    let ctime = (number()?, number()?);
    let ino_field = fields.next()?;
    let stamp = Stamp {
        len,
        mtime,
        ctime,
        ino: ino_field.parse().ok()?,
    };
    let with_line = |value: &str| -> Option<(String, usize)> {
        let (text, l) = value.rsplit_once(':')?;
        Some((unescape(text), l.parse().ok()?))
    };
    let mut summary = Summary::default();
    for field in fields {
        let mut chars = field.chars();
        let tag = chars.next()?;
        let value = chars.as_str();
        match tag {
            'S' => {
                let mut parts = value.splitn(3, ':');
                let l = parts.next()?.parse().ok()?;
                let c = parts.next()?.parse().ok()?;
                summary.syntax = Some((l, c, unescape(parts.next()?)));
            }
            'U' => summary.not_utf8 = Some(value.parse().ok()?),
            'I' => summary.imports.push(with_line(value)?),
            'D' => summary.defines.push(unescape(value)),
            'P' => {
                summary.router_prefix = Some(match value {
                    "-" => Arg::Absent,
                    "?" => Arg::Other,
                    literal => Arg::Literal(unescape(literal.strip_prefix('=')?)),
                });
            }
            'T' => summary.tables.push(with_line(value)?),
            _ => return None,
        }
    }
    Some((stamp, summary))
}

fn escape(text: &str) -> String {
    if !text.contains(['\\', '\t', '\n', '\r']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
    out
}

fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Writes the cache file through a temporary file and a rename, so a concurrent run
/// reads either the old cache or the new one.
fn write(dir: &Path, text: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        fs::write(&ignore, "# Written by polepos check; safe to delete.\n*\n")?;
        fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is a cache of polepos check.\n",
        )?;
    }
    let temporary = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
    fs::write(&temporary, text)?;
    fs::rename(&temporary, dir.join(FILE)).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp_of(path: &Path) -> Stamp {
        Stamp::of(&fs::metadata(path).unwrap())
    }

    #[test]
    fn a_file_is_remembered_until_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        fs::write(&file, "x = 1\n").unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
        // The change time cannot be set back: run as if the clock were a minute ahead.
        let summary = Summary {
            defines: vec!["x".to_string()],
            ..Summary::default()
        };
        let mut cache = Cache::open(dir.path(), "shop");
        cache.racy_limit.0 += 120;
        let mut session = Session::default();
        assert_eq!(cache.get("a.py", &stamp_of(&file), &mut session), None);
        cache.learn("a.py", stamp_of(&file), &summary, &mut session);
        cache.merge(session);
        cache.save();
        assert!(dir.path().join(DIR).join(".gitignore").is_file());

        let cache = Cache::open(dir.path(), "shop");
        let mut session = Session::default();
        assert_eq!(
            cache.get("a.py", &stamp_of(&file), &mut session),
            Some(summary)
        );
        // Another package or a changed file: read again.
        assert!(Cache::open(dir.path(), "other").lines.is_empty());
        fs::write(&file, "x = 2\n").unwrap();
        assert_eq!(cache.get("a.py", &stamp_of(&file), &mut session), None);
    }

    #[test]
    fn files_changed_just_now_are_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        fs::write(&file, "x = 1\n").unwrap();
        let cache = Cache::open(dir.path(), "shop");
        let mut session = Session::default();
        cache.learn("a.py", stamp_of(&file), &Summary::default(), &mut session);
        assert!(session.fresh.is_empty());
        cache.merge(session);
        cache.save();
        assert!(!dir.path().join(DIR).exists());
    }

    #[test]
    fn lines_round_trip_with_any_text() {
        let stamp = Stamp {
            len: 7,
            mtime: (1_700_000_000, 5),
            ctime: (-1, 999_999_999),
            ino: 42,
        };
        let summary = Summary {
            syntax: Some((3, 9, "expected ':'\tand \\ more\nlines".to_string())),
            not_utf8: None,
            imports: vec![("billing".to_string(), 4), ("orders".to_string(), 5)],
            defines: vec!["router".to_string(), "name\twith:tab".to_string()],
            router_prefix: Some(Arg::Literal("/a:b\\c".to_string())),
            tables: vec![("odd:table\nname".to_string(), 12)],
        };
        let line = encode("src/x\ty.py", &stamp, &summary);
        assert!(!line.contains('\n'));
        let (path, rest) = line.split_once('\t').unwrap();
        assert_eq!(unescape(path), "src/x\ty.py");
        assert_eq!(decode(rest), Some((stamp, summary)));
        for prefix in [Arg::Absent, Arg::Other] {
            let summary = Summary {
                router_prefix: Some(prefix),
                not_utf8: Some(2),
                ..Summary::default()
            };
            let line = encode("r.py", &stamp, &summary);
            assert_eq!(
                decode(line.split_once('\t').unwrap().1),
                Some((stamp, summary))
            );
        }
        assert_eq!(decode("7\t1\t2"), None);
        assert_eq!(decode("7\t1\t2\t3\t4\t5\tXunknown"), None);
    }

    #[test]
    fn a_corrupt_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(DIR)).unwrap();
        fs::write(dir.path().join(DIR).join(FILE), "{not a cache\n").unwrap();
        assert!(Cache::open(dir.path(), "shop").lines.is_empty());
    }
}
