import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.ts';

const databaseUrl = process.env.DATABASE_URL;
const schema = `t_store_${randomBytes(6).toString('hex')}`;
const originalTz = process.env.TZ;
let db: Db;

beforeAll(async () => {
  // West of UTC, where a DATE read back as a Date at midnight UTC falls on the previous local day.
  process.env.TZ = 'America/Los_Angeles';
  db = await openDb(databaseUrl ? { databaseUrl, schema } : {});
  await db.query('CREATE TABLE days (id int PRIMARY KEY, day date NOT NULL)');
});
afterAll(async () => {
  if (databaseUrl) await db?.query(`DROP SCHEMA ${schema} CASCADE`);
  await db?.close();
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe(`store (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('returns DATE columns as the calendar day stored, whatever the process time zone', async () => {
    expect(new Date('2024-03-01T00:00:00Z').getDate()).toBe(29);
    await db.query('INSERT INTO days (id, day) VALUES (1, $1)', ['2024-03-01']);
    const { rows } = await db.query<{ day: unknown }>('SELECT day FROM days WHERE id = 1');
    expect(rows[0]?.day).toBe('2024-03-01');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO days (id, day) VALUES (2, $1)', ['2024-01-01']);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO days (id, day) VALUES (3, $1)', ['2024-01-02']);
        throw new Error('business rule broken');
      }),
    ).rejects.toThrow('business rule broken');
    const { rows } = await db.query<{ id: number }>('SELECT id FROM days ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('reports rows affected by a write', async () => {
    const { rowCount } = await db.query('UPDATE days SET day = day + 1 WHERE id IN (1, 2)');
    expect(rowCount).toBe(2);
  });
});
