//! The SQLite and PostgreSQL migration sets must describe the same schema: same migrations, same
//! tables, same columns.

use std::collections::BTreeSet;
use std::path::Path;

use gatehouse_store::testing::TestDatabase;
use sqlx::{Connection, Row};

fn migration_names(engine: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_engines_have_the_same_numbered_migrations() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
    // Numbers are handed out to parallel work, so one may land before a lower one: each is
    // unique, four digits, and the first is 0001.
    let numbers: Vec<u32> = sqlite
        .iter()
        .map(|name| {
            assert_eq!(
                name.as_bytes().get(4),
                Some(&b'_'),
                "{name} is not NNNN_*.sql"
            );
            name[..4]
                .parse()
                .unwrap_or_else(|_| panic!("{name} is not numbered"))
        })
        .collect();
    assert_eq!(numbers[0], 1);
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "two migrations share a number: {sqlite:?}"
    );
}

async fn sqlite_columns(url: &str) -> BTreeSet<(String, String)> {
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.iter().map(|r| (r.get("t"), r.get("c"))).collect()
}

async fn postgres_columns(url: &str) -> BTreeSet<(String, String)> {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.iter().map(|r| (r.get("t"), r.get("c"))).collect()
}

#[tokio::test]
async fn both_engines_end_with_the_same_tables_and_columns() {
    let sqlite = TestDatabase::sqlite();
    sqlite.store().await;
    let sqlite_schema = sqlite_columns(&sqlite.url).await;
    assert!(
        sqlite_schema.iter().all(|(t, c)| t == "instance_settings"
            || t == "tenants"
            // Wrong device-login codes, counted before anyone is signed in (instance realm).
            || t == "device_login_failures"
            || c == "tenant_id"
            || { sqlite_schema.contains(&(t.clone(), "tenant_id".to_owned())) }),
        "every tenant table carries tenant_id"
    );
    let Some(pg) = TestDatabase::postgres().await else {
        return;
    };
    pg.store().await;
    assert_eq!(sqlite_schema, postgres_columns(&pg.url).await);
}
