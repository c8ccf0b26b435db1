/**
 * The demo federation's synthetic scenario: a precursor supplier network in China selling to a
 * Mexican consignee, payments in USDT and bitcoin, shipments via Hong Kong, a fentanyl seizure at
 * a US port of entry, and the packages the two liaison offices exchange about it.
 *
 * Every person, company, wallet, account and number here is invented. Phone numbers and places
 * are shaped like real ones so that validation and the UI behave as they would on real data.
 *
 * Packages go through the real services (create, four-eyes approval, send), so they are signed,
 * release-checked and delivered exactly as a user's would be.
 */
import { DomainError } from '../common/errors.ts';
import type { CountersignNode } from '../node.ts';
import { selectUserByUsername } from '../modules/auth/auth.repository.ts';
import { createUser } from '../modules/auth/auth.service.ts';
import type { Package } from '../modules/packages/packages.schema.ts';
import { SYSTEM, type Actor, type Role } from '../platform/actor.ts';

export interface DemoUser {
  party: 'US' | 'CN';
  username: string;
  displayName: string;
  roles: Role[];
  /** A demo password, printed at start: the demo holds only synthetic data. */
  password: string;
}

const user = (party: DemoUser['party'], username: string, displayName: string, roles: Role[]): DemoUser => ({
  party,
  username,
  displayName,
  roles,
  password: `${username}-demo-pw`,
});

export const DEMO_USERS: readonly DemoUser[] = [
  user('US', 'us-admin', 'Morgan Ellis', ['admin']),
  user('US', 'us-liaison', 'Rachel Okafor', ['liaison']),
  user('US', 'us-liaison2', 'Daniel Reyes', ['liaison']),
  user('US', 'us-analyst', 'Priya Natarajan', ['analyst']),
  user('US', 'us-lead', 'Thomas Brennan', ['lead']),
  user('US', 'us-auditor', 'Karen Lindqvist', ['auditor']),
  user('US', 'us-regulator', 'Marcus Hale', ['regulator']),
  user('CN', 'cn-admin', 'Liu Jian 刘健', ['admin']),
  user('CN', 'cn-liaison', 'Zhao Lin 赵琳', ['liaison']),
  user('CN', 'cn-liaison2', 'Sun Hao 孙浩', ['liaison']),
  user('CN', 'cn-analyst', 'Chen Xiaomei 陈晓梅', ['analyst']),
  user('CN', 'cn-lead', 'Wang Guoqiang 王国强', ['lead']),
  user('CN', 'cn-auditor', 'Huang Li 黄丽', ['auditor']),
  user('CN', 'cn-regulator', 'Xu Ming 徐明', ['regulator']),
];

/** A calendar date `days` from today (negative: in the past), so the demo always looks current. */
const day = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const AMBER_US_CN = { tlp: 'AMBER', releasableTo: ['US', 'CN'] } as const;
const GREEN_US_CN = { tlp: 'GREEN', releasableTo: ['US', 'CN'] } as const;
const RED_US_ONLY = { tlp: 'RED', releasableTo: ['US'] } as const;

type Properties = Record<string, string | string[]>;
interface EntityInput {
  id: string;
  schema: string;
  properties: Properties;
  marking?: { tlp: string; releasableTo: readonly string[] };
}
const entity = (id: string, schema: string, properties: Properties): EntityInput => ({ id, schema, properties });

