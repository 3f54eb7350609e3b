//! Carrying a change of a generated file over to the file as it is now, with the hand
//! edits it has (a three-way merge by lines).
//!
//! `add field` and `remove field` know what polepos generated for a module before
//! (`old`: the render of its recorded fields) and what it generates after (`new`). Each
//! region where the two differ is applied to the file on disk (`current`) only when
//! the user left that region alone: its lines, and the lines on either side of it, are
//! still where polepos wrote them. Hand edits anywhere else are kept; a region the user
//! changed is a conflict, never guessed at.

use similar::{DiffOp, TextDiff};

/// Where `old` → `new` could not be carried over to the current file: the 1-based line
/// of `old` where the changed region starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conflict {
    pub line: usize,
}

/// `current` with the change `old` → `new` applied, or the first region the user
/// changed.
pub(crate) fn rebase(current: &str, old: &str, new: &str) -> Result<String, Conflict> {
    if current == old {
        return Ok(new.to_string());
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let current_lines: Vec<&str> = current.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    // Where each line polepos wrote is now, if the user left it in place.
    let mut now: Vec<Option<usize>> = vec![None; old_lines.len()];
    for op in TextDiff::from_slices(&old_lines, &current_lines).ops() {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = *op
        {
            for i in 0..len {
                now[old_index + i] = Some(new_index + i);
            }
        }
    }
    let mut out = String::with_capacity(current.len() + new.len().saturating_sub(old.len()));
    let mut copied = 0;
    for op in TextDiff::from_slices(&old_lines, &new_lines).ops() {
        if matches!(op, DiffOp::Equal { .. }) {
            continue;
        }
        let (old_range, new_range) = (op.old_range(), op.new_range());
        let conflict = Conflict {
            line: old_range.start + 1,
        };
        // The region starts after the line before it and ends at the line after it;
        // both must be where polepos wrote them, with the region's own lines between.
        let start = match old_range.start {
            0 => 0,
            before => now[before - 1].ok_or(conflict)? + 1,
        };
        let end = match old_lines.get(old_range.end) {
            Some(_) => now[old_range.end].ok_or(conflict)?,
            None => current_lines.len(),
        };
        let untouched = end >= start
            && end - start == old_range.len()
            && old_range
                .clone()
                .enumerate()
                .all(|(i, line)| now[line] == Some(start + i));
        if !untouched || start < copied {
            return Err(conflict);
        }
        out.extend(current_lines[copied..start].iter().copied());
        out.extend(new_lines[new_range].iter().copied());
        copied = end;
    }
    out.extend(current_lines[copied..].iter().copied());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "class A:\n    id: int\n    name: str\n\n\ndef f():\n    pass\n";
    const NEW: &str =
        "class A:\n    id: int\n    name: str\n    price: int\n\n\ndef f():\n    pass\n";

    #[test]
    fn an_untouched_file_becomes_the_new_render() {
        assert_eq!(rebase(OLD, OLD, NEW).as_deref(), Ok(NEW));
    }

    #[test]
    fn hand_edits_elsewhere_are_kept_both_ways() {
        let current = OLD.replace("    pass\n", "    return 1\n");
        let added = rebase(&current, OLD, NEW).unwrap();
        assert_eq!(added, NEW.replace("    pass\n", "    return 1\n"));
        // And back: the original file, byte for byte.
        assert_eq!(rebase(&added, NEW, OLD).unwrap(), current);
        let preamble = format!("# mine\n{OLD}");
        assert_eq!(
            rebase(&preamble, OLD, NEW).unwrap(),
            format!("# mine\n{NEW}")
        );
    }

    #[test]
    fn a_changed_region_is_a_conflict() {
        // The user added a line exactly where the new one goes.
        let current = OLD.replace("    name: str\n", "    name: str\n    mine: int\n");
        assert_eq!(rebase(&current, OLD, NEW), Err(Conflict { line: 4 }));
        // The line the change replaces was edited.
        let current = NEW.replace("    price: int\n", "    price: float\n");
        assert!(rebase(&current, NEW, OLD).is_err());
    }
}
