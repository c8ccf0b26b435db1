#!/usr/bin/env node
/* global URL, console, process */
// Checks the UI translations: en, zh and es have the same keys (plural forms aside), no value is
// empty, every translation key the code names literally exists, and dynamic key families are complete.
// Run: node web/scripts/check-i18n.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('..', import.meta.url).pathname;
const load = (lang) => JSON.parse(readFileSync(join(here, 'src/i18n', `${lang}.json`), 'utf8'));
const flatten = (obj, prefix = '') =>
  Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
const PLURAL = /_(zero|one|two|few|many|other)$/;
const base = (key) => key.replace(PLURAL, '');

const langs = ['en', 'zh', 'es'];
const flat = Object.fromEntries(langs.map((l) => [l, new Map(flatten(load(l)))]));
const bases = Object.fromEntries(langs.map((l) => [l, new Set([...flat[l].keys()].map(base))]));
let problems = 0;
const fail = (msg) => {
  problems += 1;
  console.error('✗ ' + msg);
};

for (const lang of langs) {
  for (const key of bases.en) if (!bases[lang].has(key)) fail(`${lang}: missing ${key}`);
  for (const key of bases[lang]) if (!bases.en.has(key)) fail(`${lang}: extra ${key}`);
  for (const [key, value] of flat[lang]) if (typeof value !== 'string' || !value.trim()) fail(`${lang}: empty ${key}`);
  for (const [key, value] of flat[lang]) {
    const vars = (s) =>
      [...String(s).matchAll(/{{(\w+)}}/g)]
        .map((m) => m[1])
        .filter((v, i, a) => a.indexOf(v) === i)
        .sort()
        .join(',');
    const en = flat.en.get(key) ?? flat.en.get(base(key) + '_other');
    if (en !== undefined && vars(en) !== vars(value))
      fail(`${lang}: ${key} interpolates {${vars(value)}} but en has {${vars(en)}}`);
  }
}

// Literal keys in the source.
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|tsx)$/.test(name)) files.push(path);
  }
};
walk(join(here, 'src'));
const namespaces = new Set(Object.keys(load('en')));
const used = new Set();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/'([a-zA-Z]+(?:\.[a-zA-Z0-9+]+)+)'/g)) {
    const key = m[1];
    if (namespaces.has(key.split('.')[0])) used.add(key);
  }
}
const isNode = (key) => [...bases.en].some((k) => k.startsWith(key + '.'));
for (const key of used) if (!bases.en.has(key) && !isNode(key)) fail(`code uses missing key ${key}`);

// Dynamic key families.
const families = {
  status: ['draft', 'approved', 'sent', 'delivered', 'acknowledged', 'answered', 'closed', 'retracted', 'rejected'],
  kind: ['intelligence', 'request', 'response', 'alert', 'incident'],
  tlp: ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'],
  role: ['admin', 'liaison', 'analyst', 'regulator', 'lead', 'auditor'],
  direction: ['incoming', 'outgoing'],
  'grade.source': ['A', 'B', 'C', 'D', 'E', 'F'],
  'grade.info': ['1', '2', '3', '4', '5', '6'],
  timeline: [
    'createdAt',
    'approvedAt',
    'sentAt',
    'deliveredAt',
    'acknowledgedAt',
    'answeredAt',
    'closedAt',
    'retractedAt',
  ],
  schema: [
    'Person',
    'Company',
    'Organization',
    'Address',
    'Phone',
    'Email',
    'CryptoWallet',
    'BankAccount',
    'Ownership',
    'Directorship',
    'Associate',
    'Payment',
    'Shipment',
    'Seizure',
    'Substance',
  ],
  'substances.status': ['controlled', 'controlled-by-class', 'precursor', 'uncontrolled-analogue', 'not-controlled'],
  'substances.jurisdiction': ['UN', 'US', 'CN'],
  'substances.form': ['stereoisomer', 'other-form'],
  fourEyes: ['own', 'canApprove', 'needsApprover', 'approved'],
  'package.action': ['approve', 'send', 'acknowledge', 'close', 'retract', 'reply'],
  'package.done': ['approve', 'send', 'acknowledge', 'close', 'retract'],
  'package.confirm': ['send.title', 'send.message', 'close.title', 'close.message', 'retract.title', 'retract.message'],
  nav: ['inbox', 'outbox'],
  inbox: ['empty', 'subtitle'],
  outbox: ['empty', 'subtitle'],
  deadlines: ['incoming', 'outgoing'],
};
for (const [prefix, members] of Object.entries(families)) {
  for (const m of members) if (!bases.en.has(`${prefix}.${m}`)) fail(`missing ${prefix}.${m}`);
}

const same = [...flat.en].filter(([k, v]) => flat.zh.get(k) === v).map(([k]) => k);
if (same.length) console.log(`note: zh equals en for ${same.length} key(s): ${same.join(', ')}`);
const sameEs = [...flat.en].filter(([k, v]) => flat.es.get(k) === v).map(([k]) => k);
if (sameEs.length) console.log(`note: es equals en for ${sameEs.length} key(s): ${sameEs.join(', ')}`);

if (problems) {
  console.error(`${problems} problem(s)`);
  process.exit(1);
}
console.log(`i18n ok: ${bases.en.size} keys in en, zh, es; ${used.size} literal keys used in code`);
