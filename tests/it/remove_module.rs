//! `add module X` then `remove module X` gives the original tree back, byte for byte,
//! for every template and every combination of the CRUD flags; several modules added
//! and removed in another order do too.

use crate::common::{Scratch, tree};

const FLAGS: [&str; 5] = [
    "--pagination",
    "--timestamps",
    "--soft-delete",
    "--tenant-scoped",
    "--auth-required",
];

/// Every template and flag combination `add module` accepts in a database project.
fn variants() -> Vec<Vec<&'static str>> {
    let mut out = vec![
        vec!["--template", "standard"],
        vec!["--template", "api-only"],
        vec!["--template", "service-only"],
    ];
    for mask in 0..(1u32 << FLAGS.len()) {
        let mut args = vec!["--template", "crud"];
        for (bit, flag) in FLAGS.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                args.push(flag);
            }
        }
        out.push(args);
    }
    out
}

#[test]
fn add_then_remove_restores_the_tree_for_every_template_and_flag_combination() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    // `--auth-required` modules need auth; it stays while each module comes and goes.
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    let root = s.path().join("shop");
    let original = tree(&root);
    let mut variants = variants();
    assert_eq!(variants.len(), 35);
    variants.push(vec!["--template", "crud", "--owned"]);
    variants.push(vec![
        "--template",
        "crud",
        "--owned",
        "--tenant-scoped",
        "--soft-delete",
        "--pagination",
        "--timestamps",
    ]);
    for args in variants {
        let mut add = vec!["add", "module", "orders"];
        add.extend(&args);
        let added = s.run_in("shop", &add);
        assert_eq!(added.code, 0, "{args:?}: {}", added.stderr);
        let removed = s.run_in("shop", &["remove", "module", "orders"]);
        assert_eq!(removed.code, 0, "{args:?}: {}", removed.stderr);
        let after = tree(&root);
        let differs: Vec<_> = original
            .keys()
            .chain(after.keys())
            .filter(|p| original.get(*p) != after.get(*p))
            .collect();
        assert!(differs.is_empty(), "{args:?} left {differs:?} changed");
    }
}

#[test]
fn several_modules_removed_in_another_order_restore_the_tree() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop", "--db", "postgres"]).code, 0);
    let root = s.path().join("shop");
    let original = tree(&root);
    for add in [
        vec![
            "add",
            "module",
            "orders",
            "--template",
            "crud",
            "--pagination",
        ],
        vec!["add", "module", "order_items"],
        vec!["add", "module", "catalog", "--api-only"],
        vec!["add", "module", "billing", "--service-only"],
    ] {
        assert_eq!(s.run_in("shop", &add).code, 0, "{add:?}");
    }
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    for name in ["order_items", "billing", "orders", "catalog"] {
        let out = s.run_in("shop", &["remove", "module", name]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert_eq!(
            s.run_in("shop", &["check"]).code,
            0,
            "check after removing {name}"
        );
    }
    assert_eq!(tree(&root), original);
}

#[test]
fn a_blocked_preview_exits_1_and_changes_nothing() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    assert_eq!(s.run_in("shop", &["add", "module", "orders"]).code, 0);
    std::fs::write(
        s.path().join("shop/src/shop/modules/orders/schemas.py"),
        "\"\"\"Mine.\"\"\"\n",
    )
    .unwrap();
    let before = s.snapshot_tree();
    for args in [
        &["remove", "module", "orders", "--dry-run"][..],
        &["remove", "module", "orders", "--trace"][..],
        &["remove", "module", "orders"][..],
    ] {
        let out = s.run_in("shop", args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains("changed since polepos wrote it"),
            "{}",
            out.stderr
        );
        assert_eq!(s.snapshot_tree(), before);
    }
}

