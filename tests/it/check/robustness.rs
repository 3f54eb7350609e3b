//! `check` never panics, whatever bytes the project's files hold: random bytes,
//! truncations, invalid UTF-8 and Python-ish noise spliced into every file it reads.
//! A small seeded generator keeps failures reproducible (the seed is in the message).

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::support::Project;

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const NOISE: &[&[u8]] = &[
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"\"\"",
    b"'",
    b"\\",
    b"\n",
    b"\n    ",
    b"\t",
    b":",
    b"# polepos:router-imports\n",
    b"    # polepos:model-imports\n",
    b"import ",
    b"from . import x\n",
    b"from ...... import y\n",
    b"api_router.include_router(",
    b"__all__ = [",
    b"__tablename__ = ",
    b"class Settings:\n",
    b"def import_models():\n",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xa8",
    b"f\"{x!r:{y}}\"",
    b"lambda: (yield)",
    b"match x:\n    case 1:\n",
    b"[modules]\n",
    b"= true\n",
    b"\"\xf0\x9f\x9a\x80\"",
    b"\r\n",
    b"\r",
];

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    match rng.below(5) {
        0 => (0..rng.below(3000)).map(|_| rng.next() as u8).collect(),
        1 => original[..rng.below(original.len() + 1)].to_vec(),
        2 => {
            let mut bytes = original.to_vec();
            for _ in 0..=rng.below(8) {
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
            }
            bytes
        }
        3 => {
            let mut bytes = original.to_vec();
            for _ in 0..=rng.below(6) {
                let at = rng.below(bytes.len() + 1);
                let noise = NOISE[rng.below(NOISE.len())];
                bytes.splice(at..at, noise.iter().copied());
            }
            bytes
        }
        _ => {
            let mut bytes = Vec::new();
            for _ in 0..rng.below(200) {
                bytes.extend_from_slice(NOISE[rng.below(NOISE.len())]);
            }
            bytes
        }
    }
}

fn targets(project: &Project) -> Vec<String> {
    let mut files = vec![
        ".poleposition.toml".to_string(),
        "pyproject.toml".to_string(),
        ".env.example".to_string(),
    ];
    for rel in [
        "api/router.py",
        "db/models.py",
        "modules/__init__.py",
        "settings.py",
        "auth/model.py",
        "modules/orders/model.py",
        "modules/orders/repository.py",
        "modules/assistant/orchestrator.py",
    ] {
        files.push(project.p(rel));
    }
    files
}

/// Fuzz rounds: `base` by default, scaled by `POLEPOS_FUZZ_SCALE` (a whole number; the
/// README's test command raises it), so plain `cargo test` stays quick.
fn fuzz_rounds(base: u64) -> u64 {
    let scale = std::env::var("POLEPOS_FUZZ_SCALE")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1);
    base.saturating_mul(scale).max(1)
}

#[test]
fn check_survives_any_bytes_in_any_file_it_reads() {
    let project = Project::legacy();
    let files = targets(&project);
    let originals: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(project.path(f)).unwrap())
        .collect();
    for seed in 1..=fuzz_rounds(400) {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        // Break one to three files at once.
        let mut touched = Vec::new();
        for _ in 0..=rng.below(3) {
            let index = rng.below(files.len());
            project.write(&files[index], mutate(&mut rng, &originals[index]));
            touched.push(index);
        }
        let result = catch_unwind(AssertUnwindSafe(|| polepos::check::check(&project.root)));
        let report = result.unwrap_or_else(|_| panic!("check panicked with seed {seed}"));
        assert!(report.project_root.is_some(), "seed {seed}");
        // Text, JSON and GitHub rendering of any report works too.
        let json = polepos::check::render::json(&report);
        serde_json::from_str::<serde_json::Value>(&json)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let _ = polepos::check::render::text(&report);
        let _ = polepos::check::render::github(&report, None);
        for index in touched {
            project.write(&files[index], &originals[index]);
        }
    }
    project.assert_clean();
}