/** The supplier network as the US side knows it: companies, people, wallets, money and goods. */
function supplierNetwork(): EntityInput[] {
  return [
    entity('wuhan-lanqiao', 'Company', {
      name: 'Wuhan Lanqiao Xinyu Biotechnology Co., Ltd.',
      alias: '武汉蓝桥新宇生物科技有限公司',
      country: 'cn',
      jurisdiction: 'cn',
      address: 'East Lake High-Tech Zone, Wuhan, Hubei, China',
      website: 'https://lanqiao-xinyu.example',
      email: 'sales@lanqiao-xinyu.example',
      description:
        'Advertises 4-AP (4-anilinopiperidine), 1-boc-4-AP and 4-piperidone hydrochloride on B2B marketplaces, ' +
        '"door to door with customs clearance guarantee" to Mexico and the United States.',
    }),
    entity('deng-haoran', 'Person', {
      name: 'Deng Haoran',
      alias: '邓浩然',
      nationality: 'cn',
      birthDate: '1981',
      position: 'General manager, Wuhan Lanqiao Xinyu Biotechnology',
    }),
    entity('dir-deng-lanqiao', 'Directorship', {
      director: 'deng-haoran',
      organization: 'wuhan-lanqiao',
      role: 'general manager',
      startDate: '2019-03',
    }),
    entity('luo-xiaoyu', 'Person', {
      name: 'Luo Xiaoyu',
      alias: ['Vivian Luo', '罗晓雨'],
      nationality: 'cn',
      position: 'Sales agent',
      phone: '+8613971245806',
      email: ['vivian.luo@lanqiao-xinyu.example', 'vivianchem88@mail.example'],
      notes: 'Negotiates with buyers over WeChat registered to her mobile number; writes in English and Spanish.',
    }),
    entity('phone-luo', 'Phone', {
      number: '+8613971245806',
      holder: 'luo-xiaoyu',
      notes: 'WeChat account registered to this number; used to send price lists and payment addresses.',
    }),
    entity('fang-zhiqiang', 'Person', {
      name: 'Fang Zhiqiang',
      alias: '方志强',
      nationality: 'cn',
      email: 'fzq.tradelink@mail.example',
      description: 'Broker based in Shanghai; introduces Mexican buyers to Wuhan Lanqiao for an 8% commission.',
    }),
    entity('assoc-fang-luo', 'Associate', {
      person: 'fang-zhiqiang',
      associate: 'luo-xiaoyu',
      relationship: 'broker refers buyers to sales agent',
    }),
    entity('golden-bauhinia', 'Company', {
      name: 'Golden Bauhinia Trading Limited',
      alias: '金紫荊貿易有限公司',
      jurisdiction: 'hk',
      country: 'hk',
      address: 'Nathan Road, Mong Kok, Kowloon, Hong Kong',
      registrationNumber: '3128846',
      incorporationDate: '2022-08-16',
      description:
        'No staff or premises beyond a registered-agent address; invoices buyers and receives their payments.',
    }),
    entity('own-deng-bauhinia', 'Ownership', {
      owner: 'deng-haoran',
      asset: 'golden-bauhinia',
      percentage: '100',
      startDate: '2022-08',
    }),
    entity('wallet-usdt-bauhinia', 'CryptoWallet', {
      name: 'USDT-TRC20 wallet given on Golden Bauhinia invoices',
      publicKey: 'TQ7mXh3kRzP5vN2wLbY8cJ4eFs6gUaD9tK',
      currency: 'USDT',
      holder: 'golden-bauhinia',
    }),
    entity('wallet-usdt-fang', 'CryptoWallet', {
      name: 'USDT-TRC20 wallet receiving broker commissions',
      publicKey: 'TXa9Lm4Qe7RbN3vK8pYc2WsH6jDf5uGzE1',
      currency: 'USDT',
      holder: 'fang-zhiqiang',
    }),
    entity('wallet-btc-bauhinia', 'CryptoWallet', {
      name: 'Bitcoin wallet given to US buyers',
      publicKey: 'bc1q7x3kd9m2vn8wq4yh6tj5ec0sr2lfz8pgu3ad7k',
      currency: 'BTC',
      holder: 'golden-bauhinia',
    }),
    entity('account-bauhinia', 'BankAccount', {
      accountNumber: '857-402193-001',
      bankName: 'Victoria Harbour Commercial Bank',
      country: 'hk',
      currency: 'HKD',
    }),
    entity('own-bauhinia-account', 'Ownership', { owner: 'golden-bauhinia', asset: 'account-bauhinia' }),
    entity('quimica-valle', 'Company', {
      name: 'Importadora y Distribuidora Química del Valle de Culiacán, S.A. de C.V.',
      jurisdiction: 'mx',
      country: 'mx',
      address: 'Culiacán, Sinaloa, Mexico',
      taxNumber: 'IDQ190311AB7',
      description: 'Registered importer of laboratory reagents; no known pharmaceutical manufacturing customers.',
    }),
    entity('ochoa-valenzuela', 'Person', {
      name: 'Ricardo Ochoa Valenzuela',
      nationality: 'mx',
      phone: '+526671234870',
      position: 'Legal representative (representante legal)',
    }),
    entity('dir-ochoa-quimica', 'Directorship', {
      director: 'ochoa-valenzuela',
      organization: 'quimica-valle',
      role: 'legal representative',
    }),
    entity('assoc-fang-ochoa', 'Associate', {
      person: 'fang-zhiqiang',
      associate: 'ochoa-valenzuela',
      relationship: 'broker for the buyer',
    }),
    entity('payment-1', 'Payment', {
      payer: 'quimica-valle',
      beneficiary: 'golden-bauhinia',
      beneficiaryAccount: 'wallet-usdt-bauhinia',
      amount: '48500',
      currency: 'USDT',
      date: day(-74),
      purpose: 'Invoice GB-2403-117, "pharmaceutical intermediate 25 kg"',
    }),
    entity('payment-2', 'Payment', {
      payer: 'quimica-valle',
      beneficiary: 'golden-bauhinia',
      beneficiaryAccount: 'wallet-usdt-bauhinia',
      amount: '61200',
      currency: 'USDT',
      date: day(-41),
      purpose: 'Invoice GB-2405-031, "pharmaceutical intermediate 50 kg"',
    }),
    entity('payment-3', 'Payment', {
      payer: 'golden-bauhinia',
      beneficiary: 'fang-zhiqiang',
      payerAccount: 'wallet-usdt-bauhinia',
      beneficiaryAccount: 'wallet-usdt-fang',
      amount: '8780',
      currency: 'USDT',
      date: day(-39),
      purpose: 'Commission',
    }),
    entity('payment-4', 'Payment', {
      payer: 'golden-bauhinia',
      beneficiary: 'wuhan-lanqiao',
      payerAccount: 'account-bauhinia',
      amount: '402000',
      currency: 'HKD',
      date: day(-36),
      purpose: 'Settlement for "technical services"',
    }),
    entity('shipment-1', 'Shipment', {
      name: 'Air waybill 784-22915530',
      shipper: 'golden-bauhinia',
      consignee: 'quimica-valle',
      goodsDescription: 'pharmaceutical intermediate',
      hsCode: '2933.39',
      quantity: '25',
      unit: 'kg',
      originCountry: 'cn',
      transitCountries: 'hk',
      destinationCountry: 'mx',
      carrierType: 'air cargo',
      trackingNumber: '784-22915530',
      date: day(-60),
    }),
    entity('shipment-2', 'Shipment', {
      name: 'Bill of lading HKG-MZO 5530-1182',
      shipper: 'golden-bauhinia',
      consignee: 'quimica-valle',
      goodsDescription: 'pharmaceutical intermediate',
      hsCode: '2933.39',
      quantity: '50',
      unit: 'kg',
      originCountry: 'cn',
      transitCountries: 'hk',
      destinationCountry: 'mx',
      carrierType: 'sea freight (LCL) to Manzanillo',
      trackingNumber: '5530-1182',
      date: day(-28),
      notes: 'A sample taken at transshipment tested as 1-boc-4-AP, not the declared goods.',
    }),
  ];
}

