//! What users see from `polepos check` and `polepos explain`: every output format,
//! exit codes, and the behaviour of the real binary (snapshots, paths filtered).

use super::support::{Project, polepos};

/// The legacy fixture broken in several ways (one warning among them).
fn broken() -> Project {
    let project = Project::legacy();
    project.delete_line(&project.p("api/router.py"), "# polepos:router-imports");
    project.edit(
        &project.p("api/router.py"),
        "prefix=\"/orders\"",
        "prefix=\"/order\"",
    );
    project.remove("tests/unit/test_billing_service_only.py");
    project.delete_line(".poleposition.toml", "catalog = \"api-only\"");
    project.edit(".env.example", "REDIS_URL=", "# REDIS_URL=");
    project
}

#[test]
fn text_output() {
    let project = broken();
    let run = polepos(&project.root, &["check"]);
    insta::assert_snapshot!(run.render_as(&project.root, "[ROOT]"));
}

#[test]
fn json_output() {
    let project = broken();
    let run = polepos(&project.root, &["check", "--json"]);
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(
        polepos(&project.root, &["check", "--format", "json"]).stdout,
        run.stdout
    );
    insta::assert_snapshot!(run.render_as(&project.root, "[ROOT]"));
}

#[test]
fn github_output() {
    let project = broken();
    let run = polepos(&project.root, &["check", "--format", "github"]);
    insta::assert_snapshot!(run.render_as(&project.root, "[ROOT]"));
}

#[test]
fn github_paths_are_relative_to_the_workspace() {
    let project = broken();
    let workspace = project.root.parent().expect("parent");
    let report = polepos::check::check(&project.root);
    let out = polepos::check::render::github(&report, Some(workspace));
    assert!(
        out.contains("::error file=legacy/src/legacy_shop/api/router.py,line=13::[PPCHK034]"),
        "{out}"
    );
    assert!(
        out.contains("::warning file=legacy/src/legacy_shop/modules/catalog::[PPCHK018]"),
        "{out}"
    );
}

#[test]
fn github_summary_counts_in_the_singular_and_plural() {
    let dir = tempfile::tempdir().unwrap();
    let one_error = polepos(dir.path(), &["check", "--format", "github"]);
    assert!(
        one_error.stdout.ends_with(" (1 error, 0 warnings)\n"),
        "{}",
        one_error.stdout
    );
    let project = Project::legacy();
    project.harden_legacy_foundation();
    project.delete_line(".poleposition.toml", "catalog = \"api-only\"");
    let one_warning = polepos(&project.root, &["check", "--format", "github"]);
    assert!(
        one_warning.stdout.ends_with(" (0 errors, 1 warning)\n"),
        "{}",
        one_warning.stdout
    );
}

#[test]
fn passing_output_in_every_format() {
    let project = Project::legacy();
    for args in [
        &["check"][..],
        &["check", "--json"],
        &["check", "--format", "github"],
    ] {
        let run = polepos(&project.root, args);
        assert_eq!(run.code, 0, "{args:?}");
        assert_eq!(run.stderr, "");
    }
    let run = polepos(&project.root, &["check"]);
    insta::assert_snapshot!(run.render_as(&project.root, "[ROOT]"));
}

#[test]
fn warnings_alone_pass() {
    let project = Project::legacy();
    project.delete_line(".poleposition.toml", "catalog = \"api-only\"");
    let run = polepos(&project.root, &["check", "--json"]);
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["passed"], true);
    assert_eq!(doc["issues"][0]["severity"], "warning");
}

#[test]
fn not_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let text = polepos(dir.path(), &["check"]);
    let json = polepos(dir.path(), &["check", "--json"]);
    assert_eq!((text.code, json.code), (1, 1));
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["issues"][0]["code"], "PPCHK000");
    assert_eq!(doc["project_root"], serde_json::Value::Null);
    insta::assert_snapshot!("not_a_project_text", text.render_as(dir.path(), "[ROOT]"));
    insta::assert_snapshot!("not_a_project_json", json.render_as(dir.path(), "[ROOT]"));
}

