//! End-to-end: typed fields (SPEC §14) on SQLite and on a real PostgreSQL server. One
//! project per backend holds a field of every type and modifier and modules joined by
//! `ref` with each `on_delete` (standard, crud and service-only); each passes the migration flow, its own pytest, ruff,
//! ruff format, strict mypy and `polepos check`, then uvicorn is driven over real HTTP:
//! exact round trips, a unique value under concurrency, references and their deletes,
//! filters and sort keys. `add field` on a table with rows migrates (batch mode on
//! SQLite) and `remove field` takes it out again.
//! Needs uv and PostgreSQL server binaries; fails, never skips, without them.

use std::path::{Path, PathBuf};

use crate::common::pg::Postgres;
use crate::common::{
    Scratch, Server, assert_project_checks, assert_project_checks_in_parallel, http, polepos, sh,
    uv,
};

/// The modules: every type and modifier, and each `on_delete` rule.
const MODULES: &[&[&str]] = &[
    &[
        "products",
        "title:str:unique",
        "description:text:optional",
        "price:decimal:min=0",
        "stock:int:default=0:min=0",
        "weight:float:optional:max=1000",
        "code:bigint:index",
        "active:bool:default=true",
        "released_on:date:optional",
        "available_at:datetime:optional",
        "sku:uuid:unique",
        "attributes:json:optional",
        "status:enum=draft,live,retired:default=draft",
        "--template",
        "crud",
        "--pagination",
        "--timestamps",
    ],
    &[
        "reviews",
        "product_id:ref=products:on_delete=cascade",
        "rating:int:min=1:max=5",
        "body:text:max=2000",
        "--template",
        "crud",
    ],
    &[
        "orders",
        "product_id:ref=products:optional:on_delete=set_null",
        "reference:str:max=40:unique",
        "--template",
        "crud",
        "--soft-delete",
    ],
    &["notes", "product_id:ref=products", "title"],
    &[
        "stock_events",
        "quantity:int:min=0",
        "sku:uuid:optional:unique",
        "product_id:ref=products:optional:on_delete=set_null",
        "--service-only",
    ],
    &[
        "wishes",
        "note:str",
        "priority:int:default=0",
        "--template",
        "crud",
        "--owned",
    ],
    &[
        "labels",
        "label:str:unique",
        "kind:enum=color,size",
        "--template",
        "crud",
        "--tenant-scoped",
        "--auth-required",
        "--pagination",
    ],
];

fn build(s: &Scratch, db: &str, env: &[(&str, &str)]) -> PathBuf {
    polepos(s.path(), &["start", "shop", "--db", db], env);
    let root = s.path().join("shop");
    polepos(&root, &["add", "auth"], env);
    for args in MODULES {
        let mut full = vec!["add", "module"];
        full.extend_from_slice(args);
        polepos(&root, &full, env);
    }
    sh(&root, uv(), &["sync", "--extra", "dev"], env);
    migrate(&root, "add tables", env);
    polepos(&root, &["check"], env);
    assert_project_checks(&root, env);
    root
}

fn migrate(root: &Path, message: &str, env: &[(&str, &str)]) {
    polepos(root, &["db", "revision", "-m", message], env);
    polepos(root, &["db", "upgrade"], env);
    polepos(root, &["db", "check"], env);
}

fn send(port: u16, method: &str, path: &str, json: Option<&str>) -> http::Response {
    http::request(
        port,
        method,
        path,
        &[],
        json.map(|j| ("application/json", j)),
    )
}

const PRODUCT: &str = r#"{"title": "Lamp", "price": "12.50", "code": 9007199254740993,
    "available_at": "2024-05-01T12:30:00+02:00", "sku": "1c9a7c1e-5a9e-4c4e-9d3a-0a1b2c3d4e5f",
    "attributes": {"color": "red", "sizes": [1, 2]}, "released_on": "2024-04-30"}"#;

