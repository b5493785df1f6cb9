-- DropIndex
DROP INDEX "Variable_environmentId_valueVersion_idx";