#[test]
fn fix_survives_any_bytes_and_never_rewrites_an_unreadable_manifest() {
    for seed in 1..=fuzz_rounds(60) {
        let project = Project::legacy();
        let files = targets(&project);
        let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        // Drop a marker so --fix has work to do around the damage.
        project.delete_line(&project.p("db/models.py"), "# polepos:model-imports");
        let index = rng.below(files.len());
        let original = std::fs::read(project.path(&files[index])).unwrap();
        project.write(&files[index], mutate(&mut rng, &original));
        let manifest_before = std::fs::read(project.path(".poleposition.toml")).unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| {
            polepos::check::check_and_fix(&project.root)
        }));
        let report = result
            .unwrap_or_else(|_| panic!("check --fix panicked with seed {seed}"))
            .unwrap_or_else(|e| panic!("check --fix failed with seed {seed}: {e}"));
        assert_eq!(
            std::fs::read(project.path(".poleposition.toml")).unwrap(),
            manifest_before,
            "seed {seed}: --fix never edits the manifest"
        );
        // Every Python file --fix edited still parses.
        for fixed in &report.fixed {
            if fixed.path.ends_with(".py") {
                let text = project.read(&fixed.path);
                assert!(
                    polepos::python::parse(&text, "x").is_ok(),
                    "seed {seed}: {}",
                    fixed.path
                );
            }
        }
    }
}

#[test]
fn check_survives_hostile_nesting() {
    let project = Project::legacy();
    let depth = 100_000;
    let shapes = [
        format!("x = {}1\n", "-".repeat(depth)),
        format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        format!("x = {}b\n", "a.".repeat(depth / 2)),
        format!("x = {}1\n", "1+".repeat(depth / 2)),
        format!("x = {}\n", "(".repeat(depth)),
    ];
    let router = project.p("api/router.py");
    let repository = project.p("modules/orders/repository.py");
    let model = project.p("modules/orders/model.py");
    for shape in &shapes {
        project.write(&router, shape);
        project.write(
            &repository,
            format!("from legacy_shop.modules.billing import model\n{shape}"),
        );
        project.write(
            &model,
            format!("__tablename__ = {}'orders'\n", "-".repeat(depth)),
        );
        let report = polepos::check::check(&project.root);
        assert!(!report.passed());
    }
}

/// SPEC §16, bounded work: a file nested past Python's own limits is an error (PPCHK026),
/// a file too large or too deep for polepos to parse is a warning (PPCHK025), neither is
/// parsed, and the whole `check` stays under 200 MiB (a 1,000,000-deep bracket file took
/// 2.1 GB before, and 200 MB of valid Python 4.5 GB).
#[cfg(target_os = "linux")]
#[test]
fn hostile_files_are_findings_and_memory_stays_bounded() {
    let project = super::support::sqlite();
    let deep = project.p("deep.py");
    let big = project.p("data.py");
    let chain = "tests/test_chain.py";
    project.write(&deep, format!("x = {}\n", "(".repeat(1_000_000)));
    // 60 MB of valid Python: reading stops one byte past the 5 MiB limit.
    project.write(&big, "VALUE = [1, 2, 3]\n".repeat(60 * 1024 * 1024 / 18));
    project.write(chain, format!("x = 1{}\n", " + 1".repeat(5_000)));

    let run = super::support::polepos(&project.root, &["check", "--format", "json"]);
    let peak_kib = children_peak_rss_kib();
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let mut found: Vec<(String, String, String)> = report["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap_or_default().to_string(),
                i["severity"].as_str().unwrap_or_default().to_string(),
                i["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    let expected = |code: &str, severity: &str, path: &str| {
        (code.to_string(), severity.to_string(), path.to_string())
    };
    let mut want = vec![
        expected("PPCHK025", "warning", &big),
        expected("PPCHK025", "warning", chain),
        expected("PPCHK026", "error", &deep),
    ];
    want.sort();
    assert_eq!(found, want, "{}", run.stdout);
    assert!(
        peak_kib < 200 * 1024,
        "check peaked at {} MiB",
        peak_kib / 1024
    );
}

/// The largest resident set of any child this test process has waited for, in KiB.
#[cfg(target_os = "linux")]
fn children_peak_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss
}
