// Shared data shapes of the engine. The inventory and report field names are a
// public contract (docs/contract in README, spec policy-v1 sections 1 and 4):
// add fields freely, never rename them.

// ---------------------------------------------------------------- inventory

export interface Tag {
  key: string;
  value?: string;
}

export interface ErrorInfo {
  code: string;
  message: string;
}

/** A port state exactly as GetInstancePortStates returned it. Nothing here is trusted. */
export interface RawPortState {
  fromPort?: unknown;
  toPort?: unknown;
  protocol?: unknown;
  state?: unknown;
  cidrs?: unknown;
  ipv6Cidrs?: unknown;
  cidrListAliases?: unknown;
  [extra: string]: unknown;
}

export type RegionStatus = 'ok' | 'error';

/** A region of an inventory: one that could not be read always says why. */
export type InventoryRegion = {
  name: string;
  /** The account the region was read in (organization inventories, org-v1 O2). */
  accountId?: string;
} & ({ status: 'ok'; error?: undefined } | { status: 'error'; error: ErrorInfo });

/** Absent status means `ok`. */
export type InstanceStatus = 'ok' | 'error' | 'gone';

export interface InventoryInstance {
  name: string;
  region: string;
  arn?: string;
  tags?: Tag[];
  publicIpAddress?: string;
  ipv6Addresses?: string[];
  status?: InstanceStatus;
  error?: ErrorInfo;
  portStates?: RawPortState[];
  /** The firewall as GetInstances listed it (`networking.ports`), raw: compared with portStates for drift. */
  listedPorts?: RawPortState[];
  /** The account the instance lives in (organization inventories, org-v1 O2). */
  accountId?: string;
  [extra: string]: unknown;
}

/** `skipped`: not ACTIVE (suspended, closed), listed but not audited and not a gap. */
export type AccountStatus = 'ok' | 'error' | 'skipped';

/** A member account of an organization inventory: one in `error` always says why. */
export type InventoryAccount = {
  id: string;
  name?: string;
  /** Organizational unit path, e.g. "/prod/shop" ("/" for the root). */
  ouPath?: string;
} & ({ status: 'ok'; error?: undefined } | { status: 'skipped'; error?: undefined; reason?: string } | { status: 'error'; error: ErrorInfo });

export interface Inventory {
  version: 1;
  collectedAt: string;
  /** Organization inventories only (org-v1 O2): every member account, read or not. */
  accounts?: InventoryAccount[];
  regions: InventoryRegion[];
  instances: InventoryInstance[];
  [extra: string]: unknown;
}

// ---------------------------------------------------------------- addresses

export type Family = 4 | 6;

/** Inclusive range of integers (ports, ICMP types or codes). */
export interface IntRange {
  from: number;
  to: number;
}

/** Inclusive address interval; IPv4 addresses are bigints too so one code path serves both. */
export interface Interval {
  start: bigint;
  end: bigint;
}

/** Per family: sorted, merged, disjoint intervals. */
export interface AddressSet {
  v4: readonly Interval[];
  v6: readonly Interval[];
}

export interface ParsedCidr {
  /** The text as it stood in the inventory or policy. */
  input: string;
  /** Canonical form: host bits cleared, mapped IPv6 turned into IPv4, e.g. "10.0.0.0/8". */
  text: string;
  family: Family;
  prefix: number;
  start: bigint;
  end: bigint;
  /** The input had host bits set (10.0.0.5/8). */
  hostBitsCleared: boolean;
  /** The input was an IPv4-mapped IPv6 range (::ffff:a.b.c.d/n, n >= 96). */
  mappedFromIpv6: boolean;
}

export type CidrParseResult = { ok: true; cidr: ParsedCidr } | { ok: false; error: string };

// ---------------------------------------------------------------- normalized port state

export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'all';
export type NormalizedProtocol = Protocol | 'unknown';

export interface SourceSet {
  /** Valid source CIDRs of both families (from cidrs and ipv6Cidrs alike), canonical, in input order. */
  cidrs: readonly ParsedCidr[];
  /** Union of `cidrs`. */
  addresses: AddressSet;
  /** cidrListAliases entries (strings), in input order. */
  aliases: readonly string[];
}