#[test]
fn ai_prompt_modules_share_the_llm_scaffold_until_the_last_one_goes() {
    for db in ["none", "sqlite"] {
        let s = Scratch::new();
        assert_eq!(s.run(&["start", "shop", "--db", db]).code, 0);
        let root = s.path().join("shop");
        let original = tree(&root);
        for name in ["chat", "helper"] {
            let out = s.run_in("shop", &["add", "module", name, "--template", "ai-prompt"]);
            assert_eq!(out.code, 0, "{}", out.stderr);
        }
        // Removing the first keeps the scaffold the other one uses.
        assert_eq!(s.run_in("shop", &["remove", "module", "helper"]).code, 0);
        assert!(root.join("src/shop/integrations/llm/factory.py").is_file());
        assert!(
            std::fs::read_to_string(root.join(".poleposition.toml"))
                .unwrap()
                .contains("llm = true")
        );
        assert_eq!(s.run_in("shop", &["check"]).code, 0);
        let out = s.run_in("shop", &["remove", "module", "chat"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(tree(&root), original, "{db}");
    }
}

#[test]
fn a_changed_llm_file_or_settings_block_blocks_removing_the_last_ai_prompt_module() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop", "--db", "none"]).code, 0);
    let add = ["add", "module", "chat", "--template", "ai-prompt"];
    assert_eq!(s.run_in("shop", &add).code, 0);
    let root = s.path().join("shop");
    let factory = root.join("src/shop/integrations/llm/factory.py");
    let text = std::fs::read_to_string(&factory).unwrap();
    std::fs::write(&factory, format!("{text}# mine\n")).unwrap();
    let settings = root.join("src/shop/settings.py");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(
        &settings,
        text.replace(
            "llm_temperature: float = 0.2",
            "llm_temperature: float = 0.7",
        ),
    )
    .unwrap();
    let before = s.snapshot_tree();
    let out = s.run_in("shop", &["remove", "module", "chat"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    for needle in [
        "src/shop/integrations/llm/factory.py: changed since polepos wrote it",
        "src/shop/settings.py: the values of the llm integration (from `llm_provider`) are not the ones polepos added",
    ] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
    assert_eq!(
        s.snapshot_tree(),
        before,
        "a blocked removal changes nothing"
    );

    // --force removes the owned files, and the edited block by meaning.
    let out = s.run_in("shop", &["remove", "module", "chat", "--force"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!root.join("src/shop/integrations/llm").exists());
    assert!(!std::fs::read_to_string(&settings).unwrap().contains("llm_"));
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
}

#[test]
fn wiring_only_leaves_the_llm_scaffold_for_the_kept_module_files() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop", "--db", "none"]).code, 0);
    let add = ["add", "module", "chat", "--template", "ai-prompt"];
    assert_eq!(s.run_in("shop", &add).code, 0);
    let root = s.path().join("shop");
    let out = s.run_in("shop", &["remove", "module", "chat", "--wiring-only"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(root.join("src/shop/modules/chat/router.py").is_file());
    assert!(!root.join("tests/integration/test_chat.py").exists());
    assert!(root.join("src/shop/integrations/llm/factory.py").is_file());
    let settings = std::fs::read_to_string(root.join("src/shop/settings.py")).unwrap();
    assert!(settings.contains("llm_provider: str"), "{settings}");
    let manifest = std::fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    assert!(
        manifest.contains("llm = true") && !manifest.contains("chat ="),
        "{manifest}"
    );
}

/// A module directory deleted by hand leaves orphan wiring behind: `check` names the
/// command that takes it out, and `remove module <n> --force` does, so the package
/// imports and `check` passes again. Without `--force` nothing changes.
#[test]
fn force_removes_the_wiring_an_orphaned_module_left_behind() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let before = tree(&s.path().join("shop"));
    assert_eq!(s.run_in("shop", &["add", "module", "orders"]).code, 0);
    let root = s.path().join("shop");
    std::fs::remove_dir_all(root.join("src/shop/modules/orders")).unwrap();
    std::fs::remove_file(root.join("tests/integration/test_orders.py")).unwrap();
    std::fs::remove_file(root.join("tests/unit/test_orders_service.py")).unwrap();
    let manifest = std::fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    let without_entry = manifest.replace("orders = \"standard\"\n", "");
    assert_ne!(without_entry, manifest);
    std::fs::write(root.join(".poleposition.toml"), without_entry).unwrap();

    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 1);
    assert!(
        check
            .stdout
            .contains("un `polepos remove module orders --force` to remove"),
        "{}",
        check.stdout
    );
    let orphaned = tree(&root);
    let refused = s.run_in("shop", &["remove", "module", "orders"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("`polepos remove module orders --force` removes it"),
        "{}",
        refused.stderr
    );
    assert_eq!(tree(&root), orphaned);

    let forced = s.run_in("shop", &["remove", "module", "orders", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    assert_eq!(
        tree(&root),
        before,
        "the wiring and ledger entries are gone"
    );
}

/// Edits the file at `rel` under `root` with `f`, asserting it changed.
fn edit(root: &std::path::Path, rel: &str, f: impl FnOnce(&str) -> String) {
    let path = root.join(rel);
    let old = std::fs::read_to_string(&path).unwrap();
    let new = f(&old);
    assert_ne!(new, old, "{rel} did not change");
    std::fs::write(path, new).unwrap();
}

#[test]
fn a_router_imported_under_another_name_is_removed_with_its_include() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", &["add", "module", "garage"]).code, 0);
    edit(&root, "src/shop/api/router.py", |t| {
        t.replace(
            "import router as garage_router",
            "import router as garage_api",
        )
        .replace(
            "include_router(garage_router,",
            "include_router(garage_api,",
        )
    });
    let edited = std::fs::read_to_string(root.join("src/shop/api/router.py")).unwrap();

    let removed = s.run_in("shop", &["remove", "module", "garage"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let router = std::fs::read_to_string(root.join("src/shop/api/router.py")).unwrap();
    assert!(!router.contains("garage"), "{router}");
    let expected: String = edited
        .lines()
        .filter(|l| !l.contains("garage"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(router, expected);
    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn hand_written_references_to_the_module_elsewhere_refuse_the_removal() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", &["add", "module", "garage"]).code, 0);
    assert_eq!(s.run_in("shop", &["add", "module", "orders"]).code, 0);
    edit(&root, "src/shop/modules/orders/repository.py", |t| {
        format!("from shop.modules.garage.model import Garage\n{t}")
    });
    edit(&root, "src/shop/app.py", |t| {
        format!("from shop.modules.garage import router as garage_routes\n{t}")
    });
    let before = tree(&root);

    let refused = s.run_in("shop", &["remove", "module", "garage"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("src/shop/modules/orders/repository.py:1: imports shop.modules.garage.model"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("src/shop/app.py:1: imports shop.modules.garage.router"),
        "{}",
        refused.stderr
    );
    assert_eq!(tree(&root), before, "nothing changed");
    // `--force` does not override it: the app would not import afterwards.
    let forced = s.run_in("shop", &["remove", "module", "garage", "--force"]);
    assert_eq!(forced.code, 1, "{}", forced.stderr);
    assert_eq!(tree(&root), before, "nothing changed");
}

#[test]
fn an_unreadable_wiring_file_refuses_the_removal() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", &["add", "module", "garage"]).code, 0);
    let router = root.join("src/shop/api/router.py");
    let mut bytes = std::fs::read(&router).unwrap();
    bytes.extend_from_slice(b"# caf\xe9\n");
    std::fs::write(&router, bytes).unwrap();
    let before = tree(&root);

    for args in [
        &["remove", "module", "garage"][..],
        &["remove", "module", "garage", "--force"][..],
    ] {
        let refused = s.run_in("shop", args);
        assert_eq!(refused.code, 1, "{}", refused.stderr);
        assert!(
            refused.stderr.contains("src/shop/api/router.py"),
            "{}",
            refused.stderr
        );
        assert_eq!(tree(&root), before, "nothing changed");
    }
}

#[test]
fn the_last_ai_prompt_module_leaves_an_llm_scaffold_holding_hand_written_code() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop", "--db", "none"]).code, 0);
    let add = ["add", "module", "chat", "--template", "ai-prompt"];
    assert_eq!(s.run_in("shop", &add).code, 0);
    let root = s.path().join("shop");
    let mine = root.join("src/shop/integrations/llm/summaries.py");
    std::fs::write(
        &mine,
        "from shop.integrations.llm.factory import get_llm_provider\n\n__all__ = [\"get_llm_provider\"]\n",
    )
    .unwrap();
    let settings = std::fs::read_to_string(root.join("src/shop/settings.py")).unwrap();

    let out = s.run_in("shop", &["remove", "module", "chat"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("the llm scaffold stays: it holds code polepos did not generate (src/shop/integrations/llm/summaries.py)")
            || out.stdout.contains("the llm scaffold stays: it holds code polepos did not generate (src/shop/integrations/llm/summaries.py)"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(!root.join("src/shop/modules/chat").exists());
    assert!(root.join("src/shop/integrations/llm/factory.py").is_file());
    assert!(mine.is_file());
    assert_eq!(
        std::fs::read_to_string(root.join("src/shop/settings.py")).unwrap(),
        settings
    );
    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn a_hand_deleted_llm_setting_does_not_leave_the_others_behind() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop", "--db", "none"]).code, 0);
    let add = ["add", "module", "chat", "--template", "ai-prompt"];
    assert_eq!(s.run_in("shop", &add).code, 0);
    let root = s.path().join("shop");
    edit(&root, "src/shop/settings.py", |t| {
        t.lines()
            .filter(|l| !l.trim_start().starts_with("llm_provider:"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    // A deleted entry is simply missing: the others polepos added go without --force.
    let removed = s.run_in("shop", &["remove", "module", "chat"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let settings = std::fs::read_to_string(root.join("src/shop/settings.py")).unwrap();
    assert!(!settings.contains("llm_"), "{settings}");
    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn the_older_singular_unit_test_name_goes_with_the_module_when_pristine() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    let before = tree(&root);
    assert_eq!(s.run_in("shop", &["add", "module", "races"]).code, 0);
    let unit = root.join("tests/unit");
    std::fs::rename(
        unit.join("test_races_service.py"),
        unit.join("test_race_service.py"),
    )
    .unwrap();
    let edited = std::fs::read_to_string(unit.join("test_race_service.py")).unwrap() + "# mine\n";
    std::fs::write(unit.join("test_race_service.py"), &edited).unwrap();
    let refused = s.run_in("shop", &["remove", "module", "races"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("tests/unit/test_race_service.py"),
        "{}",
        refused.stderr
    );
    std::fs::write(
        unit.join("test_race_service.py"),
        edited.strip_suffix("# mine\n").unwrap(),
    )
    .unwrap();

    let removed = s.run_in("shop", &["remove", "module", "races"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(tree(&root), before);
}

/// SPEC §16: the search for other imports of the module does not read through a link
/// that leaves the project; a link inside the project is read like any file.
#[cfg(unix)]
#[test]
fn the_import_search_reads_no_file_outside_the_project() {
    use std::os::unix::fs::symlink;
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    assert_eq!(s.run_in("shop", &["add", "module", "orders"]).code, 0);
    let root = s.path().join("shop");
    let outside = s.path().join("elsewhere.py");
    std::fs::write(&outside, "from shop.modules.orders.model import Orders\n").unwrap();
    symlink(&outside, root.join("src/shop/linked.py")).unwrap();
    let inside = root.join("src/shop/real.py");
    std::fs::write(&inside, "from shop.modules.orders.model import Orders\n").unwrap();
    symlink(&inside, root.join("src/shop/alias.py")).unwrap();

    let out = s.run_in("shop", &["remove", "module", "orders", "--dry-run"]);

    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("src/shop/real.py:1: imports"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("src/shop/alias.py:1: imports"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("linked.py"), "{}", out.stderr);
}
