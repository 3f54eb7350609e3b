//! One test per integration code (PPCHK040–043), settings code (063) and auth code
//! (044–051).

use polepos::manifest::DbMode;

use super::support::{Project, legacy, sqlite, with_auth};

#[test]
fn ppchk040_integration_file_missing() {
    let project = legacy();
    project.remove(&project.p("integrations/redis/cache.py"));
    project.assert_only("PPCHK040");
    let project = legacy();
    project.remove(&project.p("integrations/llm/provider.py"));
    project.assert_only("PPCHK040");
}

#[test]
fn ppchk040_integration_traces_without_manifest_entry() {
    let project = sqlite();
    project.write("src/shop/integrations/__init__.py", "");
    project.write("src/shop/integrations/rq/__init__.py", "");
    let codes = project.codes();
    assert!(codes.contains(&"PPCHK040".to_string()), "{codes:?}");
}

#[test]
fn ppchk041_integration_dependency_missing() {
    let project = legacy();
    project.delete_line("pyproject.toml", "\"redis>=5.0.0\",");
    project.assert_only("PPCHK041");
}

/// A dependency pinned below what the generated code needs is as good as missing.
#[test]
fn ppchk041_integration_dependency_pinned_too_low() {
    let project = legacy();
    project.edit("pyproject.toml", "\"redis>=5.0.0\"", "\"redis>=4.6,<6\"");
    let report = project.assert_only("PPCHK041");
    assert!(
        report.issues[0].message.contains("pins `redis>=4.6,<6`"),
        "{:?}",
        report.issues
    );
    project.edit("pyproject.toml", "\"redis>=4.6,<6\"", "\"redis>=5.2,<7\"");
    assert!(project.codes().is_empty(), "{:?}", project.codes());
}

#[test]
fn ppchk042_integration_setting_missing() {
    let project = legacy();
    project.delete_line(
        &project.p("settings.py"),
        "redis_url: str = \"redis://localhost:6379/0\"",
    );
    let report = project.assert_only("PPCHK042");
    assert!(report.issues[0].message.contains("redis_url"));
}

#[test]
fn ppchk043_integration_env_value_missing_or_commented() {
    let project = legacy();
    project.edit(".env.example", "REDIS_URL=", "# REDIS_URL=");
    project.assert_only("PPCHK043");
}

#[test]
fn optional_integration_env_values_may_stay_commented() {
    let project = legacy();
    assert!(
        project
            .read(".env.example")
            .contains("# KAFKA_COMPRESSION_TYPE=")
    );
    project.assert_clean();
}

#[test]
fn ppchk063_settings_field_defined_twice() {
    let project = legacy();
    project.edit(
        &project.p("settings.py"),
        "    # polepos:integration-settings\n",
        "    redis_url: str = \"redis://cache:6379/0\"\n    # polepos:integration-settings\n",
    );
    let report = project.assert_only("PPCHK063");
    assert_eq!(report.issues.len(), 1);
    assert!(
        report.issues[0]
            .message
            .starts_with("setting `redis_url` is defined twice in class Settings (lines "),
        "{}",
        report.issues[0].message
    );
}

#[test]
fn ppchk063_env_key_set_twice() {
    let project = sqlite();
    project.edit(
        ".env.example",
        "# polepos:auth-env\n",
        "APP_NAME=other\n# polepos:auth-env\n",
    );
    let report = project.assert_only("PPCHK063");
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].path.as_deref(), Some(".env.example"));
}

/// A commented-out line documents a value without setting it.
#[test]
fn commented_out_env_lines_are_not_a_second_definition() {
    let project = sqlite();
    project.edit(
        ".env.example",
        "# polepos:auth-env\n",
        "# APP_NAME=other\n# LOG_LEVEL=DEBUG\n# polepos:auth-env\n",
    );
    project.assert_clean();
}

#[test]
fn ppchk044_auth_without_database() {
    let project = Project::fresh(DbMode::None);
    project.edit(
        ".poleposition.toml",
        "[integrations]",
        "[integrations]\nauth = true",
    );
    project.assert_only("PPCHK044");
}

#[test]
fn ppchk045_auth_file_missing() {
    let project = with_auth();
    project.remove("src/shop/auth/password.py");
    project.assert_only("PPCHK045");
}

#[test]
fn ppchk046_auth_integration_test_missing() {
    let project = with_auth();
    project.remove("tests/integration/test_auth.py");
    project.assert_only("PPCHK046");
}