export interface NormalizedState {
  /** Lowercased, trimmed protocol text (icmp6 -> icmpv6, -1 -> all); for unknown protocols the trimmed lowercased text. */
  protocolText: string;
  protocol: NormalizedProtocol;
  /** Only `state: "closed"` is closed. */
  open: boolean;
  /** Raw ports as given when they are numbers, else null: part of the finding identity. */
  rawFromPort: number | null;
  rawToPort: number | null;
  /** tcp/udp: the range (0-65535 when malformed); all: 0-65535; icmp/icmpv6/unknown: null. */
  ports: IntRange | null;
  /** icmp/icmpv6: type and code sets (-1 = 0-255); all: 0-255 each; else null. */
  icmpType: IntRange | null;
  icmpCode: IntRange | null;
  sources: SourceSet;
}

export type DiagnosticLevel = 'error' | 'warning' | 'info';

/** Every diagnostic Portolan emits; reports and tests name them, so they are a closed set. */
export type DiagnosticCode =
  // a port state (normalization, spec 2 and 6)
  | 'unknown-protocol'
  | 'unknown-state'
  | 'malformed-port-range'
  | 'malformed-icmp'
  | 'source-not-a-list'
  | 'unreadable-port-state'
  | 'invalid-cidr'
  | 'ipv4-mapped-cidr'
  | 'cidr-in-other-field'
  | 'host-bits-set'
  | 'invalid-alias'
  // coverage
  | 'region-unreadable'
  | 'instance-unreadable'
  | 'instance-gone'
  | 'account-unreadable'
  | 'account-skipped'
  | 'nothing-read'
  // the listing and the port states disagree
  | 'port-drift'
  // exceptions
  | 'expired-exception'
  | 'unused-exception';

export interface Diagnostic {
  level: DiagnosticLevel;
  code: DiagnosticCode;
  message: string;
  instance?: InstanceRef;
}

// ---------------------------------------------------------------- policy (validated)

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export type SourceKeyword = 'world' | 'public' | 'any';

/** An address list of `outside`/`overlaps`, resolved: `names` keeps what the user wrote, for messages. */
export interface AddressList {
  names: string[];
  set: AddressSet;
}

export interface SourceCondition {
  covers?: 'world' | 'world-ipv4' | 'world-ipv6';
  outside?: AddressList;
  overlaps?: AddressList;
  widerThan?: { ipv4?: number; ipv6?: number };
  alias?: string;
}

/** type/code; an omitted key or -1 means every value. */
export interface IcmpMatch {
  type?: number;
  code?: number;
}

export interface RuleMatch {
  /** Absent: every protocol. */
  protocols?: Protocol[];
  ports?: IntRange[];
  icmp?: IcmpMatch;
  /** Default `any`. */
  source: SourceKeyword | SourceCondition;
}

export interface AllowEntry {
  protocols?: Protocol[];
  ports?: IntRange[];
  icmp?: IcmpMatch;
}

export interface Scope {
  regions?: string[];
  /** Globs on the instance name: `*` and `?` only. */
  instances?: string[];
  /** Value "*" = key present. */
  tags?: Record<string, string>;
}

export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  description?: string;
  remediation?: string;
  scope?: Scope;
  match: RuleMatch;
  allow?: AllowEntry[];
  /** Where the rule's `id` was written. */
  position: SourcePosition;
}

export interface PolicyException {
  /** Rule ids, or ["*"]. */
  rules: string[];
  instances?: string[];
  regions?: string[];
  tags?: Record<string, string>;
  ports?: IntRange[];
  /** Trimmed. */
  reason: string;
  /** YYYY-MM-DD, valid through the end of that day UTC. */
  expires?: string;
  position: SourcePosition;
}

export interface Policy {
  /** The file the user named (as given). */
  path: string;
  /** Every file loaded, the root first, each once. */
  files: string[];
  networks: Record<string, AddressList>;
  rules: Rule[];
  exceptions: PolicyException[];
}

