//! Settings and env blocks: the lines an integration (or the llm scaffold) writes above
//! `# polepos:integration-settings` in `settings.py` and above `# polepos:integration-env`
//! in `.env.example`, as entries.
//!
//! A block is a header (its leading empty line and the comment lines before the first
//! entry) and entries: one settings field, or one `NAME=value` env line (also a
//! commented-out `# NAME=value` one), each with the comment lines right above it.
//!
//! **Adding completes what is there.** An entry is present when the file already
//! defines its name: a field of `class Settings` (asked of the parsed file), or an
//! active env line (a commented-out `# NAME=` is not present). `add` writes the header
//! and only the missing entries, in the block's order, above the marker, and records the
//! names it left out in the ledger ([`crate::ledger::Ledger::kept`]). When every entry is
//! present it writes nothing.
//!
//! **Removing takes out exactly what adding wrote.** The ledger's kept names say which
//! entries adding wrote; [`Block::locate`] finds them by their lines: the header, then
//! those entries verbatim, in order, contiguous (an entry deleted by hand since is simply
//! not there). The hand-written entries that were kept stay where they are, so `add`
//! then `remove` gives the original file back byte for byte. An added entry that was
//! edited since (or a block the older tool wrote, which has no header of ours) is still
//! defined after the lines are taken out: that blocks the removal without `--force`,
//! and `--force` deletes the added names' lines by meaning.

use crate::markers::Marker;

/// A block of lines for [`super::Wiring::Block`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub marker: Marker,
    /// The whole block, already indented, each line ending in `\n` (written with the
    /// file's own line endings).
    pub text: String,
    /// Names of entries the file already defined, left out when the block is written.
    pub kept: Vec<String>,
}

/// One entry of a block: its comment lines and its line, and the name it defines.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<'a> {
    name: &'a str,
    /// The entry's lines without their line endings.
    lines: Vec<&'a str>,
}

/// Where the lines adding wrote are in a file, and what of them changed since.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Located {
    /// The byte range of the header and the added entries that follow it, when found.
    pub range: Option<std::ops::Range<usize>>,
    /// Added entries in `range` whose lines differ from what adding wrote.
    pub edited: Vec<String>,
    /// Names adding wrote that the file defines outside `range` (a block the older tool
    /// wrote, or one whose header was edited).
    pub elsewhere: Vec<String>,
}

impl Located {
    /// Whether taking out `range` would lose something: an added entry edited since.
    pub(crate) fn changed(&self) -> bool {
        !(self.edited.is_empty() && self.elsewhere.is_empty())
    }
}

impl Block {
    /// A block to write in full.
    pub(crate) fn new(marker: Marker, text: String) -> Block {
        Block {
            marker,
            text,
            kept: Vec::new(),
        }
    }

    /// Whether the block goes into a Python file (settings) rather than an env file.
    fn is_settings(&self) -> bool {
        self.marker.file.ends_with(".py")
    }

    /// The header lines and the entries, in order.
    fn parts(&self) -> (Vec<&str>, Vec<Entry<'_>>) {
        let mut header = Vec::new();
        let mut entries = Vec::new();
        let mut pending: Vec<&str> = Vec::new();
        for line in self.text.lines() {
            match self.entry_name(line) {
                Some(name) => {
                    if entries.is_empty() {
                        header.append(&mut pending);
                    }
                    pending.push(line);
                    entries.push(Entry {
                        name,
                        lines: std::mem::take(&mut pending),
                    });
                }
                None => pending.push(line),
            }
        }
        // Lines after the last entry (none in the templates) belong to the header, so
        // they are written whenever anything is.
        header.append(&mut pending);
        (header, entries)
    }

