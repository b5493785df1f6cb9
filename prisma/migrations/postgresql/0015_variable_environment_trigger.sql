-- DropForeignKey (hand-written, PostgreSQL only; see model Variable), as 0014 did for RevisionChange: the foreign
-- key checks each inserted value by a query of its own (~5 ms per 1,000 values). Values are only written by a
-- transaction that created their environment or bumped its revision (the row is locked until it commits: an
-- environment deleted meanwhile waits for it), so the check never fails; the cascade on delete is kept by a trigger.
ALTER TABLE "Variable" DROP CONSTRAINT "Variable_environmentId_fkey";

CREATE FUNCTION "Variable_delete_with_environment"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "Variable" WHERE "environmentId" = OLD."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "Variable_delete_with_environment" AFTER DELETE ON "Environment"
  FOR EACH ROW EXECUTE FUNCTION "Variable_delete_with_environment"();