#[test]
fn ppchk047_auth_unit_test_missing() {
    let project = with_auth();
    project.remove("tests/unit/test_auth_service.py");
    project.assert_only("PPCHK047");
}

#[test]
fn ppchk048_auth_dependency_missing() {
    let project = with_auth();
    project.delete_line("pyproject.toml", "\"pwdlib[argon2]>=0.2.0\",");
    project.assert_only("PPCHK048");
}

#[test]
fn ppchk049_auth_router_import_missing() {
    let project = with_auth();
    project.delete_line(
        "src/shop/api/router.py",
        "from shop.auth.router import router as auth_router",
    );
    project.assert_only("PPCHK049");
}

#[test]
fn ppchk050_auth_router_include_missing_or_changed() {
    let project = with_auth();
    project.delete_line(
        "src/shop/api/router.py",
        "api_router.include_router(auth_router, prefix=\"/auth\", tags=[\"auth\"])",
    );
    project.assert_only("PPCHK050");
    let project = with_auth();
    project.edit(
        "src/shop/api/router.py",
        "prefix=\"/auth\"",
        "prefix=\"/login\"",
    );
    project.assert_only("PPCHK050");
}

#[test]
fn ppchk051_auth_model_import_missing() {
    let project = with_auth();
    project.delete_line(
        "src/shop/db/models.py",
        "from shop.auth import model as auth_model  # noqa: F401",
    );
    project.assert_only("PPCHK051");
}

#[test]
fn auth_traces_without_manifest_entry_are_validated() {
    let project = with_auth();
    project.edit(".poleposition.toml", "auth = true", "");
    assert_eq!(project.codes(), ["PPCHK019"], "reported, as a warning");
    project.remove("src/shop/auth/user_service.py");
    assert_eq!(project.codes(), ["PPCHK019", "PPCHK045"]);
}

#[test]
fn ppchk019_auth_present_but_not_in_the_manifest() {
    let project = Project::fresh_with_auth(DbMode::Sqlite);
    project.delete_line(".poleposition.toml", "auth = true");
    let report = project.assert_only("PPCHK019");
    assert!(report.passed(), "a warning: {:#?}", report.issues);
}

/// The older tool's foundation weaknesses (SPEC §4.7) are warnings: reported, never failing.
#[test]
fn ppchk070_and_071_are_warnings_on_the_older_foundation() {
    let project = legacy();
    let report = project.full_report();
    let codes: Vec<String> = report.issues.iter().map(|i| i.code.name()).collect();
    assert_eq!(codes, ["PPCHK070", "PPCHK071"], "{:#?}", report.issues);
    assert!(report.passed());
    let token = report.issues.iter().find(|i| i.code.name() == "PPCHK070");
    assert_eq!(
        token.and_then(|i| i.path.as_deref()),
        Some("src/legacy_shop/auth/token.py")
    );
    let run = super::support::polepos(&project.root, &["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("[PPCHK070] warning:"), "{}", run.stdout);
    let json = super::support::polepos(&project.root, &["check", "--json"]);
    assert_eq!(json.code, 0);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["passed"], true);
    assert_eq!(json["issues"][0]["code"], "PPCHK070");
    assert_eq!(json["issues"][0]["severity"], "warning");
}

#[test]
fn ppchk070_token_decoding_without_exp() {
    let project = sqlite();
    project.edit(
        &project.p("auth/token.py"),
        "options={\"require\": list(REQUIRED_CLAIMS)},",
        "options={\"require\": [\"iat\", \"sub\"]},",
    );
    let report = project.assert_only("PPCHK070");
    assert!(report.passed(), "a warning does not fail the check");
    let project = legacy();
    project.edit(
        &project.p("auth/token.py"),
        "issuer=settings.auth_issuer)",
        "issuer=settings.auth_issuer, options={\"require\": [\"exp\", \"iat\", \"sub\"]})",
    );
    let codes: Vec<String> = project
        .full_report()
        .issues
        .iter()
        .map(|i| i.code.name())
        .collect();
    assert_eq!(codes, ["PPCHK071"]);
}

#[test]
fn ppchk071_debug_on_by_default() {
    let project = sqlite();
    project.edit(
        &project.p("settings.py"),
        "app_debug: bool = False",
        "app_debug: bool = True",
    );
    let report = project.assert_only("PPCHK071");
    assert!(report.passed());
    let run = super::support::polepos(&project.root, &["explain", "PPCHK071"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("APP_DEBUG"), "{}", run.stdout);
    let run = super::support::polepos(&project.root, &["explain", "70"]);
    assert!(run.stdout.contains("exp"), "{}", run.stdout);
}
