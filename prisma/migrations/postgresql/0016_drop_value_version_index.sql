-- DropIndex
DROP INDEX "Variable_environmentId_valueVersion_idx";

-- Hand-written (PostgreSQL only): room on each page for a changed value's new row version, so an update that
-- changes no indexed column stays on its page and touches no index (a "HOT" update).
ALTER TABLE "Variable" SET (fillfactor = 80);
