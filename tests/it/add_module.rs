//! `polepos add module`: files, wiring, manifest values, refusals and usage errors,
//! through the real binary.

use crate::common;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::Scratch;

fn project(s: &Scratch, name: &str, db: &str) -> PathBuf {
    let out = s.run(&["start", name, "--db", db]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    s.path().join(name)
}

/// Runs `polepos add module <args>` in `cwd`, asserting exit `code` with exactly one
/// error and a project left byte for byte as it was.
#[track_caller]
fn refused(s: &Scratch, cwd: &str, root: &Path, args: &[&str], code: i32) -> common::Output {
    let before = common::tree(root);
    let mut full = vec!["add", "module"];
    full.extend_from_slice(args);
    let out = s.run_in(cwd, &full);
    assert_eq!(out.code, code, "{}", out.stderr);
    let errors = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .count();
    assert_eq!(errors, 1, "{}", out.stderr);
    assert_eq!(common::tree(root), before, "a refusal changes nothing");
    out
}

fn added(s: &Scratch, root: &Path, args: &[&str]) -> (Vec<String>, Vec<String>) {
    let before = common::tree(root);
    let mut full = vec!["add", "module"];
    full.extend_from_slice(args);
    let cwd = root.strip_prefix(s.path()).unwrap().to_str().unwrap();
    let out = s.run_in(cwd, &full);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = common::tree(root);
    let created = after
        .keys()
        .filter(|p| !before.contains_key(*p))
        .map(|p| p.display().to_string())
        .collect();
    let changed = before
        .iter()
        .filter(|(p, bytes)| after.get(*p).is_some_and(|now| now != *bytes))
        .map(|(p, _)| p.display().to_string())
        .collect();
    (created, changed)
}

fn read(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join(rel)).unwrap()
}