/** The Arizona end of the chain, as the CN side sees it from the wallet records. */
function usDistributor(): EntityInput[] {
  return [
    entity('travis-kellerman', 'Person', {
      name: 'Travis Kellerman',
      nationality: 'us',
      address: 'Mesa, Arizona, USA',
      phone: '+14805550187',
      email: 'tk.sonoranwellness@mail.example',
    }),
    entity('sonoran-wellness', 'Company', {
      name: 'Sonoran Wellness Supply LLC',
      jurisdiction: 'us-az',
      country: 'us',
      address: 'Phoenix, Arizona, USA',
    }),
    entity('dir-kellerman-sonoran', 'Directorship', {
      director: 'travis-kellerman',
      organization: 'sonoran-wellness',
      role: 'managing member',
    }),
    entity('golden-bauhinia', 'Company', {
      name: 'Golden Bauhinia Trading Limited',
      alias: '金紫荊貿易有限公司',
      jurisdiction: 'hk',
      country: 'hk',
    }),
    entity('wallet-btc-bauhinia', 'CryptoWallet', {
      name: 'Bitcoin wallet of Golden Bauhinia Trading',
      publicKey: 'bc1q7x3kd9m2vn8wq4yh6tj5ec0sr2lfz8pgu3ad7k',
      currency: 'BTC',
      holder: 'golden-bauhinia',
    }),
    entity('payment-btc', 'Payment', {
      payer: 'sonoran-wellness',
      beneficiary: 'golden-bauhinia',
      beneficiaryAccount: 'wallet-btc-bauhinia',
      amount: '0.42',
      currency: 'BTC',
      date: day(-33),
      purpose: 'Order of 1-boc-4-AP, 5 kg, according to the seller’s ledger',
    }),
  ];
}

