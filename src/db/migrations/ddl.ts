// Small helpers so one migration text serves both dialects.
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';
import type { DialectName } from '../database.js';

/** An auto-numbered integer primary key named `id`. */
export function withId<T extends string>(dialect: DialectName, table: CreateTableBuilder<T, never>) {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Epoch milliseconds. */
export const MS = 'bigint' as const;

export const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
