//! Checks that compare modules with each other: circular imports between modules
//! (PPCHK060), two routers on one prefix (061) and duplicate table names (062).
//!
//! Each works on data gathered once (the module import graph from the scan, the include
//! list of `api/router.py`, the `__tablename__` lines of every model) and reports each
//! problem once: one issue per import cycle, one per repeated prefix or table.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::Issue;
use super::codes::Code;
use super::facts::Facts;
use crate::feature::mount::normalise_prefix;
use crate::feature::tables::Table;
use crate::python::Arg;

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    cycles(facts, issues);
    shared_prefixes(facts, issues);
    duplicate_tables(facts, issues);
}

/// PPCHK060: strongly connected components of the module import graph.
fn cycles(facts: &Facts, issues: &mut Vec<Issue>) {
    let names: Vec<&String> = facts.modules.keys().collect();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = facts
        .modules
        .values()
        .map(|dir| {
            let targets: BTreeSet<usize> = dir
                .imports
                .iter()
                .filter_map(|r| index.get(r.target.as_str()).copied())
                .collect();
            targets.into_iter().collect()
        })
        .collect();
    for component in strongly_connected(&edges) {
        if component.len() < 2 {
            continue;
        }
        let members: BTreeSet<usize> = component.iter().copied().collect();
        let Some(&start) = members.first() else {
            continue;
        };
        let path = cycle_through(&edges, &members, start);
        let cycle: Vec<&str> = path.iter().map(|&i| names[i].as_str()).collect();
        let (from, to) = (cycle[0], cycle.get(1).copied().unwrap_or(cycle[0]));
        let at = facts
            .modules
            .get(from)
            .and_then(|d| d.imports.iter().find(|r| r.target == to));
        let mut issue = Issue::new(
            Code::CircularImport,
            format!(
                "modules import each other at load time: {}",
                cycle.join(" -> ")
            ),
        );
        if let Some(at) = at {
            issue = issue.at(&at.path, Some(at.line));
        }
        issues.push(issue);
    }
}

/// Tarjan's algorithm, iterative so deep graphs cannot overflow the stack.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut out, mut counter) = (Vec::new(), Vec::new(), 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            if *next == 0 && index[v] == usize::MAX {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*next) {
                *next += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

/// A shortest cycle from `start` back to itself within `members` (breadth-first).
fn cycle_through(edges: &[Vec<usize>], members: &BTreeSet<usize>, start: usize) -> Vec<usize> {
    let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &edges[v] {
            if !members.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![start];
                let mut at = v;
                while at != start {
                    path.push(at);
                    at = previous.get(&at).copied().unwrap_or(start);
                }
                path[1..].reverse();
                path.push(start);
                return path;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = previous.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

/// PPCHK061: two includes mounted on the same prefix.
fn shared_prefixes(facts: &Facts, issues: &mut Vec<Issue>) {
    let Some(router) = facts.router.file() else {
        return;
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for include in &router.includes {
        let Arg::Literal(prefix) = &include.prefix else {
            continue;
        };
        let prefix = normalise_prefix(prefix);
        if prefix.is_empty() {
            continue;
        }
        match seen.get(&prefix) {
            Some(first) => issues.push(
                Issue::new(
                    Code::DuplicatePrefix,
                    format!("prefix \"{prefix}\" is already used by the include on line {first}"),
                )
                .at(&facts.router.path, Some(include.line)),
            ),
            None => {
                seen.insert(prefix, include.line);
            }
        }
    }
}

/// PPCHK062: the same `__tablename__` in two model files.
fn duplicate_tables(facts: &Facts, issues: &mut Vec<Issue>) {
    let mut tables: Vec<&Table> = facts
        .modules
        .values()
        .flat_map(|d| &d.tables)
        .chain(&facts.auth_tables)
        .collect();
    tables.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    let mut seen: BTreeMap<&str, &Table> = BTreeMap::new();
    for table in tables {
        match seen.get(table.name.as_str()) {
            Some(first) => issues.push(
                Issue::new(
                    Code::DuplicateTable,
                    format!(
                        "table `{}` is also declared in {}:{}",
                        table.name, first.path, first.line
                    ),
                )
                .at(&table.path, Some(table.line)),
            ),
            None => {
                seen.insert(&table.name, table);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_cycles() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3 (self), 4 alone
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![]];
        let mut comps: Vec<Vec<usize>> = strongly_connected(&edges)
            .into_iter()
            .map(|mut c| {
                c.sort();
                c
            })
            .collect();
        comps.sort();
        assert_eq!(comps, vec![vec![0, 1, 2], vec![3], vec![4]]);
        let members: BTreeSet<usize> = [0, 1, 2].into_iter().collect();
        assert_eq!(cycle_through(&edges, &members, 0), vec![0, 1, 2, 0]);
    }
}