fn product(port: u16, title: &str, sku: &str, price: &str) -> i64 {
    let body = format!(r#"{{"title": "{title}", "price": "{price}", "code": 1, "sku": "{sku}"}}"#);
    let created = send(port, "POST", "/api/v1/products", Some(&body));
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().unwrap()
}

/// The HTTP behaviours of §14 against the running app.
fn drive(port: u16) {
    // Exact round trips: decimal digits, an aware datetime (in UTC), a big integer,
    // uuid, json, date; defaults applied.
    let created = send(port, "POST", "/api/v1/products", Some(PRODUCT));
    assert_eq!(created.status, 201, "{}", created.body);
    let item = created.json();
    let read = send(
        port,
        "GET",
        &format!("/api/v1/products/{}", item["id"]),
        None,
    )
    .json();
    for body in [&item, &read] {
        assert_eq!(body["price"], "12.50");
        assert_eq!(body["available_at"], "2024-05-01T10:30:00Z");
        assert_eq!(body["code"], 9_007_199_254_740_993_i64);
        assert_eq!(body["sku"], "1c9a7c1e-5a9e-4c4e-9d3a-0a1b2c3d4e5f");
        assert_eq!(body["attributes"]["sizes"][1], 2);
        assert_eq!(body["released_on"], "2024-04-30");
        assert_eq!(body["stock"], 0);
        assert_eq!(body["active"], true);
        assert_eq!(body["status"], "draft");
    }
    // Bounds, enums and naive datetimes are 422.
    for (field, value) in [
        ("price", r#""-1""#),
        ("price", r#""1.234""#),
        ("status", r#""gone""#),
        ("available_at", r#""2024-05-01T12:30:00""#),
        ("stock", "2147483648"),
    ] {
        let mut body: serde_json::Value = serde_json::from_str(PRODUCT).unwrap();
        body[field] = serde_json::from_str(value).unwrap();
        let body = body.to_string();
        let response = send(port, "POST", "/api/v1/products", Some(&body));
        assert_eq!(response.status, 422, "{field}={value}: {}", response.body);
    }
    // A unique value under concurrency: one 201, the rest 409 naming the field, no 500.
    let statuses: Vec<(u16, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                scope.spawn(move || {
                    let body = format!(
                        r#"{{"title": "Race", "price": "1.00", "code": 1, "sku": "00000000-0000-4000-8000-00000000000{i}"}}"#
                    );
                    let r = send(port, "POST", "/api/v1/products", Some(&body));
                    (r.status, r.body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{statuses:?}"
    );
    for (status, body) in statuses.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 409, "{body}");
        assert!(body.contains("title"), "{body}");
    }
    // A reference to a missing row is 422 naming the field.
    let missing = send(
        port,
        "POST",
        "/api/v1/reviews",
        Some(r#"{"product_id": 2147483647, "rating": 5, "body": "x"}"#),
    );
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert_eq!(missing.json()["detail"][0]["loc"][1], "product_id");
    // restrict: a product a note names cannot be deleted (409, never 500).
    let kept = product(port, "Kept", "00000000-0000-4000-8000-0000000000a1", "2.00");
    let note = send(
        port,
        "POST",
        "/api/v1/notes",
        Some(&format!(r#"{{"product_id": {kept}, "title": "n"}}"#)),
    );
    assert_eq!(note.status, 201, "{}", note.body);
    let refused = send(port, "DELETE", &format!("/api/v1/products/{kept}"), None);
    assert_eq!(refused.status, 409, "{}", refused.body);
    // cascade and set_null.
    let gone = product(port, "Gone", "00000000-0000-4000-8000-0000000000a2", "3.00");
    let review = send(
        port,
        "POST",
        "/api/v1/reviews",
        Some(&format!(
            r#"{{"product_id": {gone}, "rating": 4, "body": "ok"}}"#
        )),
    )
    .json();
    let order = send(
        port,
        "POST",
        "/api/v1/orders",
        Some(&format!(r#"{{"product_id": {gone}, "reference": "A-1"}}"#)),
    )
    .json();
    assert_eq!(
        send(port, "DELETE", &format!("/api/v1/products/{gone}"), None).status,
        204
    );
    let review_url = format!("/api/v1/reviews/{}", review["id"]);
    assert_eq!(send(port, "GET", &review_url, None).status, 404);
    let order_url = format!("/api/v1/orders/{}", order["id"]);
    assert!(send(port, "GET", &order_url, None).json()["product_id"].is_null());
    // Filters, sort keys and the filtered total.
    let page = send(
        port,
        "GET",
        "/api/v1/products?status=draft&sort=-price&limit=2",
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert_eq!(page["items"][0]["price"], "12.50");
    let prices: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["price"].as_str().unwrap())
        .collect();
    assert_eq!(prices.len(), 2);
    let total = page["total"].as_i64().unwrap();
    let all = send(port, "GET", "/api/v1/products?limit=100", None).json();
    assert_eq!(total, all["total"].as_i64().unwrap());
    for bad in [
        "/api/v1/products?sort=description",
        "/api/v1/products?colour=red",
        "/api/v1/products?stock=many",
    ] {
        assert_eq!(send(port, "GET", bad, None).status, 422, "{bad}");
    }
}

/// A bearer token of a new account, registered and logged in over HTTP.
fn token(port: u16, email: &str) -> String {
    let account = format!(r#"{{"email": "{email}", "password": "e2e-password-1"}}"#);
    let registered = send(port, "POST", "/api/v1/auth/register", Some(&account));
    assert_eq!(registered.status, 201, "{}", registered.body);
    let login = send(port, "POST", "/api/v1/auth/token", Some(&account));
    assert_eq!(login.status, 200, "{}", login.body);
    format!("Bearer {}", login.json()["access_token"].as_str().unwrap())
}

/// `--owned`: a row is its creator's; another user gets 404 and an empty list.
fn owned_rows(port: u16) {
    let (alice, bob) = (
        token(port, "alice@example.com"),
        token(port, "bob@example.com"),
    );
    let as_user = |token: &str, method: &str, path: &str, json: Option<&str>| {
        http::request(
            port,
            method,
            path,
            &[("Authorization", token)],
            json.map(|j| ("application/json", j)),
        )
    };
    let created = as_user(
        &alice,
        "POST",
        "/api/v1/wishes",
        Some(r#"{"note": "a bike", "owner_id": 999}"#),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let url = format!("/api/v1/wishes/{}", created.json()["id"]);
    assert_ne!(created.json()["owner_id"], 999);
    assert_eq!(as_user(&alice, "GET", &url, None).status, 200);
    assert_eq!(as_user(&bob, "GET", &url, None).status, 404);
    assert_eq!(as_user(&bob, "DELETE", &url, None).status, 404);
    assert_eq!(
        as_user(&bob, "GET", "/api/v1/wishes", None).json(),
        serde_json::json!([])
    );
    assert_eq!(send(port, "GET", &url, None).status, 401);
}

/// `add field` on tables with rows migrates, then `remove field` takes it out again.
fn grow_and_shrink(root: &Path, env: &[(&str, &str)]) {
    let out = polepos(
        root,
        &[
            "add",
            "field",
            "products",
            "featured:bool:default=false",
            "rank:int:default=5:index",
        ],
        env,
    );
    assert!(
        out.stdout.contains("add featured, rank to products"),
        "{}",
        out.stdout
    );
    migrate(root, "add featured and rank", env);
    polepos(root, &["check"], env);
    // In parallel: each worker has a test database of its own.
    assert_project_checks_in_parallel(root, env);
    polepos(root, &["remove", "field", "products", "rank"], env);
    migrate(root, "remove rank", env);
    polepos(root, &["check"], env);
    assert_project_checks(root, env);
}

#[test]
fn typed_fields_on_sqlite_over_http() {
    let s = Scratch::new();
    let root = build(&s, "sqlite", &[]);
    {
        let server = Server::start(&root, "shop", &[]);
        drive(server.port);
        owned_rows(server.port);
    }
    // The rows written over HTTP stay in the database the new columns are added to.
    grow_and_shrink(&root, &[]);
    let server = Server::start(&root, "shop", &[]);
    let listed = send(server.port, "GET", "/api/v1/products?limit=100", None).json();
    let first = &listed["items"][0];
    assert_eq!(first["featured"], false, "{listed}");
    assert!(first.get("rank").is_none(), "{listed}");
}

#[test]
fn typed_fields_on_postgresql_over_http() {
    let pg = Postgres::start();
    let databases = pg.project_databases();
    let env = databases.env();
    let s = Scratch::new();
    let root = build(&s, "postgres", &env);
    {
        let server = Server::start(&root, "shop", &env);
        drive(server.port);
        owned_rows(server.port);
    }
    grow_and_shrink(&root, &env);
}