#[test]
fn fix_output() {
    let project = Project::fresh_with_auth(polepos::manifest::DbMode::Sqlite);
    project.delete_line("src/shop/api/router.py", "# polepos:router-includes");
    project.delete_line(
        "src/shop/api/router.py",
        "api_router.include_router(auth_router, prefix=\"/auth\", tags=[\"auth\"])",
    );
    project.delete_line(".env.example", "# polepos:integration-env");
    let before = project.tree();
    let run = polepos(&project.root, &["check", "--fix"]);
    insta::assert_snapshot!("fix_text", run.render_as(&project.root, "[ROOT]"));
    // The same fixes as JSON: `fixed` is the older tool's list of edited paths (each
    // once), `fixes` holds one object per fix.
    let after = project.tree();
    for (path, bytes) in &before {
        std::fs::write(project.root.join(path), bytes).unwrap();
    }
    let json = polepos(&project.root, &["check", "--fix", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        doc["fixed"],
        serde_json::json!([".env.example", "src/shop/api/router.py"])
    );
    let fixes = doc["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 3, "{fixes:#?}");
    for fix in fixes {
        assert!(fix["code"].as_str().unwrap().starts_with("PPCHK"), "{fix}");
        assert!(fix["path"].is_string() && fix["line"].is_u64() && fix["message"].is_string());
    }
    assert_eq!(project.tree(), after);
    let again = polepos(&project.root, &["check", "--fix", "--json"]);
    assert_eq!(again.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(doc["fixed"], serde_json::json!([]));
}

#[test]
fn json_and_format_conflict_is_a_usage_error() {
    let project = Project::legacy();
    let run = polepos(&project.root, &["check", "--json", "--format", "text"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
}

#[test]
fn explain_a_code() {
    let dir = tempfile::tempdir().unwrap();
    for spelling in ["PPCHK021", "ppchk21", "21", "021"] {
        let run = polepos(dir.path(), &["explain", spelling]);
        assert_eq!(run.code, 0, "{spelling}");
        insta::assert_snapshot!("explain_021", run.render_as(dir.path(), "[ROOT]"));
    }
}

#[test]
fn explain_the_duplicate_setting_code() {
    let dir = tempfile::tempdir().unwrap();
    let run = polepos(dir.path(), &["explain", "PPCHK063"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("explain_063", run.render_as(dir.path(), "[ROOT]"));
}

/// A field and an env key defined twice: one issue each, at the second definition.
#[test]
fn duplicate_settings_text_output() {
    let project = Project::fresh(polepos::manifest::DbMode::Sqlite);
    project.edit(
        &project.p("settings.py"),
        "    # polepos:auth-settings\n",
        "    log_level: str = \"DEBUG\"\n    # polepos:auth-settings\n",
    );
    project.edit(
        ".env.example",
        "# polepos:auth-env\n",
        "LOG_LEVEL=DEBUG\n# polepos:auth-env\n",
    );
    let run = polepos(&project.root, &["check"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.render_as(&project.root, "[ROOT]"));
}

#[test]
fn explain_every_code() {
    let dir = tempfile::tempdir().unwrap();
    let run = polepos(dir.path(), &["explain"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("explain_list", run.render_as(dir.path(), "[ROOT]"));
    for info in polepos::check::codes::TABLE {
        let run = polepos(dir.path(), &["explain", &info.code.name()]);
        assert_eq!(run.code, 0);
        assert!(
            run.stdout
                .starts_with(&format!("{}: {}", info.code, info.title))
        );
    }
}

#[test]
fn explain_unknown_and_malformed_codes() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = polepos(dir.path(), &["explain", "PPCHK099"]);
    let malformed = polepos(dir.path(), &["explain", "banana"]);
    assert_eq!((unknown.code, malformed.code), (1, 2));
    insta::assert_snapshot!("explain_unknown", unknown.render_as(dir.path(), "[ROOT]"));
    insta::assert_snapshot!(
        "explain_malformed",
        malformed.render_as(dir.path(), "[ROOT]")
    );
}
