//! Typed fields (SPEC §14) as users run them: malformed specs are usage errors that
//! write nothing, `ref=` must name a database-backed module, the ledger records the
//! fields, `add module` with fields then `remove module` and `add field` then `remove
//! field` restore the tree byte for byte (hand edits elsewhere kept), an edited region
//! refuses, `check` reports a recorded field that went missing, and `upgrade` renders
//! typed modules from their recorded fields.

use std::fs;

use crate::common::{Scratch, pretend_older_version_wrote, tree};

const PRODUCTS: &[&str] = &[
    "add",
    "module",
    "products",
    "title:str:unique",
    "price:decimal:min=0",
    "status:enum=draft,live:default=draft",
    "--template",
    "crud",
    "--pagination",
];

fn project() -> Scratch {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    s
}

fn changed(
    before: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    after: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
) -> Vec<String> {
    before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn malformed_specs_are_usage_errors_that_write_nothing() {
    let s = project();
    let before = s.snapshot_tree();
    for (spec, says) in [
        ("1bad:str", "snake_case"),
        ("x:nosuchtype", "not a type"),
        ("id:int", "reserved"),
        ("class:str", "keyword"),
        ("x:str:on_delete=cascade", "only to `ref`"),
        ("x:int:default=abc", "not a whole number"),
        ("x:ref=products:on_delete=set_null", "needs `optional`"),
    ] {
        let out = s.run_in(
            "shop",
            &["add", "module", "items", spec, "--template", "crud"],
        );
        assert_eq!(out.code, 2, "{spec}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{spec}: {}", out.stderr);
        assert!(out.stderr.contains("for example"), "{spec}: {}", out.stderr);
        assert!(out.stderr.contains(spec), "{spec}: {}", out.stderr);
    }
    let twice = s.run_in("shop", &["add", "module", "items", "a:int", "a:str"]);
    assert_eq!(twice.code, 2, "{}", twice.stderr);
    assert!(twice.stderr.contains("given twice"), "{}", twice.stderr);
    for template in ["api-only", "ai-prompt"] {
        let out = s.run_in(
            "shop",
            &["add", "module", "items", "a:int", "--template", template],
        );
        assert_eq!(out.code, 2, "{template}: {}", out.stderr);
        assert!(out.stderr.contains("database-backed"), "{}", out.stderr);
    }
    assert_eq!(s.snapshot_tree(), before);
}

#[test]
fn a_ref_must_name_a_database_backed_module_of_the_project() {
    let s = project();
    assert_eq!(
        s.run_in("shop", &["add", "module", "weather", "--api-only"])
            .code,
        0
    );
    let before = s.snapshot_tree();
    let out = s.run_in(
        "shop",
        &[
            "add",
            "module",
            "reviews",
            "product_id:ref=missing_module",
            "weather_id:ref=weather",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "field `product_id` (ref=missing_module): there is no module `missing_module`"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("module `weather` (api-only) keeps no rows"),
        "{}",
        out.stderr
    );
    assert_eq!(s.snapshot_tree(), before);
}

#[test]
fn add_module_with_fields_then_remove_restores_the_tree() {
    let s = project();
    let root = s.path().join("shop");
    let original = tree(&root);
    let added = s.run_in("shop", PRODUCTS);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let ledger = fs::read_to_string(root.join(".poleposition.lock")).unwrap();
    assert!(
        ledger.contains(
            "[[fields]]\nmodule = \"products\"\nspecs = [\"title:str:unique\", \"price:decimal:min=0\", \"status:enum=draft,live:default=draft\"]\n"
        ),
        "{ledger}"
    );
    let model = fs::read_to_string(root.join("src/shop/modules/products/model.py")).unwrap();
    assert!(model.contains("    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))\n"));
    assert!(!model.contains("name: Mapped"), "{model}");
    // The manifest value is the one the older tool reads.
    let manifest = fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    assert!(
        manifest.contains("products = \"crud[pagination]\""),
        "{manifest}"
    );
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    let upgrade = s.run_in("shop", &["upgrade"]);
    // Rendered from the recorded fields, every file is up to date.
    assert!(
        upgrade.stdout.contains("module `products`"),
        "{}",
        upgrade.stdout
    );
    for state in ["safe-update   0", "modified      0", "missing       0"] {
        assert!(upgrade.stdout.contains(state), "{}", upgrade.stdout);
    }
    let removed = s.run_in("shop", &["remove", "module", "products"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(changed(&original, &tree(&root)), Vec::<String>::new());
}

#[test]
fn add_field_then_remove_field_restores_the_tree_and_keeps_hand_edits() {
    let s = project();
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", PRODUCTS).code, 0);
    // A hand edit away from where fields go.
    let model = root.join("src/shop/modules/products/model.py");
    let edited = fs::read_to_string(&model).unwrap().replace(
        "\"\"\"One row of `products`.\"\"\"",
        "\"\"\"A product we sell.\"\"\"",
    );
    fs::write(&model, &edited).unwrap();
    let before = tree(&root);

    let added = s.run_in(
        "shop",
        &[
            "add",
            "field",
            "products",
            "stock:int:default=0:min=0",
            "note:text:optional",
        ],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(
        added
            .stdout
            .contains("polepos db revision -m \"add stock, note to products\"")
    );
    let text = fs::read_to_string(&model).unwrap();
    assert!(text.contains("A product we sell."), "{text}");
    assert!(
        text.contains("    stock: Mapped[int] = mapped_column(Integer, server_default=\"0\")\n")
    );
    assert_eq!(s.run_in("shop", &["check"]).code, 0);

    let removed = s.run_in("shop", &["remove", "field", "products", "stock", "note"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(changed(&before, &tree(&root)), Vec::<String>::new());
}

#[test]
fn a_field_added_to_a_classic_module_comes_and_goes() {
    let s = project();
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", &["add", "module", "notes"]).code, 0);
    let before = tree(&root);
    let added = s.run_in(
        "shop",
        &["add", "field", "notes", "pinned:bool:default=false"],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    let ledger = fs::read_to_string(root.join(".poleposition.lock")).unwrap();
    assert!(ledger.contains("specs = [\"name:str:max=120\", \"pinned:bool:default=false\"]"));
    let removed = s.run_in("shop", &["remove", "field", "notes", "pinned"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(changed(&before, &tree(&root)), Vec::<String>::new());
}

#[test]
fn a_module_file_an_earlier_polepos_wrote_asks_for_upgrade_first() {
    let s = project();
    let root = s.path().join("shop");
    assert_eq!(
        s.run_in("shop", &["add", "module", "notes", "--template", "crud"])
            .code,
        0
    );
    // An earlier render of the router, with the list route declared twice.
    let router = "src/shop/modules/notes/router.py";
    let fresh = fs::read_to_string(root.join(router)).unwrap();
    let older = fresh.replace(
        "@router.get(\"\", response_model=list[NotesRead])\n",
        "@router.get(\"\", response_model=list[NotesRead])\n@router.get(\"/\", response_model=list[NotesRead], include_in_schema=False)\n",
    );
    assert_ne!(older, fresh);
    pretend_older_version_wrote(&root, router, &older);
    let before = tree(&root);

    let refused = s.run_in(
        "shop",
        &["add", "field", "notes", "pinned:bool:default=false"],
    );
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("come from an earlier polepos"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains(router), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("polepos upgrade --apply"),
        "{}",
        refused.stderr
    );
    assert_eq!(changed(&before, &tree(&root)), Vec::<String>::new());

    assert_eq!(s.run_in("shop", &["upgrade", "--apply"]).code, 0);
    let added = s.run_in(
        "shop",
        &["add", "field", "notes", "pinned:bool:default=false"],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
}

#[test]
fn add_and_remove_field_refuse_what_the_spec_refuses() {
    let s = project();
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", PRODUCTS).code, 0);
    let before = tree(&root);

    let required = s.run_in("shop", &["add", "field", "products", "stock:int"]);
    assert_eq!(required.code, 1, "{}", required.stderr);
    assert!(
        required.stderr.contains("`stock:int:default=...`"),
        "{}",
        required.stderr
    );
    assert!(
        required.stderr.contains("`stock:int:optional`"),
        "{}",
        required.stderr
    );

    let bad = s.run_in("shop", &["add", "field", "products", "x:nosuchtype"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let taken = s.run_in("shop", &["add", "field", "products", "title:text:optional"]);
    assert_eq!(taken.code, 2, "{}", taken.stderr);

    let unknown = s.run_in("shop", &["remove", "field", "products", "colour"]);
    assert_eq!(unknown.code, 1, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("has no field `colour`"),
        "{}",
        unknown.stderr
    );
    let all = s.run_in(
        "shop",
        &["remove", "field", "products", "title", "price", "status"],
    );
    assert_eq!(all.code, 1, "{}", all.stderr);
    assert!(all.stderr.contains("at least one field"), "{}", all.stderr);
    assert_eq!(changed(&before, &tree(&root)), Vec::<String>::new());

    // A hand edit exactly where the change goes refuses it; --force writes the file as
    // polepos generates it.
    let model = root.join("src/shop/modules/products/model.py");
    let text = fs::read_to_string(&model).unwrap();
    let edited = text.replace(
        "    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))\n",
        "    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # in cents\n",
    );
    fs::write(&model, &edited).unwrap();
    let conflict = s.run_in("shop", &["remove", "field", "products", "price"]);
    assert_eq!(conflict.code, 1, "{}", conflict.stderr);
    assert!(
        conflict
            .stderr
            .contains("src/shop/modules/products/model.py: changed by hand where the fields go"),
        "{}",
        conflict.stderr
    );
    assert_eq!(fs::read_to_string(&model).unwrap(), edited);
    let forced = s.run_in("shop", &["remove", "field", "products", "price", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(!fs::read_to_string(&model).unwrap().contains("price"));
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
}

#[test]
fn a_referenced_module_cannot_be_removed_and_check_knows_the_fields() {
    let s = project();
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", PRODUCTS).code, 0);
    let reviews = s.run_in(
        "shop",
        &[
            "add",
            "module",
            "reviews",
            "product_id:ref=products:on_delete=cascade",
            "rating:int:min=1:max=5",
            "--template",
            "crud",
        ],
    );
    assert_eq!(reviews.code, 0, "{}", reviews.stderr);
    let before = tree(&root);
    let out = s.run_in("shop", &["remove", "module", "products"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("module `reviews`, field `product_id` (ref=products)"),
        "{}",
        out.stderr
    );
    // Its tests fill the referenced module's required fields.
    let field = s.run_in("shop", &["remove", "field", "products", "title"]);
    assert_eq!(field.code, 1, "{}", field.stderr);
    assert_eq!(changed(&before, &tree(&root)), Vec::<String>::new());

    let schemas = root.join("src/shop/modules/reviews/schemas.py");
    let text = fs::read_to_string(&schemas).unwrap();
    fs::write(&schemas, text.replace("    rating: RatingValue\n", "")).unwrap();
    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains(
            "[PPCHK064] module `reviews` records the field `rating`, which class `ReviewsCreate` does not define"
        ),
        "{}",
        check.stdout
    );
    assert!(
        s.run_in("shop", &["explain", "PPCHK064"])
            .stdout
            .contains("recorded field")
    );
}

#[test]
fn a_service_only_module_with_fields_comes_and_goes() {
    let s = project();
    let root = s.path().join("shop");
    let original = tree(&root);
    let added = s.run_in(
        "shop",
        &[
            "add",
            "module",
            "stock",
            "quantity:int:min=0",
            "at:datetime:optional",
            "--service-only",
        ],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    let service =
        fs::read_to_string(root.join("src/shop/modules/stock/services/stock_service.py")).unwrap();
    assert!(
        service.contains("class StockCreate(BaseModel):"),
        "{service}"
    );
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    assert_eq!(s.run_in("shop", &["remove", "module", "stock"]).code, 0);
    assert_eq!(changed(&original, &tree(&root)), Vec::<String>::new());
}

/// SPEC §16: `add field` reads no file through a link that leaves the project.
#[cfg(unix)]
#[test]
fn add_field_refuses_a_module_file_linked_outside_the_project() {
    let s = project();
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", PRODUCTS).code, 0);
    let model = root.join("src/shop/modules/products/model.py");
    let outside = s.path().join("model.py");
    fs::rename(&model, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &model).unwrap();
    let before = tree(&root);
    let out = s.run_in("shop", &["add", "field", "products", "note:text:optional"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("leads outside the project"),
        "{}",
        out.stderr
    );
    assert_eq!(changed(&before, &tree(&root)), Vec::<String>::new());
}

/// The field check reads a module's files as every other check does: a file nested past
/// the parser's limits is reported by the syntax checks, never parsed here.
#[test]
fn a_hostile_model_file_is_not_parsed_for_its_fields() {
    let s = project();
    let root = s.path().join("shop");
    assert_eq!(s.run_in("shop", PRODUCTS).code, 0);
    let model = root.join("src/shop/modules/products/model.py");
    fs::write(&model, format!("x = {}\n", "(".repeat(1_000_000))).unwrap();
    let out = s.run_in("shop", &["check"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("PPCHK026"), "{}", out.stdout);
    assert!(!out.stdout.contains("PPCHK064"), "{}", out.stdout);
}
