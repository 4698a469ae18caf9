import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Issue 21: free text in Latin letters or digits (Gate, car park, a national ID's digits) was a
 * LIKE '%…%' over every camera on SQLite, ~50 ms at 100,000 cameras. SQLite now keeps an FTS5
 * index of the cameras' search text with the trigram tokenizer (every three characters), which
 * answers a substring of three characters or more; `case_sensitive 1` because the search text
 * and the query are both lower-cased already, so a trigram phrase is exactly the LIKE it replaces.
 * An external-content table (the text stays in `cameras` only), kept by triggers on every
 * write of the search text. PostgreSQL has served the same LIKE from pg_trgm since 0001.
 */
export function cameraSearchTrigrams(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'sqlite') return;
      await sql`CREATE VIRTUAL TABLE cameras_fts USING fts5(search_text, content='cameras', content_rowid='id', tokenize='trigram case_sensitive 1')`.execute(db);
      await sql`CREATE TRIGGER cameras_fts_insert AFTER INSERT ON cameras BEGIN
        INSERT INTO cameras_fts (rowid, search_text) VALUES (new.id, new.search_text); END`.execute(db);
      await sql`CREATE TRIGGER cameras_fts_delete AFTER DELETE ON cameras BEGIN
        INSERT INTO cameras_fts (cameras_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`.execute(db);
      await sql`CREATE TRIGGER cameras_fts_update AFTER UPDATE OF search_text ON cameras BEGIN
        INSERT INTO cameras_fts (cameras_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO cameras_fts (rowid, search_text) VALUES (new.id, new.search_text); END`.execute(db);
      await sql`INSERT INTO cameras_fts (cameras_fts) VALUES ('rebuild')`.execute(db);
    },
  };
}