    /// The name a line of this block defines, if it is an entry line.
    fn entry_name<'a>(&self, line: &'a str) -> Option<&'a str> {
        let t = line.trim();
        if self.is_settings() {
            if t.is_empty() || t.starts_with('#') {
                return None;
            }
            let end = t.find([':', '=', ' '])?;
            Some(&t[..end])
        } else {
            let unhashed = t.strip_prefix('#').map_or(t, str::trim_start);
            let (name, _) = unhashed.split_once('=')?;
            let is_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            // A comment sentence is not an entry; an active line always is.
            (is_name || !t.starts_with('#')).then_some(name.trim())
        }
    }

    /// Every name the block defines, in order.
    fn names(&self) -> Vec<&str> {
        self.parts().1.iter().map(|e| e.name).collect()
    }

    /// The names adding writes (every name not kept).
    pub(crate) fn added_names(&self) -> Vec<&str> {
        self.names()
            .into_iter()
            .filter(|n| !self.kept.iter().any(|k| k == n))
            .collect()
    }

    /// The block with `kept` set to its names that `defined` holds.
    pub(crate) fn completing(&self, defined: &[String]) -> Block {
        let kept = self
            .names()
            .into_iter()
            .filter(|n| defined.iter().any(|d| d == n))
            .map(str::to_string)
            .collect();
        Block {
            kept,
            ..self.clone()
        }
    }

    /// What adding writes: the header and the entries not kept, or nothing when every
    /// entry is kept.
    fn added_text(&self) -> String {
        let (header, entries) = self.parts();
        let added: Vec<&Entry> = entries
            .iter()
            .filter(|e| !self.kept.iter().any(|k| k == e.name))
            .collect();
        if added.is_empty() {
            return String::new();
        }
        let mut out = String::new();
        for line in header.iter().chain(added.iter().flat_map(|e| &e.lines)) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// `text` with the added lines inserted above the marker (in `text`'s line endings);
    /// `None` when the marker is missing.
    pub(crate) fn apply(&self, text: &str) -> Option<String> {
        let at = crate::markers::line_start(text, &self.marker)?;
        let mut added = self.added_text();
        if text.contains("\r\n") {
            added = added.replace('\n', "\r\n");
        }
        let mut out = String::with_capacity(text.len() + added.len());
        out.push_str(&text[..at]);
        out.push_str(&added);
        out.push_str(&text[at..]);
        Some(out)
    }

    /// The names among the block's that `text` defines: fields of `class Settings` for
    /// settings (line by line when the file does not parse), active lines for env files.
    pub(crate) fn defined_in(&self, text: &str) -> Vec<String> {
        let defined: Vec<String> = if self.is_settings() {
            match crate::python::parse(text, "") {
                Ok(file) => file
                    .class("Settings")
                    .map(|c| c.fields.iter().map(|(name, _)| name.clone()).collect())
                    .unwrap_or_default(),
                Err(_) => text
                    .lines()
                    .filter_map(|line| self.entry_name(line))
                    .map(str::to_string)
                    .collect(),
            }
        } else {
            active_env(text).into_iter().map(|(key, _)| key).collect()
        };
        self.names()
            .into_iter()
            .filter(|n| defined.iter().any(|d| d == n))
            .map(str::to_string)
            .collect()
    }

    /// Finds the lines adding wrote in `text` (see the module docs): the header, then
    /// the run of added entries right below it (each defining an added name once).
    pub(crate) fn locate(&self, text: &str) -> Located {
        let added: Vec<&str> = self.added_names();
        if added.is_empty() {
            return Located::default();
        }
        let (header, entries) = self.parts();
        // Each line of `text` with its byte offset, without its line ending.
        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            lines.push((at, line.trim_end_matches('\n').trim_end_matches('\r')));
            at += line.len();
        }
        let is_comment =
            |line: &str| line.trim().starts_with('#') && self.entry_name(line).is_none();
        // Where the header is followed by the most added entries (the last such place
        // on a tie: blocks go right above the marker, after anything written by hand).
        let mut best: Option<(usize, usize, Vec<String>, usize)> = None;
        for start in 0..lines.len() {
            let matches = lines.len() >= start + header.len()
                && lines[start..start + header.len()]
                    .iter()
                    .zip(&header)
                    .all(|((_, have), want)| have == want);
            if !matches {
                continue;
            }
            let mut end = start + header.len();
            let mut seen: Vec<&str> = Vec::new();
            let mut edited = Vec::new();
            loop {
                let mut line = end;
                while line < lines.len() && is_comment(lines[line].1) {
                    line += 1;
                }
                let Some(name) = lines.get(line).and_then(|(_, l)| self.entry_name(l)) else {
                    break;
                };
                if !added.contains(&name) || seen.contains(&name) {
                    break;
                }
                seen.push(name);
                let have: Vec<&str> = lines[end..=line].iter().map(|(_, l)| *l).collect();
                if !entries.iter().any(|e| e.name == name && e.lines == have) {
                    edited.push(name.to_string());
                }
                end = line + 1;
            }
            if !seen.is_empty() && best.as_ref().is_none_or(|b| seen.len() >= b.3) {
                best = Some((start, end, edited, seen.len()));
            }
        }
        let mut found = Located::default();
        let mut rest = text.to_string();
        if let Some((start, end, edited, _)) = best {
            let to = lines.get(end).map_or(text.len(), |(offset, _)| *offset);
            let range = lines[start].0..to;
            rest.replace_range(range.clone(), "");
            found.range = Some(range);
            found.edited = edited;
        }
        let still = self.defined_in(&rest);
        found.elsewhere = added
            .into_iter()
            .filter(|n| still.iter().any(|s| s == n))
            .map(str::to_string)
            .collect();
        found
    }

    /// Deletes from `text`, by meaning, the active lines of the added names (`name:` in
    /// settings, `NAME=` in env files) and the lines equal to one of the block's own
    /// (its comments and commented-out entries); under `--force`, for added entries
    /// found outside the block (the older tool's, or below an edited header).
    pub(crate) fn delete_by_meaning(&self, text: &str) -> String {
        let added = self.added_names();
        let own: Vec<&str> = self
            .text
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut gone: Vec<bool> = lines
            .iter()
            .map(|line| {
                let t = line.trim();
                own.contains(&t)
                    || (!t.starts_with('#')
                        && self.entry_name(t).is_some_and(|n| added.contains(&n)))
            })
            .collect();
        // The empty line a block of ours starts with goes with it.
        if self.text.starts_with('\n') {
            for i in 1..lines.len() {
                if gone[i] && !gone[i - 1] && lines[i - 1].trim().is_empty() {
                    gone[i - 1] = true;
                }
            }
        }
        lines
            .iter()
            .zip(gone)
            .filter(|(_, gone)| !gone)
            .map(|(line, _)| *line)
            .collect()
    }
}

