import { hash32 } from './random.js';

/**
 * What the seeded tenant's mail looks like: who writes to whom, about what, from which addresses. Every
 * string here is shared by all the rows that use it; rows store indexes into these tables.
 */

/** The organisation every row belongs to (RWS `Organization`). */
export const ORGANIZATION = 'contoso.onmicrosoft.com';

const INTERNAL_DOMAINS = ['contoso.com', 'contoso.com', 'contoso.com', 'eu.contoso.com', 'contoso.onmicrosoft.com'];
const EXTERNAL_DOMAINS = [
  'fabrikam.com', 'northwindtraders.com', 'adatum.com', 'tailspintoys.com', 'wingtiptoys.com', 'litwareinc.com',
  'woodgrovebank.com', 'gmail.com', 'outlook.com', 'yahoo.co.jp', 'web.de', 'orange.fr', 'proseware.es',
];
const FIRST = ['ana', 'bjorn', 'chloe', 'dmitri', 'elif', 'francois', 'gunnar', 'haruto', 'ines', 'jose', 'kasia', 'lea', 'mateo', 'nadia', 'oren', 'priya', 'quentin', 'rosa', 'soren', 'tomas', 'ursula', 'wei', 'yuki', 'zoe', 'linus', 'amelie', 'noah', 'sofia', 'li', 'omar'];
const LAST = ['garcia', 'muller', 'dubois', 'tanaka', 'kowalski', 'rossi', 'smith', 'nguyen', 'ohara', 'jensen', 'silva', 'novak', 'yilmaz', 'chen', 'kim', 'petrov', 'martin', 'lopez', 'schmidt', 'andersson', 'ferreira', 'bianchi', 'sato', 'wong'];
/** Distribution groups: their rows end `Expanded` (docs/sources.md#graph-fields). */
const GROUPS = ['all-staff', 'sales-team', 'it-support', 'finance-emea', 'board'];
const SYSTEM_SENDERS = ['azure-noreply@microsoft.com', 'no-reply@sharepointonline.com', 'postmaster@contoso.com', 'quarantine@messaging.microsoft.com'];

/**
 * Subjects, some with accents, CJK, emoji, quotes and apostrophes, so clients prove they keep Unicode and
 * OData `''` escaping intact. `#` is replaced by a per-message number.
 */
const SUBJECTS = [
  'Quarterly Report #', 'Réunion budgétaire Q#', '会議の議題 (#)', 'Angebot für Müller GmbH Nr. #', '发票 #',
  "Don't forget: \"All hands\" on #", 'Weekly digest 📊 #', 'RE: Contract renewal #', 'FW: Shipping notice #',
  'Your invoice #', 'Zoë\'s onboarding checklist #', 'Password expiry notice', 'PIM: A privileged directory role was assigned outside of PIM',
  'Informe de ventas ñandú #', 'Ticket #: VPN not working', 'Lunch? 🍕', 'Ευχαριστώ για τη συνάντηση #', 'Привет, отчёт #',
  'Team offsite — agenda v#', 'Undeliverable: Quarterly Report #',
];

/** How a message travels, which decides addresses, IPs and likely statuses. */
export const Direction = { Inbound: 0, Outbound: 1, Internal: 2 } as const;
/** One of the {@link Direction} values. */
export type Direction = (typeof Direction)[keyof typeof Direction];

/** The tenant's address book: one sorted table, so a recipient's index order is its sort order. */
export interface AddressBook {
  /** Every address, sorted by code unit (the order Graph uses after the time). */
  readonly addresses: readonly string[];
  /** Indexes of internal mailboxes and of distribution groups. */
  readonly internal: readonly number[];
  readonly groups: readonly number[];
  /** Indexes of external addresses and of system senders. */
  readonly external: readonly number[];
  readonly system: readonly number[];
  /** Whether the address at an index is a distribution group. */
  isGroup(index: number): boolean;
}

