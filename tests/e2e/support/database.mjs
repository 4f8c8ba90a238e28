// The PostgreSQL the multi-instance tests share: scripts/test starts a throwaway cluster (scripts/pg-cluster)
// and exports its URL; each test file gets a fresh database on it.
import { freshDatabase } from "./cluster.mjs";

/** A fresh database's URL; fails (never skips) when no PostgreSQL was given. */
export function testDatabase() {
  const url = process.env.AMAZON_PAY_TEST_DATABASE_URL;
  if (!url) {
    throw new Error("the multi-instance tests need PostgreSQL: run them through scripts/test, or start one with " +
      "`scripts/pg-cluster start` and set AMAZON_PAY_TEST_DATABASE_URL to the DATABASE_URL it prints");
  }
  return freshDatabase(url);
}
