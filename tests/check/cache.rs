//! The check cache (`.polepos_cache/`): a run that takes files from it reports exactly
//! what a run that reads every file reports, and every change to a file is seen.

use std::fs;
use std::path::Path;
use std::time::Duration;

use polepos::check::{Caching, Report, check_with};

/// Files changed within the last second are never cached: let them age.
fn age() {
    std::thread::sleep(Duration::from_millis(1100));
}

/// Every issue with its code, place and message, one per line.
fn issues(report: &Report) -> String {
    report
        .issues
        .iter()
        .map(|i| {
            format!(
                "{} {:?}:{:?} {}\n",
                i.code.name(),
                i.path,
                i.line,
                i.message
            )
        })
        .collect()
}

fn cached_files(root: &Path) -> String {
    fs::read_to_string(root.join(".polepos_cache/check.txt")).unwrap_or_default()
}

#[test]
fn a_warm_cache_reports_what_reading_every_file_reports_and_sees_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bench");
    // 40 modules: the scan runs on two threads.
    polepos::bench::bench_project(&root, 40).unwrap();
    let module = |rel: &str| root.join("src/bench_app/modules").join(rel);
    fs::write(module("mod_0003/schemas.py"), "def broken(:\n    pass\n").unwrap();
    fs::write(module("mod_0007/services/extra.py"), b"x = '\xff'\n").unwrap();
    fs::write(root.join("tests/unit/test_broken.py"), "assert (\n").unwrap();
    let models = root.join("src/bench_app/db/models.py");
    let text = fs::read_to_string(&models).unwrap();
    fs::write(
        &models,
        text.replace(
            "import model as mod_0009_model",
            "import modle as mod_0009_model",
        ),
    )
    .unwrap();
    age();

    let cold = check_with(&root, Caching::Off);
    assert!(
        !root.join(".polepos_cache").exists(),
        "--no-cache writes nothing"
    );
    for code in ["PPCHK038", "PPCHK023", "PPCHK039"] {
        assert!(
            issues(&cold).contains(code),
            "{code} missing: {}",
            issues(&cold)
        );
    }
    let filling = check_with(&root, Caching::On);
    assert_eq!(issues(&filling), issues(&cold));
    let cache = cached_files(&root);
    for rel in [
        "src/bench_app/modules/mod_0003/schemas.py",
        "src/bench_app/modules/mod_0040/model.py",
        "tests/unit/test_broken.py",
    ] {
        assert!(cache.contains(rel), "{rel} is not cached");
    }
    assert_eq!(
        fs::read_to_string(root.join(".polepos_cache/.gitignore")).unwrap(),
        "# Written by polepos check; safe to delete.\n*\n"
    );
    let warm = check_with(&root, Caching::On);
    assert_eq!(issues(&warm), issues(&cold));

    // Mend two files and break a third: the cache must notice.
    fs::write(module("mod_0003/schemas.py"), "def mended():\n    pass\n").unwrap();
    fs::write(root.join("tests/unit/test_broken.py"), "assert 1\n\n").unwrap();
    let model = module("mod_0012/model.py");
    let text = fs::read_to_string(&model).unwrap();
    fs::write(&model, text.replacen("class ", "clas  ", 1)).unwrap();
    let changed = check_with(&root, Caching::On);
    assert_eq!(issues(&changed), issues(&check_with(&root, Caching::Off)));
    assert!(!issues(&changed).contains("mod_0003/schemas.py"));
    assert!(issues(&changed).contains("mod_0012/model.py"));
    // A file that is gone leaves the cache.
    fs::remove_file(module("mod_0007/services/extra.py")).unwrap();
    age();
    let after_removal = check_with(&root, Caching::On);
    assert!(!issues(&after_removal).contains("PPCHK023"));
    assert!(!cached_files(&root).contains("mod_0007/services/extra.py"));
}

#[test]
fn the_cache_is_used_for_its_own_package_only_and_only_when_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bench");
    polepos::bench::bench_project(&root, 2).unwrap();
    fs::write(
        root.join("src/bench_app/modules/mod_0001/schemas.py"),
        "def broken(:\n",
    )
    .unwrap();
    age();
    let cold = issues(&check_with(&root, Caching::Off));
    assert!(cold.contains("PPCHK038"));
    check_with(&root, Caching::On);
    let cache = root.join(".polepos_cache/check.txt");
    // The same files recorded as clean, but for another package: not used.
    let clean: String = cached_files(&root)
        .lines()
        .map(|line| {
            let kept: Vec<&str> = line.split('\t').filter(|f| !f.starts_with('S')).collect();
            format!("{}\n", kept.join("\t"))
        })
        .collect();
    let forged = clean.replacen("\tbench_app\n", "\tother\n", 1);
    assert_ne!(forged, clean);
    fs::write(&cache, &forged).unwrap();
    assert_eq!(issues(&check_with(&root, Caching::On)), cold);
    // Proof that the cache is read at all: for the right package, the forged "clean"
    // entry of the unchanged file is believed.
    fs::write(&cache, &clean).unwrap();
    assert!(!issues(&check_with(&root, Caching::On)).contains("PPCHK038"));
    assert!(issues(&check_with(&root, Caching::Off)).contains("PPCHK038"));
    fs::write(&cache, "polepos-check-cache\t1\n\u{0}garbage\t\t\n").unwrap();
    assert_eq!(issues(&check_with(&root, Caching::On)), cold);
}