/** Builds the address book for a seed: the same seed, the same people. */
export function buildAddressBook(seed: number): AddressBook {
  const kinds = new Map<string, 'internal' | 'group' | 'external' | 'system'>();
  for (let i = 0; i < FIRST.length * LAST.length; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length)]!;
    const h = hash32(seed, i, 77);
    if (h % 3 === 0) kinds.set(`${first}.${last}@${INTERNAL_DOMAINS[h % INTERNAL_DOMAINS.length]}`, 'internal');
    kinds.set(`${first}${h % 2 ? '.' : ''}${last}@${EXTERNAL_DOMAINS[(h >>> 8) % EXTERNAL_DOMAINS.length]}`, 'external');
  }
  for (const group of GROUPS) kinds.set(`${group}@contoso.com`, 'group');
  for (const sender of SYSTEM_SENDERS) kinds.set(sender, 'system');
  const addresses = [...kinds.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const of = (kind: string): number[] => addresses.flatMap((a, i) => (kinds.get(a) === kind ? [i] : []));
  const groups = new Set(of('group'));
  return { addresses, internal: of('internal'), groups: [...groups], external: of('external'), system: of('system'), isGroup: (i) => groups.has(i) };
}

/** Number of subject templates; messages store an index below it. */
export const SUBJECT_COUNT = SUBJECTS.length;

/** A message's subject from its template and a per-message number. */
export function subjectText(template: number, salt: number): string {
  return SUBJECTS[template]!.replace('#', String(100 + (salt % 9_900)));
}

/** The Message-ID header: mailbox-server style for Microsoft-sent mail, the sender's host otherwise. */
export function internetMessageId(guid: string, direction: Direction, salt: number): string {
  if (direction === Direction.Inbound && salt % 3 !== 0) return `<${guid}@mail.${EXTERNAL_DOMAINS[salt % EXTERNAL_DOMAINS.length]}>`;
  if (salt % 5 === 0) return `<${guid}@az.uksouth.production.microsoft.com>`;
  const region = ['FRAP264', 'AMSP195', 'NAMP223', 'APCP153'][salt % 4]!;
  return `<${guid}@${region.slice(0, 2)}${(salt % 9) + 1}P${(salt >>> 4) % 900}MB${1000 + (salt % 8999)}.${region}.PROD.OUTLOOK.COM>`;
}

/**
 * The IP that handed the message to Exchange Online: a public IPv4 or IPv6 of the sending server for
 * inbound mail, an Exchange Online IPv6 or a client's IPv4 otherwise; "" for system mail such as NDRs.
 */
export function sourceIp(direction: Direction, system: boolean, salt: number): string {
  if (system) return salt % 2 ? '' : `40.107.${salt % 256}.${(salt >>> 8) % 254 + 1}`;
  if (direction === Direction.Inbound) {
    return salt % 4 === 0
      ? `2a01:111:f403:${(salt % 0xffff).toString(16)}::${((salt >>> 16) % 0xfff).toString(16)}`
      : `${[81, 203, 198, 185, 216][salt % 5]}.${(salt >>> 3) % 256}.${(salt >>> 11) % 256}.${(salt >>> 19) % 254 + 1}`;
  }
  return salt % 3 === 0
    ? `10.${(salt >>> 2) % 256}.${(salt >>> 10) % 256}.${(salt >>> 18) % 254 + 1}`
    : `2603:10a6:${((salt >>> 4) % 0xffff).toString(16)}:${(salt % 0xfff).toString(16)}::${(salt >>> 20) % 64 + 1}`;
}

/** The destination MX's IP for an outbound recipient's domain; stable per domain. */
export function destinationIp(address: string): string {
  let h = 0;
  for (let i = address.indexOf('@'); i < address.length; i++) h = hash32(h, address.charCodeAt(i));
  return `${[216, 142, 52, 104][h % 4]}.${(h >>> 2) % 256}.${(h >>> 10) % 256}.${(h >>> 18) % 254 + 1}`;
}