// ---------------------------------------------------------------- results

export interface InstanceRef {
  name: string;
  region: string;
  arn?: string;
  /** Organization audits (and merged inventories): the account the instance lives in. */
  accountId?: string;
  accountName?: string;
}

export interface FindingPortState {
  protocol: string;
  fromPort: number | null;
  toPort: number | null;
  /** Shared by the findings of alike states: replaced, never changed in place. */
  cidrs: readonly string[];
  ipv6Cidrs: readonly string[];
  cidrListAliases: readonly string[];
}

export interface Suppression {
  reason: string;
  expires?: string;
}

interface FindingFacts {
  ruleId: string;
  severity: Severity;
  instance: InstanceRef;
  /** Shared by the findings of alike states and frozen: replaced on merge, never changed. */
  portState: Readonly<FindingPortState>;
  /** First sentence stands alone: "<instance> (<region>): <what> open to <whom>". */
  message: string;
  /** Stable across runs for the same rule, instance ARN (or region+name), protocol and port range. */
  fingerprint: string;
  /** Set by `--baseline`: whether the gate has seen this finding before (see core/baseline.ts). */
  baselineState?: 'new' | 'unchanged';
}

/** A suppressed finding always says by what; an open one has no suppression. */
export type Finding = FindingFacts & ({ suppressed: false; suppression?: undefined } | { suppressed: true; suppression: Suppression });

export interface RuleSummary {
  id: string;
  title: string;
  severity: Severity;
  description?: string;
  remediation?: string;
  position: SourcePosition;
}

export type ExceptionStatus = 'active' | 'expired' | 'unused';

export interface ExceptionReport {
  rules: string[];
  reason: string;
  expires?: string;
  position: SourcePosition;
  status: ExceptionStatus;
  /** Findings this exception suppressed (0 when expired or unused). */
  suppressed: number;
  /** Findings it would have suppressed had it not expired. */
  matchedAfterExpiry: number;
}

/** An instance that was not scanned: deleted mid-scan (`gone`), or not read, with why (`error`). */
export type UnreadInstance = InstanceRef & ({ status: 'gone'; error?: undefined } | { status: 'error'; error: ErrorInfo });

/** A region of the coverage: an unread one always says why. */
export type RegionCoverage = { name: string; accountId?: string } & ({ status: 'ok'; error?: undefined } | { status: 'error'; error: ErrorInfo });

export type AccountCoverage = {
  id: string;
  name?: string;
  ouPath?: string;
  instances: number;
  scanned: number;
  failed: number;
  gone: number;
} & ({ status: 'ok'; error?: undefined } | { status: 'skipped'; error?: undefined; reason?: string } | { status: 'error'; error: ErrorInfo });

export interface Coverage {
  regions: RegionCoverage[];
  /** Organization audits and merged inventories: every account, ordered by id. */
  accounts?: AccountCoverage[];
  instances: number;
  scanned: number;
  failed: number;
  gone: number;
  /** False when an account, region or instance could not be read. An instance deleted mid-scan does not make coverage incomplete, nor does a skipped (suspended) account. */
  complete: boolean;
  /** Instances not scanned, with why. */
  unread: UnreadInstance[];
}

export interface AuditResult {
  policy: { path: string; rules: RuleSummary[] };
  coverage: Coverage;
  summary: { bySeverity: Record<Severity, number>; suppressed: number };
  findings: Finding[];
  exceptions: ExceptionReport[];
  diagnostics: Diagnostic[];
  /** Present when a baseline was given: findings of the baseline no longer present. */
  fixed?: Finding[];
}

/** What formatters need besides the result; supplied by the CLI (the only place with a clock). */
export interface ReportMeta {
  generatedAt: string;
  toolName: 'portolan';
  toolVersion: string;
  informationUri: string;
  /** Where the inventory came from: a file path, or "live" for a collection. */
  source: string;
  /** SARIF automationDetails category, e.g. "portolan/prod-account". */
  category?: string;
  /** Which view of the firewall was judged: GetInstancePortStates (default) or the GetInstances listing. */
  portSource?: 'port-states' | 'listing';
}
