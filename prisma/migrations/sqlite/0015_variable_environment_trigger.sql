-- PostgreSQL only (its 0015 replaces Variable's foreign key to Environment by a trigger). SQLite keeps the
-- foreign key: its check is cheap there, and dropping it would mean rebuilding the table. This file keeps the
-- two providers' migrations numbered alike.
SELECT 1;
