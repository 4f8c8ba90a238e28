//! A fresh PostgreSQL database per test on the cluster `AMAZON_PAY_TEST_DATABASE_URL` names (`scripts/test`
//! starts one with `scripts/pg-cluster`).

/// How to give the PostgreSQL tests a database.
pub(crate) const HOW: &str = "the PostgreSQL tests need AMAZON_PAY_TEST_DATABASE_URL: run scripts/test, or \
    `scripts/pg-cluster start` and export the DATABASE_URL it prints as AMAZON_PAY_TEST_DATABASE_URL";

/// The cluster's URL; `None` (after saying so) when unset, a failure when `AMAZON_PAY_REQUIRE_PG=1` (CI).
pub(crate) fn base_url() -> Option<String> {
    match std::env::var("AMAZON_PAY_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(std::env::var("AMAZON_PAY_REQUIRE_PG").as_deref() != Ok("1"), "{HOW}");
            eprintln!("NOT RUN: {HOW}");
            None
        }
    }
}

/// A new, empty database on the cluster at `base`; its URL.
pub(crate) async fn fresh_database(base: &str) -> String {
    let (client, connection) = tokio_postgres::connect(base, tokio_postgres::NoTls).await.expect("the test cluster answers");
    tokio::spawn(connection);
    let name = format!("test_{:016x}", rand::random::<u64>());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("a test database");
    let (prefix, _) = base.rsplit_once('/').expect("the URL names a database");
    format!("{prefix}/{name}")
}

/// One number from the database at `url` (from any thread, runtime or not).
pub(crate) fn count(url: &str, sql: &str) -> i64 {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        rt.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("the database answers");
            tokio::spawn(connection);
            // count(*) is BIGINT but sum() is NUMERIC: one type for both.
            let row = client.query_one(&format!("SELECT CAST(({sql}) AS BIGINT)"), &[]).await.expect("the query runs");
            row.get::<_, i64>(0)
        })
    })
    .join()
    .expect("the query thread")
}

/// Runs `work` with a client of the database at `url` on its own thread and runtime (callable from anywhere).
fn with_client<T: Send + 'static>(
    url: &str,
    work: impl FnOnce(tokio_postgres::Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>> + Send + 'static,
) -> T {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        rt.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("the database answers");
            tokio::spawn(connection);
            work(client).await
        })
    })
    .join()
    .expect("the query thread")
}

/// The first column (text) of every row of `sql`.
pub(crate) fn texts(url: &str, sql: &str) -> Vec<String> {
    let sql = sql.to_owned();
    with_client(url, move |client| {
        Box::pin(async move { client.query(&sql, &[]).await.expect("the query runs").iter().map(|r| r.get::<_, String>(0)).collect() })
    })
}

/// Runs `sql` (statements without results).
pub(crate) fn execute(url: &str, sql: &str) {
    let sql = sql.to_owned();
    with_client(url, move |client| Box::pin(async move { client.batch_execute(&sql).await.expect("the statement runs") }))
}
