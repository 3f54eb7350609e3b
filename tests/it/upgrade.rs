//! `polepos upgrade`: a file polepos wrote and nobody touched is a safe update when this
//! version generates other bytes; `--apply` writes it and refreshes the ledger.

use crate::common::{Scratch, pretend_older_version_wrote};

#[test]
fn a_pristine_outdated_file_is_a_safe_update_and_apply_writes_it() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    let fresh = std::fs::read_to_string(root.join("src/shop/main.py")).unwrap();
    pretend_older_version_wrote(
        &root,
        "src/shop/main.py",
        "from shop.app import create_app\n\napp = create_app()\n",
    );

    let report = s.run_in("shop", &["upgrade", "--json"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let json: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    let states: Vec<(String, String)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "up-to-date")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [("src/shop/main.py".to_string(), "safe-update".to_string())]
    );
    assert_eq!(json["applied"], false);

    let before = s.snapshot_tree();
    let preview = s.run_in("shop", &["upgrade", "--apply", "--dry-run"]);
    assert_eq!(preview.code, 0, "{}", preview.stderr);
    assert!(
        preview.stdout.contains("modify src/shop/main.py"),
        "{}",
        preview.stdout
    );
    assert_eq!(s.snapshot_tree(), before, "--dry-run writes nothing");

    let applied = s.run_in("shop", &["upgrade", "--apply"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(
        std::fs::read_to_string(root.join("src/shop/main.py")).unwrap(),
        fresh
    );
    let again = s.run_in("shop", &["upgrade", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert!(
        json["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["state"] == "up-to-date"),
        "{}",
        again.stdout
    );
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
}

#[test]
fn a_file_the_user_changed_is_never_written() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    std::fs::write(
        root.join("src/shop/main.py"),
        "from shop.app import create_app\n\napp = create_app()  # mine\n",
    )
    .unwrap();
    let before = s.snapshot_tree();
    let applied = s.run_in("shop", &["upgrade", "--apply"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        applied.stdout.contains("modified      src/shop/main.py"),
        "{}",
        applied.stdout
    );
    let after = s.snapshot_tree();
    let main = std::path::Path::new("shop/src/shop/main.py");
    assert_eq!(
        after.get(main),
        before.get(main),
        "a modified file is never written"
    );
}

#[test]
fn after_add_auth_the_spliced_files_compare_with_a_spliced_render() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    let report = s.run_in("shop", &["upgrade", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    let not_up_to_date: Vec<&serde_json::Value> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "up-to-date")
        .collect();
    assert!(not_up_to_date.is_empty(), "{not_up_to_date:?}");
    assert!(
        json["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "auth")
    );
}

/// An auth model as polepos wrote it before `auth_users` was declared `AUTOINCREMENT`.
fn pretend_the_auth_model_predates_autoincrement(root: &std::path::Path) {
    let rel = "src/shop/auth/model.py";
    let fresh = std::fs::read_to_string(root.join(rel)).unwrap();
    let option = "    __table_args__ = ({\"sqlite_autoincrement\": True},)\n";
    assert!(fresh.contains(option), "{fresh}");
    pretend_older_version_wrote(root, rel, &fresh.replace(option, ""));
}

/// The lines from the first `Note:` on.
fn notes_of(stdout: &str) -> &str {
    stdout.find("Note:").map_or("", |at| &stdout[at..])
}

#[test]
fn an_auth_model_without_autoincrement_comes_with_the_migration_to_write() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    let root = s.path().join("shop");
    pretend_the_auth_model_predates_autoincrement(&root);

    let report = s.run_in("shop", &["upgrade"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report
            .stdout
            .contains("safe-update   src/shop/auth/model.py"),
        "{}",
        report.stdout
    );
    insta::assert_snapshot!("upgrade_auth_ids_sqlite", notes_of(&report.stdout));

    let json = s.run_in("shop", &["upgrade", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["notes"][0].as_str(), Some(notes_of(&report.stdout)));

    // Applying writes the model; the note still says the database is the user's job.
    let applied = s.run_in("shop", &["upgrade", "--apply"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(notes_of(&applied.stdout), notes_of(&report.stdout));
    let again = s.run_in("shop", &["upgrade"]);
    assert_eq!(notes_of(&again.stdout), "", "{}", again.stdout);
}

#[test]
fn on_postgresql_the_database_needs_no_migration_for_it() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop", "--db", "postgres"]).code, 0);
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    pretend_the_auth_model_predates_autoincrement(&s.path().join("shop"));

    let report = s.run_in("shop", &["upgrade"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    insta::assert_snapshot!("upgrade_auth_ids_postgres", notes_of(&report.stdout));
}

#[test]
fn a_changed_auth_model_is_told_what_to_add() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    let model = s.path().join("shop/src/shop/auth/model.py");
    let mine = std::fs::read_to_string(&model)
        .unwrap()
        .replace(
            "    __table_args__ = ({\"sqlite_autoincrement\": True},)\n",
            "",
        )
        .replace("DEFAULT_ROLES = \"user\"", "DEFAULT_ROLES = \"member\"");
    std::fs::write(&model, mine).unwrap();

    let report = s.run_in("shop", &["upgrade"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report
            .stdout
            .contains("modified      src/shop/auth/model.py"),
        "{}",
        report.stdout
    );
    insta::assert_snapshot!("upgrade_auth_ids_modified", notes_of(&report.stdout));
}

#[test]
fn an_auth_required_module_without_auth_is_not_rendered() {
    // Made by an earlier version, whose --auth-required routes used the stateless
    // dependency: this version's routes import auth's, so they are not offered.
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let added = s.run_in("shop", &["add", "module", "orders", "--template", "crud"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let manifest_path = s.path().join("shop/.poleposition.toml");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let declared = manifest.replace("orders = \"crud\"", "orders = \"crud[auth-required]\"");
    assert_ne!(declared, manifest);
    std::fs::write(&manifest_path, declared).unwrap();

    let report = s.run_in("shop", &["upgrade"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report.stdout.contains(
            "Not rendered by this version: module `orders` (its --auth-required routes need `polepos add auth` first)"
        ),
        "{}",
        report.stdout
    );
    let applied = s.run_in("shop", &["upgrade", "--apply"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let router =
        std::fs::read_to_string(s.path().join("shop/src/shop/modules/orders/router.py")).unwrap();
    assert!(!router.contains("user_service"), "{router}");
}

#[test]
fn ci_pins_the_generating_version_and_upgrade_raises_the_pin() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    let ci = ".github/workflows/ci.yml";
    let fresh = std::fs::read_to_string(root.join(ci)).unwrap();
    let pin = format!(
        "          uv tool install polepos=={}\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(fresh.contains(&pin), "{fresh}");
    let older = fresh.replace(&pin, "          uv tool install polepos==0.0.1\n");
    pretend_older_version_wrote(&root, ci, &older);

    let applied = s.run_in("shop", &["upgrade", "--apply"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        applied.stdout.contains(&format!("safe-update   {ci}")),
        "{}",
        applied.stdout
    );
    assert_eq!(std::fs::read_to_string(root.join(ci)).unwrap(), fresh);
}
