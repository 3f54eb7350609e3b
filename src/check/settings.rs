//! Every setting defined once (PPCHK063): a field of `class Settings` in settings.py,
//! and a key of `.env.example` (its active lines; a commented-out `# NAME=` documents a
//! value without setting it).
//!
//! A name defined twice is reported once, at its second definition, naming the line of
//! the first.

use std::collections::BTreeMap;

use super::Issue;
use super::codes::Code;
use super::facts::Facts;
use crate::feature::block::active_env;

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    if let Some(class) = facts.settings.file().and_then(|f| f.class("Settings")) {
        for (name, first, again) in repeated(class.fields.iter().map(|(n, l)| (n.as_str(), *l))) {
            issues.push(
                Issue::new(
                    Code::DuplicateSetting,
                    format!("setting `{name}` is defined twice in class Settings (lines {first} and {again})"),
                )
                .at(&facts.settings.path, Some(again))
                .fix(format!("delete one of the two `{name}` fields")),
            );
        }
    }
    if let Some(text) = facts.env.text() {
        let keys = active_env(text);
        for (key, first, again) in repeated(keys.iter().map(|(k, l)| (k.as_str(), *l))) {
            issues.push(
                Issue::new(
                    Code::DuplicateSetting,
                    format!(
                        "env key `{key}` is set twice in .env.example (lines {first} and {again})"
                    ),
                )
                .at(".env.example", Some(again))
                .fix(format!("delete one of the two `{key}=` lines")),
            );
        }
    }
}

/// Each name that occurs more than once, with its first and second line.
fn repeated<'a>(names: impl Iterator<Item = (&'a str, usize)>) -> Vec<(&'a str, usize, usize)> {
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (name, line) in names {
        match first.get(name) {
            None => {
                first.insert(name, line);
            }
            Some(&at) if !out.iter().any(|(n, _, _)| *n == name) => out.push((name, at, line)),
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_reported_once_at_its_second_line() {
        let names = [("a", 1), ("b", 2), ("a", 5), ("a", 9), ("c", 10)];
        assert_eq!(repeated(names.into_iter()), [("a", 1, 5)]);
        assert!(repeated([("a", 1), ("b", 2)].into_iter()).is_empty());
    }
}