#[test]
fn crud_module_writes_the_contract_files_and_canonical_manifest_value() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    // `--auth-required` routes depend on auth's database-backed user dependency.
    let auth = s.run_in("shop", &["add", "auth"]);
    assert_eq!(auth.code, 0, "{}", auth.stderr);
    let (created, changed) = added(
        &s,
        &root,
        &[
            "order-items",
            "--auth-required",
            "--timestamps",
            "--template",
            "crud",
            "--pagination",
        ],
    );
    assert_eq!(
        created,
        [
            "src/shop/modules/order_items/__init__.py",
            "src/shop/modules/order_items/model.py",
            "src/shop/modules/order_items/repository.py",
            "src/shop/modules/order_items/router.py",
            "src/shop/modules/order_items/schemas.py",
            "src/shop/modules/order_items/services/__init__.py",
            "src/shop/modules/order_items/services/order_items_crud_service.py",
            "tests/integration/test_order_items_crud.py",
            "tests/unit/test_order_items_crud_service.py",
        ]
    );
    assert_eq!(
        changed,
        [
            ".poleposition.lock",
            ".poleposition.toml",
            "src/shop/api/router.py",
            "src/shop/db/models.py",
            "src/shop/modules/__init__.py",
        ]
    );
    let manifest = read(&root, ".poleposition.toml");
    assert!(
        manifest.contains(
            "status = \"starter\"\norder_items = \"crud[pagination,timestamps,auth-required]\"\n"
        ),
        "{manifest}"
    );
    let router = read(&root, "src/shop/api/router.py");
    assert!(router.contains("from shop.modules.order_items.router import router as order_items_router\nfrom shop.modules.status.router import router as status_router\n"), "{router}");
    assert!(router.contains("api_router.include_router(order_items_router, prefix=\"/order_items\", tags=[\"order_items\"])\n# polepos:router-includes"), "{router}");
    let models = read(&root, "src/shop/db/models.py");
    assert!(models.contains(
        "    from shop.modules.order_items import model as order_items_model  # noqa: F401\n    # polepos:model-imports"
    ));
    let exports = read(&root, "src/shop/modules/__init__.py");
    assert!(
        exports.contains("    \"status\",\n    \"order_items\",\n    # polepos:module-exports")
    );
    let ledger = read(&root, ".poleposition.lock");
    assert!(
        ledger.contains(
            "path = \"src/shop/modules/order_items/router.py\"\nowner = \"module:order_items\""
        ),
        "{ledger}"
    );
    insta::assert_snapshot!(
        "crud_module_router",
        read(&root, "src/shop/modules/order_items/router.py")
    );
    insta::assert_snapshot!(
        "crud_module_repository",
        read(&root, "src/shop/modules/order_items/repository.py")
    );
    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn every_template_follows_the_file_table_and_checks_clean() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["notes"],
            &[
                "model.py",
                "repository.py",
                "router.py",
                "schemas.py",
                "services/notes_service.py",
                "tests/integration/test_notes.py",
                "tests/unit/test_notes_service.py",
            ],
        ),
        (
            &["weather", "--api-only"],
            &[
                "router.py",
                "schemas.py",
                "services/weather_service.py",
                "tests/integration/test_weather.py",
                "tests/unit/test_weather_api_service.py",
            ],
        ),
        (
            &["billing", "--template", "service-only"],
            &[
                "model.py",
                "repository.py",
                "services/billing_service.py",
                "tests/integration/test_billing.py",
                "tests/unit/test_billing_service_only.py",
            ],
        ),
    ];
    for (args, files) in cases {
        let name = args[0];
        let (created, _) = added(&s, &root, args);
        let mut expected: Vec<String> = files
            .iter()
            .map(|f| {
                if f.starts_with("tests/") {
                    (*f).to_string()
                } else {
                    format!("src/shop/modules/{name}/{f}")
                }
            })
            .collect();
        expected.push(format!("src/shop/modules/{name}/__init__.py"));
        expected.push(format!("src/shop/modules/{name}/services/__init__.py"));
        expected.sort();
        assert_eq!(created, expected, "{args:?}");
    }
    let router = read(&root, "src/shop/api/router.py");
    assert!(router.contains("weather_router"));
    assert!(
        !router.contains("billing_router"),
        "service-only has no router"
    );
    let models = read(&root, "src/shop/db/models.py");
    assert!(!models.contains("weather"), "api-only has no model");
    let manifest = read(&root, ".poleposition.toml");
    assert!(
        manifest
            .contains("notes = \"standard\"\nweather = \"api-only\"\nbilling = \"service-only\"\n")
    );
    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn shorthands_produce_exactly_the_same_change() {
    let s = Scratch::new();
    let a = project(&s, "a", "sqlite");
    let b = project(&s, "b", "sqlite");
    added(&s, &a, &["w", "--api-only"]);
    added(&s, &b, &["w", "--template", "api-only"]);
    let strip = |root: &Path| {
        common::tree(root)
            .into_iter()
            .filter(|(p, _)| !p.starts_with(".env"))
            .map(|(p, bytes)| (p, String::from_utf8_lossy(&bytes).replace("\"b\"", "\"a\"")))
            .collect::<Vec<_>>()
    };
    // The package differs (a / b), so compare the module's own files.
    let module = |root: &Path, pkg: &str| {
        common::tree(&root.join(format!("src/{pkg}/modules/w")))
            .into_iter()
            .map(|(p, bytes)| {
                (
                    p,
                    String::from_utf8_lossy(&bytes).replace(&format!("{pkg}."), "PKG."),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(module(&a, "a"), module(&b, "b"));
    assert_eq!(strip(&a).len(), strip(&b).len());
}

#[test]
fn dry_run_previews_and_writes_nothing() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let before = common::tree(&root);
    let out = s.run_in(
        "shop",
        &["add", "module", "orders", "--template", "crud", "--dry-run"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(common::tree(&root), before);
    assert!(
        out.stdout
            .contains("create src/shop/modules/orders/router.py"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("+orders = \"crud\""), "{}", out.stdout);
    assert!(out.stdout.contains("+    \"orders\","), "{}", out.stdout);
    assert!(out.stdout.ends_with("Dry run: nothing was written.\n"));
}

#[test]
fn an_existing_module_is_refused_with_every_trace_listed() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    added(&s, &root, &["orders", "--template", "crud"]);
    let out = refused(&s, "shop", &root, &["orders", "--template", "crud"], 1);
    insta::assert_snapshot!("add_module_twice", out.render(s.path()));
    for needle in [
        "files already exist",
        "tests/integration/test_orders_crud.py",
        "api/router.py already imports",
        "db/models.py already imports",
        "already lists `orders` in `__all__`",
        "a module named `orders` already exists",
    ] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
    // Another template with the same name collides too, and so does a leftover test.
    refused(&s, "shop", &root, &["orders"], 1);
    fs::write(root.join("tests/integration/test_refunds.py"), "x = 1\n").unwrap();
    let out = refused(&s, "shop", &root, &["refunds"], 1);
    assert!(
        out.stderr.contains("tests/integration/test_refunds.py"),
        "{}",
        out.stderr
    );
}

/// `add` parses a wiring file before editing it only when the file could already
/// name the module; otherwise the parse of the edited file vouches for it. Either way a
/// file with a syntax error is refused with its line, alone or among other problems.
#[test]
fn wiring_files_with_syntax_errors_are_refused_however_the_plan_reads_them() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    let models = root.join("src/shop/db/models.py");
    let good = fs::read_to_string(&models).unwrap();
    let broken = good.replacen(
        "\ndef import_models",
        "\ndef broken(:\n    pass\n\n\ndef import_models",
        1,
    );
    assert_ne!(broken, good);
    let line = broken.lines().position(|l| l == "def broken(:").unwrap() + 1;
    let expected = format!("src/shop/db/models.py:{line} has a Python syntax error");
    fs::write(&models, &broken).unwrap();
    // The only problem: found once the edited file does not parse.
    let out = refused(&s, "shop", &root, &["orders", "--template", "crud"], 1);
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
    assert!(!out.stderr.contains("internal error"), "{}", out.stderr);
    // Among other problems, in its place: after the table collision and the router's
    // missing marker (the router is read first).
    let router = root.join("src/shop/api/router.py");
    let text = fs::read_to_string(&router).unwrap();
    fs::write(&router, text.replace("# polepos:router-includes\n", "")).unwrap();
    let out = refused(&s, "shop", &root, &["auth_users"], 1);
    let table = out
        .stderr
        .find("a table named `auth_users`")
        .expect(&out.stderr);
    let syntax = out.stderr.find(&expected).expect(&out.stderr);
    let markers = out
        .stderr
        .find("# polepos:router-includes")
        .expect(&out.stderr);
    assert!(table < markers && markers < syntax, "{}", out.stderr);
    fs::write(&models, &good).unwrap();
    // An expression left open around the router's marker does not parse; the include
    // would complete it, and the file is refused all the same (the only problem).
    let open = text.replace(
        "# polepos:router-includes\n",
        "x = (\n    1 +\n    # polepos:router-includes\n)\n",
    );
    assert_ne!(open, text);
    fs::write(&router, &open).unwrap();
    let out = refused(&s, "shop", &root, &["orders", "--template", "crud"], 1);
    assert!(
        out.stderr.contains("src/shop/api/router.py:")
            && out.stderr.contains("has a Python syntax error"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("models.py"), "{}", out.stderr);
    fs::write(&router, &text).unwrap();
    // A block left empty around the marker does not parse; the splice would fill it,
    // and the file is refused all the same.
    let body_start = good.find("def import_models() -> None:\n").unwrap();
    let marker = good.find("    # polepos:model-imports\n").unwrap();
    let emptied = format!(
        "{}def import_models() -> None:\n{}",
        &good[..body_start],
        &good[marker..]
    );
    fs::write(&models, &emptied).unwrap();
    let out = refused(&s, "shop", &root, &["orders", "--template", "crud"], 1);
    assert!(
        out.stderr.contains("src/shop/db/models.py:")
            && out
                .stderr
                .contains("has a Python syntax error: Expected an indented block"),
        "{}",
        out.stderr
    );
    fs::write(&models, &good).unwrap();
    // An import spelled with other Unicode characters that Python folds into the
    // module's name (NFKC) is still found: only pure-ASCII files skip the parse.
    let folded = text.replace(
        "from fastapi import APIRouter\n",
        "from fastapi import APIRouter\n\nfrom shop.modules.\u{ff4f}rders.router import router as o_router\n",
    );
    fs::write(&router, folded).unwrap();
    let out = refused(&s, "shop", &root, &["orders", "--template", "crud"], 1);
    assert!(
        out.stderr
            .contains("api/router.py already imports the module `orders` router"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_names_are_refused_naming_the_rule() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    for (name, needle) in [
        ("api", "top-level packages"),
        ("settings", "top-level packages"),
        ("status", "already exists"),
        ("1orders", "not a valid Python identifier"),
        ("class", "keyword"),
        ("my orders", "whitespace"),
        ("a/b", "path separator"),
        ("session", "class name `Session`"),
        (&"x".repeat(31), "at most 30"),
    ] {
        let out = refused(&s, "shop", &root, &[name], 1);
        assert!(
            out.stderr.contains("module name") || needle == "already exists",
            "{name}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(needle), "{name}: {}", out.stderr);
    }
    // A module named after an existing table.
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    let out = refused(&s, "shop", &root, &["auth_users"], 1);
    assert!(
        out.stderr.contains("a table named `auth_users`"),
        "{}",
        out.stderr
    );
}

#[test]
fn database_templates_are_refused_without_a_database() {
    let s = Scratch::new();
    let root = project(&s, "notes", "none");
    for args in [
        &["orders"][..],
        &["orders", "--template", "crud"],
        &["orders", "--service-only"],
    ] {
        let out = refused(&s, "notes", &root, args, 1);
        assert!(out.stderr.contains("no database layer"), "{}", out.stderr);
        assert!(out.stderr.contains("--template api-only"), "{}", out.stderr);
        assert!(
            out.stderr.contains("--template ai-prompt"),
            "{}",
            out.stderr
        );
    }
    let (created, changed) = added(&s, &root, &["weather", "--api-only"]);
    assert_eq!(created.len(), 7);
    assert!(!changed.iter().any(|p| p.contains("models.py")));
    let check = s.run_in("notes", &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn missing_markers_are_named_and_nothing_is_written() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let init = root.join("src/shop/modules/__init__.py");
    let text = fs::read_to_string(&init).unwrap();
    fs::write(&init, text.replace("    # polepos:module-exports\n", "")).unwrap();
    let router = root.join("src/shop/api/router.py");
    let text = fs::read_to_string(&router).unwrap();
    fs::write(&router, text.replace("# polepos:router-includes\n", "")).unwrap();
    let out = refused(&s, "shop", &root, &["orders"], 1);
    assert!(
        out.stderr.contains("# polepos:module-exports"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("# polepos:router-includes"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("polepos check --fix"), "{}", out.stderr);
}

#[test]
fn flag_conflicts_are_usage_errors() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    for (args, needle) in [
        (
            &["a", "--pagination"][..],
            "--pagination can only be used with `--template crud`",
        ),
        (
            &["a", "--api-only", "--soft-delete", "--timestamps"],
            "--timestamps, --soft-delete",
        ),
        (
            &["a", "--template", "standard", "--tenant-scoped"],
            "not with `--template standard`",
        ),
        (
            &["a", "--api-only", "--service-only"],
            "cannot be used with",
        ),
        (
            &["a", "--template", "crud", "--api-only"],
            "cannot be used with",
        ),
        (&["a", "--template", "bogus"], "invalid value"),
    ] {
        let out = refused(&s, "shop", &root, args, 2);
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn the_first_ai_prompt_module_adds_the_llm_scaffold_once() {
    let s = Scratch::new();
    let root = project(&s, "notes", "none");
    let (created, changed) = added(&s, &root, &["chat", "--template", "ai-prompt"]);
    let mut expected: Vec<String> = [
        "__init__.py",
        "orchestrator.py",
        "prompts.py",
        "router.py",
        "schemas.py",
        "services/__init__.py",
        "services/chat_service.py",
    ]
    .iter()
    .map(|f| format!("src/notes/modules/chat/{f}"))
    .chain(
        [
            "__init__.py",
            "llm/__init__.py",
            "llm/anthropic_client.py",
            "llm/factory.py",
            "llm/openai_client.py",
            "llm/provider.py",
            "llm/schemas.py",
        ]
        .iter()
        .map(|f| format!("src/notes/integrations/{f}")),
    )
    .chain(
        [
            "tests/integration/test_chat.py",
            "tests/integrations/__init__.py",
            "tests/integrations/conftest.py",
            "tests/unit/test_chat_orchestrator.py",
        ]
        .map(String::from),
    )
    .collect();
    expected.sort();
    assert_eq!(created, expected);
    for file in [
        ".env.example",
        "pyproject.toml",
        "src/notes/settings.py",
        ".poleposition.toml",
    ] {
        assert!(changed.iter().any(|c| c == file), "{file}: {changed:?}");
    }
    let settings = read(&root, "src/notes/settings.py");
    assert!(
        settings.contains(
            "    llm_max_response_bytes: int = 1024 * 1024\n    # polepos:llm-settings\n"
        ),
        "{settings}"
    );
    assert!(
        read(&root, ".env.example")
            .contains("LLM_MAX_TOKENS=1024\n# Larger answers are cut off and answered 502.\nLLM_MAX_RESPONSE_BYTES=1048576\n# polepos:llm-env\n")
    );
    assert!(read(&root, "pyproject.toml").contains("\"httpx2>=2.0\","));
    let manifest = read(&root, ".poleposition.toml");
    assert!(manifest.contains("chat = \"ai-prompt\"\n"), "{manifest}");
    assert!(
        manifest.contains("[integrations]\nllm = true\n"),
        "{manifest}"
    );
    assert!(!read(&root, "src/notes/modules/chat/router.py").contains("model"));

    // The second one shares it: only its own files and wiring.
    let (created, changed) = added(&s, &root, &["helper", "--template", "ai-prompt"]);
    assert_eq!(created.len(), 9, "{created:?}");
    assert!(created.iter().all(|c| c.contains("helper")), "{created:?}");
    let mut changed = changed;
    changed.sort();
    assert_eq!(
        changed,
        [
            ".poleposition.lock",
            ".poleposition.toml",
            "src/notes/api/router.py",
            "src/notes/modules/__init__.py"
        ]
    );
    let check = s.run_in("notes", &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn ai_prompt_names_missing_llm_markers_and_writes_nothing() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let settings = root.join("src/shop/settings.py");
    let text = fs::read_to_string(&settings).unwrap();
    fs::write(&settings, text.replace("    # polepos:llm-settings\n", "")).unwrap();
    let env = root.join(".env.example");
    let text = fs::read_to_string(&env).unwrap();
    fs::write(&env, text.replace("# polepos:llm-env\n", "")).unwrap();
    let out = refused(&s, "shop", &root, &["chat", "--template", "ai-prompt"], 1);
    for needle in [
        "`# polepos:llm-settings` in src/shop/settings.py is missing",
        "`# polepos:llm-env` in .env.example is missing",
        "polepos check --fix",
    ] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
}

#[test]
fn outside_a_project_is_refused() {
    let s = Scratch::new();
    let out = s.run(&["add", "module", "orders"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(s.snapshot_tree().is_empty());
}

fn copy_fixture(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.path().is_dir() {
            copy_fixture(&entry.path(), &to.join(name));
        } else {
            let target = name.strip_suffix(".fixture").unwrap();
            fs::copy(entry.path(), to.join(target)).unwrap();
        }
    }
}

#[test]
fn modules_are_added_to_a_project_made_by_the_older_tool() {
    let s = Scratch::new();
    let root = s.path().join("legacy");
    copy_fixture(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy_project"),
        &root,
    );
    let before = s.run_in("legacy", &["check"]);
    assert_eq!(before.code, 0, "{}{}", before.stdout, before.stderr);
    for args in [
        &[
            "refunds",
            "--template",
            "crud",
            "--pagination",
            "--soft-delete",
        ][..],
        &["notes"],
        &["weather", "--api-only"],
        &["ledger_entries", "--service-only"],
    ] {
        let mut full = vec!["add", "module"];
        full.extend_from_slice(args);
        let out = s.run_in("legacy", &full);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    let manifest = read(&root, ".poleposition.toml");
    assert!(
        manifest.contains("refunds = \"crud[pagination,soft-delete]\""),
        "{manifest}"
    );
    let after = s.run_in("legacy", &["check"]);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
    // A name the older project already uses is refused.
    let out = refused(&s, "legacy", &root, &["orders"], 1);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
}

#[test]
fn success_output_lists_files_endpoints_and_next_steps() {
    let s = Scratch::new();
    project(&s, "shop", "sqlite");
    let out = s.run_in(
        "shop",
        &[
            "add",
            "module",
            "orders",
            "--template",
            "crud",
            "--soft-delete",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("add_module_output", out.render(s.path()));
    let out = s.run_in("shop", &["add", "module", "weather", "--api-only"]);
    assert!(
        !out.stdout.contains("polepos db revision"),
        "{}",
        out.stdout
    );
}

#[test]
fn ai_prompt_is_refused_over_an_llm_package_with_another_api() {
    // The older tool's llm package has a different provider API: a new module could not
    // import what it needs, so nothing is written and every missing name is listed.
    let s = Scratch::new();
    let root = s.path().join("legacy");
    copy_fixture(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy_project"),
        &root,
    );
    let out = refused(&s, "legacy", &root, &["chat", "--template", "ai-prompt"], 1);
    for needle in [
        "src/legacy_shop/integrations/llm/factory.py does not define get_llm_provider",
        "src/legacy_shop/integrations/llm/schemas.py does not define Completion",
        "not generated by polepos",
    ] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
}