interface Actors {
  [username: string]: Actor;
}

async function actorsOf(node: CountersignNode, party: DemoUser['party']): Promise<Actors> {
  const actors: Actors = {};
  for (const demo of DEMO_USERS.filter((u) => u.party === party)) {
    const row = await selectUserByUsername(node.ctx.db, demo.username);
    if (!row) throw new DomainError('not_found', `demo user ${demo.username} is missing`);
    actors[demo.username] = {
      kind: 'user',
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      roles: row.roles as Role[],
    };
  }
  return actors;
}

const need = (actors: Actors, username: string): Actor => {
  const actor = actors[username];
  if (!actor) throw new DomainError('not_found', `demo user ${username} is missing`);
  return actor;
};

/** Drafts, has a second user approve, and sends: the four-eyes path every package takes. */
async function release(
  node: CountersignNode,
  actors: Actors,
  roles: { author: string; approver: string },
  body: object,
): Promise<Package> {
  const draft = await node.packages.create(need(actors, roles.author), body);
  await node.packages.approve(need(actors, roles.approver), draft.id);
  return node.packages.send(need(actors, roles.approver), draft.id);
}

export interface ScenarioSteps {
  /** Called before each step, for progress display. */
  step?: (label: string) => void;
  /** Resolves when every queued message between the nodes has been delivered. */
  settle: () => Promise<void>;
}

export const SCENARIO_STEP_COUNT = 7;

/** Creates the demo users on both nodes. */
export async function createDemoUsers(us: CountersignNode, cn: CountersignNode): Promise<void> {
  await Promise.all(
    DEMO_USERS.map((demo) =>
      createUser((demo.party === 'US' ? us : cn).ctx.db, SYSTEM, {
        username: demo.username,
        displayName: demo.displayName,
        password: demo.password,
        roles: demo.roles,
      }),
    ),
  );
}

