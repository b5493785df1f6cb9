-- DropIndex
DROP INDEX "Variable_environmentId_valueVersion_idx";

-- Hand-written (PostgreSQL only): room on each page for a changed value's new row version, so an update that
-- changes no indexed column stays on its page and touches no index (a "HOT" update). It applies to pages filled
-- from now on; existing pages gain it when the table is rewritten (VACUUM FULL "Variable").
ALTER TABLE "Variable" SET (fillfactor = 80);
