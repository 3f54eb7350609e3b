//! `polepos delete` and symlinks: a link given as the path is refused, links inside the
//! project are removed as links and their targets are kept.

use crate::common;
use std::os::unix::fs::symlink;

use crate::common::Scratch;

#[test]
fn a_symlink_to_a_project_is_refused_and_nothing_is_deleted() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    symlink(s.path().join("shop"), s.path().join("link")).unwrap();
    let before = s.snapshot_tree();
    let out = s.run(&["delete", "link", "--force"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is a symlink"), "{}", out.stderr);
    assert_eq!(s.snapshot_tree(), before);
}

#[test]
fn links_inside_are_removed_as_links_never_followed() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    std::fs::create_dir(s.path().join("precious")).unwrap();
    std::fs::write(s.path().join("precious/data.txt"), "keep me\n").unwrap();
    symlink(s.path().join("precious"), s.path().join("shop/data-link")).unwrap();
    symlink(
        s.path().join("precious/data.txt"),
        s.path().join("shop/file-link"),
    )
    .unwrap();
    let out = s.run(&["delete", "shop", "-y"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!s.path().join("shop").exists());
    assert_eq!(
        std::fs::read_to_string(s.path().join("precious/data.txt")).unwrap(),
        "keep me\n"
    );
    let left: Vec<_> = std::fs::read_dir(s.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["precious"], "no staging directory left behind");
}

#[test]
fn the_home_directory_is_never_deleted() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let home = s.path().join("shop");
    let out = common::run(
        s.path(),
        &["delete", "shop", "--force"],
        &[("HOME", home.clone().into_os_string())],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("home directory"), "{}", out.stderr);
    assert!(home.join(".poleposition.toml").is_file());
}

/// Scripts of the older tool confirm through a pipe (`echo y | polepos delete shop`): an
/// answer of `y` or `yes` deletes, anything else (or no answer) declines with exit 1.
#[test]
fn an_answer_from_a_pipe_confirms_or_declines() {
    let answer = |s: &Scratch, input: &str| {
        let out = common::sh_stdin(
            s.path(),
            env!("CARGO_BIN_EXE_polepos"),
            &["delete", "shop"],
            &[],
            input,
        );
        (Some(out.code), out.stderr)
    };
    for declined in ["n\n", "\n", "", "yess\n", "no y\n"] {
        let s = Scratch::new();
        assert_eq!(s.run(&["start", "shop"]).code, 0);
        let before = s.snapshot_tree();
        let (code, stderr) = answer(&s, declined);
        assert_eq!(code, Some(1), "{declined:?}: {stderr}");
        assert!(
            stderr.starts_with("error: deletion declined; nothing was deleted"),
            "{stderr}"
        );
        assert_eq!(s.snapshot_tree(), before, "{declined:?}");
    }
    for confirmed in ["y\n", "Y\n", "yes\n", " YES \n", "y"] {
        let s = Scratch::new();
        assert_eq!(s.run(&["start", "shop"]).code, 0);
        let (code, stderr) = answer(&s, confirmed);
        assert_eq!(code, Some(0), "{confirmed:?}: {stderr}");
        assert!(!s.path().join("shop").exists(), "{confirmed:?}");
    }
}