/** Plays the scenario between two peered, listening nodes whose demo users exist. */
export async function playScenario(us: CountersignNode, cn: CountersignNode, steps: ScenarioSteps): Promise<void> {
  const step = steps.step ?? (() => undefined);
  const usActors = await actorsOf(us, 'US');
  const cnActors = await actorsOf(cn, 'CN');

  step('US → CN intelligence on the Wuhan supplier network');
  const intelligence = await release(
    us,
    usActors,
    { author: 'us-analyst', approver: 'us-liaison' },
    {
      kind: 'intelligence',
      recipient: 'CN',
      title: 'Wuhan supplier network shipping 1-boc-4-AP to Sinaloa through a Hong Kong front company',
      marking: AMBER_US_CN,
      grade: { source: 'B', info: '2' },
      narrative: {
        text:
          'Wuhan Lanqiao Xinyu Biotechnology offers 4-AP, 1-boc-4-AP and 4-piperidone online. Its sales agent, ' +
          'Luo Xiaoyu ("Vivian"), negotiates over WeChat and sends invoices of Golden Bauhinia Trading Limited, a Hong ' +
          'Kong company wholly owned by the general manager, Deng Haoran. Buyers pay in USDT (TRC-20) or bitcoin. ' +
          'Two shipments declared as "pharmaceutical intermediate" (HS 2933.39) went via Hong Kong to Importadora y ' +
          'Distribuidora Química del Valle de Culiacán, S.A. de C.V.; a sample of the second tested as 1-boc-4-AP. ' +
          'A Shanghai broker, Fang Zhiqiang, introduced the buyer and was paid a commission.',
      },
      entities: supplierNetwork(),
      internalNotes:
        'From an HSI Phoenix undercover purchase; do not disclose the case number or the undercover account to the partner.',
    },
  );

  step('US → CN request for company and bank records');
  const usRequest = await release(
    us,
    usActors,
    { author: 'us-liaison', approver: 'us-liaison2' },
    {
      kind: 'request',
      recipient: 'CN',
      title: 'Request: registration, shareholders and bank records of Wuhan Lanqiao Xinyu Biotechnology',
      marking: AMBER_US_CN,
      grade: { source: 'B', info: '2' },
      dueDate: day(21),
      narrative: {
        text:
          'Please provide the business registration (unified social credit code, shareholders, legal representative) ' +
          'of Wuhan Lanqiao Xinyu Biotechnology Co., Ltd., and the accounts that received transfers from Golden ' +
          'Bauhinia Trading Limited in the last six months.',
      },
      entities: supplierNetwork().filter((e) =>
        ['wuhan-lanqiao', 'deng-haoran', 'dir-deng-lanqiao', 'golden-bauhinia', 'own-deng-bauhinia'].includes(e.id),
      ),
    },
  );

  step('CN → US request about the Arizona buyer');
  const cnRequest = await release(
    cn,
    cnActors,
    { author: 'cn-liaison', approver: 'cn-liaison2' },
    {
      kind: 'request',
      recipient: 'US',
      title: 'Request: identify the Arizona buyer who paid the Golden Bauhinia bitcoin wallet',
      marking: AMBER_US_CN,
      grade: { source: 'C', info: '3' },
      dueDate: day(-6),
      narrative: {
        text:
          'The seller’s ledger, seized in Wuhan, records an order of 5 kg of 1-boc-4-AP paid with 0.42 BTC to ' +
          'bc1q7x3kd9m2vn8wq4yh6tj5ec0sr2lfz8pgu3ad7k on behalf of Sonoran Wellness Supply LLC, Phoenix. Please ' +
          'confirm the identity and role of Travis Kellerman and whether the goods were received.',
      },
      entities: usDistributor(),
    },
  );

  step('CN → US emerging-threat alert');
  await release(
    cn,
    cnActors,
    { author: 'cn-regulator', approver: 'cn-liaison' },
    {
      kind: 'alert',
      recipient: 'US',
      title: 'Emerging threat: N-pyrrolidino protonitazene in counterfeit oxycodone tablets',
      marking: GREEN_US_CN,
      grade: { source: 'A', info: '1' },
      narrative: {
        text:
          'A nitazene not yet seen in our seizures, N-pyrrolidino protonitazene (protonitazepyne), was identified in ' +
          'blue "M30" tablets seized in Dongguan. Potency is estimated well above fentanyl; naloxone reversal may need ' +
          'repeated doses. Not yet controlled by name in every jurisdiction; we propose joint scheduling work.',
      },
      entities: [
        entity('seizure-dongguan', 'Seizure', {
          name: 'Dongguan tablet seizure',
          date: day(-9),
          substance: 'N-pyrrolidino protonitazene',
          quantity: '3.6',
          unit: 'kg',
          location: 'Dongguan, Guangdong, China',
          country: 'cn',
          agency: 'Provincial narcotics control bureau',
          labResult: 'LC-QTOF and GC-MS: N-pyrrolidino protonitazene, about 1.1 mg per tablet; no fentanyl detected.',
        }),
      ],
    },
  );

  step('US → CN incident report on the Nogales seizure');
  await release(
    us,
    usActors,
    { author: 'us-analyst', approver: 'us-liaison2' },
    {
      kind: 'incident',
      recipient: 'CN',
      title: 'Incident: 14.2 kg of fentanyl seized at the Nogales port of entry; 1-boc-4-AP route',
      marking: AMBER_US_CN,
      grade: { source: 'A', info: '2' },
      narrative: {
        text:
          'Fentanyl powder and tablets were found in a tractor-trailer declared as fresh produce. The laboratory ' +
          'impurity profile points to synthesis from 1-boc-4-AP, consistent with the Wuhan supplier network reported ' +
          'earlier.',
      },
      entities: [
        entity('produce-exporter', 'Company', {
          name: 'Agrícola Los Altos de Navolato, S.P.R. de R.L.',
          country: 'mx',
          address: 'Navolato, Sinaloa, Mexico',
        }),
        entity('produce-importer', 'Company', {
          name: 'Saguaro Fresh Produce Distributors LLC',
          country: 'us',
          address: 'Nogales, Arizona, USA',
        }),
        entity('shipment-nogales', 'Shipment', {
          name: 'Tractor-trailer, declared fresh produce',
          shipper: 'produce-exporter',
          consignee: 'produce-importer',
          goodsDescription: 'fresh tomatoes (declared)',
          originCountry: 'mx',
          destinationCountry: 'us',
          carrierType: 'commercial truck',
          date: day(-12),
        }),
        entity('seizure-nogales', 'Seizure', {
          name: 'Nogales port of entry seizure',
          date: day(-12),
          substance: 'fentanyl',
          quantity: '14.2',
          unit: 'kg',
          location: 'Mariposa port of entry, Nogales, Arizona, USA',
          country: 'us',
          agency: 'U.S. Customs and Border Protection',
          shipment: 'shipment-nogales',
          labResult:
            'Fentanyl hydrochloride, 21% purity (powder) and about 2.1 mg per tablet; impurity profile consistent ' +
            'with synthesis from 1-boc-4-AP.',
        }),
      ],
    },
  );
  await steps.settle();

  step('CN acknowledges and answers; US acknowledges');
  await cn.packages.acknowledge(need(cnActors, 'cn-liaison'), intelligence.id);
  // Acknowledged but left unanswered: the demo's one overdue request.
  await us.packages.acknowledge(need(usActors, 'us-liaison'), cnRequest.id);
  await release(
    cn,
    cnActors,
    { author: 'cn-analyst', approver: 'cn-liaison' },
    {
      kind: 'response',
      recipient: 'US',
      inReplyTo: usRequest.id,
      title: 'Response: registration and bank records of Wuhan Lanqiao Xinyu Biotechnology',
      marking: AMBER_US_CN,
      grade: { source: 'A', info: '1' },
      narrative: {
        text:
          'Registration records confirm Deng Haoran as legal representative and sole shareholder. The company’s ' +
          'account received 14 transfers from Golden Bauhinia Trading between the dates requested. A search of the ' +
          'company’s warehouse found 31 kg of 1-boc-4-AP; the investigation continues.',
      },
      entities: [
        entity('wuhan-lanqiao', 'Company', {
          name: 'Wuhan Lanqiao Xinyu Biotechnology Co., Ltd.',
          alias: '武汉蓝桥新宇生物科技有限公司',
          country: 'cn',
          registrationNumber: '91420100MA4K2XR83P',
          incorporationDate: '2018-11-05',
          legalForm: 'limited liability company',
        }),
        entity('deng-haoran', 'Person', { name: 'Deng Haoran', alias: '邓浩然', nationality: 'cn' }),
        entity('dir-deng-lanqiao', 'Directorship', {
          director: 'deng-haoran',
          organization: 'wuhan-lanqiao',
          role: 'legal representative',
        }),
        entity('own-deng-lanqiao', 'Ownership', { owner: 'deng-haoran', asset: 'wuhan-lanqiao', percentage: '100' }),
        entity('account-lanqiao', 'BankAccount', {
          accountNumber: '4200 1735 6221 0508 9917',
          bankName: 'Commercial bank, Wuhan branch',
          country: 'cn',
          currency: 'CNY',
        }),
        entity('own-lanqiao-account', 'Ownership', { owner: 'wuhan-lanqiao', asset: 'account-lanqiao' }),
      ],
    },
  );

  step('US drafts: one awaiting approval, one blocked by the release check');
  await us.packages.create(need(usActors, 'us-analyst'), {
    kind: 'intelligence',
    recipient: 'CN',
    title: 'Cash-out of the Golden Bauhinia USDT wallet through over-the-counter desks',
    marking: AMBER_US_CN,
    grade: { source: 'C', info: '2' },
    narrative: {
      text:
        'Blockchain tracing shows the USDT received from the Mexican consignee leaving within 48 hours for two ' +
        'over-the-counter desks; awaiting approval by a liaison before it goes to CN.',
    },
    entities: [
      entity('golden-bauhinia', 'Company', { name: 'Golden Bauhinia Trading Limited', jurisdiction: 'hk' }),
      entity('wallet-usdt-bauhinia', 'CryptoWallet', {
        name: 'USDT-TRC20 wallet given on Golden Bauhinia invoices',
        publicKey: 'TQ7mXh3kRzP5vN2wLbY8cJ4eFs6gUaD9tK',
        currency: 'USDT',
        holder: 'golden-bauhinia',
      }),
      entity('otc-desk', 'Organization', {
        name: 'Unregistered over-the-counter desk "Canton Fast Exchange"',
        address: 'Guangzhou, Guangdong, China',
      }),
      entity('wallet-otc-1', 'CryptoWallet', {
        name: 'Over-the-counter desk deposit address',
        publicKey: 'TGw4Ns8Rb2Kq6XzV5mHc9LpE3jYt7uDa1F',
        currency: 'USDT',
        holder: 'otc-desk',
      }),
      entity('payment-otc', 'Payment', {
        payer: 'golden-bauhinia',
        payerAccount: 'wallet-usdt-bauhinia',
        beneficiary: 'otc-desk',
        beneficiaryAccount: 'wallet-otc-1',
        amount: '47900',
        currency: 'USDT',
        date: day(-73),
      }),
    ],
  });
  await us.packages.create(need(usActors, 'us-liaison'), {
    kind: 'intelligence',
    recipient: 'CN',
    title: 'Controlled purchase from the Wuhan sales agent (holds a TLP:RED item)',
    marking: AMBER_US_CN,
    grade: { source: 'A', info: '2' },
    narrative: {
      text:
        'An undercover purchase of 1 kg of 1-boc-4-AP from Luo Xiaoyu was paid and delivered. The undercover buyer ' +
        'is marked TLP:RED, releasable to US only: the node will refuse to approve or send this package to CN until ' +
        'that item is removed.',
    },
    entities: [
      entity('luo-xiaoyu', 'Person', { name: 'Luo Xiaoyu', alias: 'Vivian Luo', phone: '+8613971245806' }),
      {
        ...entity('undercover-buyer', 'Person', {
          name: 'Undercover buyer (persona "Mike Torres")',
          notes: 'HSI undercover officer; identity and persona must not leave the US node.',
        }),
        marking: RED_US_ONLY,
      },
      entity('payment-undercover', 'Payment', {
        payer: 'undercover-buyer',
        beneficiary: 'luo-xiaoyu',
        amount: '2150',
        currency: 'USDT',
        date: day(-20),
        purpose: '1 kg of 1-boc-4-AP, controlled purchase',
      }),
    ],
  });
  await steps.settle();
}