/// Active (uncommented) `NAME=value` lines of an env file, with their lines.
pub(crate) fn active_env(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, _) = line.split_once('=')?;
            Some((key.trim().to_string(), index + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers;

    const SETTINGS: &str = "\n    # Kafka\n    kafka_enabled: bool = False\n    # Where.\n    kafka_url: str = \"x\"\n    kafka_acks: str = \"all\"\n";
    const ENV: &str = "\n# Kafka: KAFKA_URL is the broker.\nKAFKA_ENABLED=false\n# Where.\nKAFKA_URL=x\n# KAFKA_ACKS=all\n";

    fn settings_file(fields: &str) -> String {
        format!(
            "class Settings:\n    app_name: str = \"shop\"\n{fields}    # polepos:integration-settings\n    model_config = 1\n"
        )
    }

    #[test]
    fn entries_carry_their_comments_and_the_header_its_own() {
        let block = Block::new(markers::INTEGRATION_SETTINGS, SETTINGS.to_string());
        let (header, entries) = block.parts();
        assert_eq!(header, ["", "    # Kafka"]);
        assert_eq!(block.names(), ["kafka_enabled", "kafka_url", "kafka_acks"]);
        assert_eq!(
            entries[1].lines,
            ["    # Where.", "    kafka_url: str = \"x\""]
        );
        let env = Block::new(markers::INTEGRATION_ENV, ENV.to_string());
        assert_eq!(env.parts().0, ["", "# Kafka: KAFKA_URL is the broker."]);
        assert_eq!(env.names(), ["KAFKA_ENABLED", "KAFKA_URL", "KAFKA_ACKS"]);
    }

    #[test]
    fn adding_writes_only_the_missing_entries_and_removing_takes_them_out() {
        let block = Block::new(markers::INTEGRATION_SETTINGS, SETTINGS.to_string());
        let original = settings_file("    kafka_url: str = \"mine\"\n");
        let partial = block.completing(&block.defined_in(&original));
        assert_eq!(partial.kept, ["kafka_url"]);
        let added = partial.apply(&original).unwrap();
        assert_eq!(
            added,
            settings_file(
                "    kafka_url: str = \"mine\"\n\n    # Kafka\n    kafka_enabled: bool = False\n    kafka_acks: str = \"all\"\n"
            )
        );
        let found = partial.locate(&added);
        assert!(!found.changed(), "{found:?}");
        let mut back = added.clone();
        back.replace_range(found.range.unwrap(), "");
        assert_eq!(back, original);

        // Every entry present: nothing is written, nothing is found to remove.
        let all = settings_file(&SETTINGS.replace("\n    # Kafka\n", ""));
        let complete = block.completing(&block.defined_in(&all));
        assert_eq!(complete.apply(&all).unwrap(), all);
        assert_eq!(complete.locate(&all), Located::default());
    }

    #[test]
    fn an_edited_added_entry_is_found_changed() {
        let block = Block::new(markers::INTEGRATION_SETTINGS, SETTINGS.to_string());
        let added = block.apply(&settings_file("")).unwrap();
        let edited = added.replace("\"all\"", "\"1\"");
        let found = block.locate(&edited);
        assert_eq!(found.edited, ["kafka_acks"]);
        assert!(found.elsewhere.is_empty());
        // The run below the header is the block's, edited entries too.
        let mut back = edited.clone();
        back.replace_range(found.range.unwrap(), "");
        assert_eq!(back, settings_file(""));
        // An entry deleted by hand is simply not there.
        let deleted = added.replace("    kafka_enabled: bool = False\n", "");
        let found = block.locate(&deleted);
        assert!(!found.changed());
        let mut back = deleted.clone();
        back.replace_range(found.range.unwrap(), "");
        assert_eq!(back, settings_file(""));
        // Without our header (the older tool's block), the fields are found elsewhere,
        // and deleted by meaning.
        let older =
            settings_file("    kafka_enabled: bool = True\n    kafka_acks: str = \"all\"\n");
        let found = block.locate(&older);
        assert_eq!((found.range, found.elsewhere.len()), (None, 2));
        assert_eq!(block.delete_by_meaning(&older), settings_file(""));
    }

    #[test]
    fn a_commented_out_env_entry_is_not_present() {
        let block = Block::new(markers::INTEGRATION_ENV, ENV.to_string());
        let original = "APP=1\n# KAFKA_ENABLED=true\nKAFKA_URL=mine\n# polepos:integration-env\n";
        let partial = block.completing(&block.defined_in(original));
        assert_eq!(partial.kept, ["KAFKA_URL"]);
        let added = partial.apply(original).unwrap();
        assert_eq!(
            added,
            "APP=1\n# KAFKA_ENABLED=true\nKAFKA_URL=mine\n\n# Kafka: KAFKA_URL is the broker.\nKAFKA_ENABLED=false\n# KAFKA_ACKS=all\n# polepos:integration-env\n"
        );
        let crlf = added.replace('\n', "\r\n");
        let found = partial.locate(&crlf);
        assert!(!found.changed());
        let mut back = crlf.clone();
        back.replace_range(found.range.unwrap(), "");
        assert_eq!(back, original.replace('\n', "\r\n"));
        // Nor is it taken out by meaning.
        let older = format!("{original}KAFKA_ENABLED=true\n# KAFKA_ACKS=all\n");
        assert_eq!(partial.delete_by_meaning(&older), original);
    }
}
