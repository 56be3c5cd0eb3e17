/**
 * The ledger's events as the indexer sees them: a typed union, the topic of each, and a decoder
 * written for their fixed layouts (ethers' generic Interface decoding is several times slower and
 * this is the indexer's hot path). A test checks every decoder against ethers on real logs.
 */
import { keccak256, toUtf8Bytes } from "ethers";

/** A log as eth_getLogs returns it. */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

/** Where an event sits on chain: enough to find and check it again. */
export interface Position {
  blockNumber: number;
  blockHash: string;
  txHash: string;
  txIndex: number;
  logIndex: number;
}

export type LedgerEventBody =
  | { kind: "DatasetRegistered"; datasetId: string; holder: string; contentHash: string; merkleRoot: string; recordCount: bigint; metadataURI: string }
  | { kind: "DatasetDerived"; datasetId: string; parentId: string; grantId: string }
  | { kind: "DatasetLicensed"; datasetId: string; grantId: string; direct: boolean }
  | { kind: "DatasetVersioned"; datasetId: string; previousId: string; holder: string }
  | { kind: "HoldingTransferOffered"; datasetId: string; from: string; to: string }
  | { kind: "HoldingTransferred"; datasetId: string; from: string; to: string }
  | { kind: "DatasetRetired"; datasetId: string; holder: string }
  | {
      kind: "GrantIssued";
      grantId: string;
      datasetId: string;
      grantee: string;
      grantor: string;
      rights: number;
      purposeHash: string;
      purpose: string;
      validFrom: number;
      validUntil: number;
      quota: bigint;
      bump: bigint;
    }
  | { kind: "GrantRevoked"; grantId: string; datasetId: string; holder: string }
  | { kind: "GrantRenounced"; grantId: string; datasetId: string; grantee: string }
  | { kind: "UsageRecorded"; grantId: string; datasetId: string; grantee: string; action: number; units: bigint; outputRef: string }
  | { kind: "MeterAppointed"; holder: string; meter: string }
  | { kind: "MeterDismissed"; holder: string; meter: string }
  | { kind: "EpochSettled"; holder: string; epoch: bigint; meter: string; receiptsRoot: string; receiptCount: number; entryCount: number; units: bigint }
  | { kind: "GrantRequestCancelled"; holder: string; nonce: bigint }
  | { kind: "GrantRequestsCancelled"; holder: string; counter: bigint }
  | { kind: "GrantFeeTerms"; grantId: string; purposeClass: number; token: string; currencyCode: string; unitPrice: bigint; periodFee: bigint; period: number }
  | { kind: "FeesPaid"; grantId: string; payer: string; holder: string; token: string; amount: bigint; paidTotal: bigint }
  | { kind: "FeesAcknowledged"; grantId: string; holder: string; amount: bigint; paidTotal: bigint; paymentRef: string }
  | { kind: "DatasetCancelled"; datasetId: string; objectionId: bigint }
  | { kind: "GrantCancelled"; grantId: string; datasetId: string; objectionId: bigint }
  | { kind: "FeeCapSet"; datasetId: string; authority: string; token: string; currencyCode: string; maxUnitPrice: bigint; maxDailyFee: bigint }
  | { kind: "RevenueCeilingSet"; operator: string; year: number; authority: string; token: string; currencyCode: string; ceiling: bigint }
  | { kind: "ObjectionFiled"; objectionId: bigint; target: string; objector: string; targetKind: number; reason: string; evidenceHash: string; answerDue: number }
  | { kind: "ObjectionAnswered"; objectionId: bigint; target: string; holder: string; answer: string; evidenceHash: string }
  | { kind: "ObjectionRuled"; objectionId: bigint; target: string; arbiter: string; upheld: boolean; ruling: string }
  | { kind: "Paused"; account: string }
  | { kind: "Unpaused"; account: string }
  | { kind: "LedgerDeployed"; admin: string; adminDelay: number; oversight: string }
  | { kind: "RoleGranted"; role: string; account: string; sender: string }
  | { kind: "RoleRevoked"; role: string; account: string; sender: string }
  | { kind: "DefaultAdminTransferScheduled"; newAdmin: string; acceptSchedule: number }
  | { kind: "DefaultAdminTransferCanceled" }
  | { kind: "DefaultAdminDelayChangeScheduled"; newDelay: number; effectSchedule: number }
  | { kind: "DefaultAdminDelayChangeCanceled" };

export type LedgerEventKind = LedgerEventBody["kind"];

export const EVENT_SIGNATURES: Record<LedgerEventKind, string> = {
  DatasetRegistered: "DatasetRegistered(bytes32,address,bytes32,bytes32,uint64,string)",
  DatasetDerived: "DatasetDerived(bytes32,bytes32,bytes32)",
  DatasetLicensed: "DatasetLicensed(bytes32,bytes32,bool)",
  DatasetVersioned: "DatasetVersioned(bytes32,bytes32,address)",
  HoldingTransferOffered: "HoldingTransferOffered(bytes32,address,address)",
  HoldingTransferred: "HoldingTransferred(bytes32,address,address)",
  DatasetRetired: "DatasetRetired(bytes32,address)",
  GrantIssued: "GrantIssued(bytes32,bytes32,address,address,uint8,bytes32,string,uint40,uint40,uint80,uint256)",
  GrantRevoked: "GrantRevoked(bytes32,bytes32,address)",
  GrantRenounced: "GrantRenounced(bytes32,bytes32,address)",
  UsageRecorded: "UsageRecorded(bytes32,bytes32,address,uint8,uint64,bytes32)",
  MeterAppointed: "MeterAppointed(address,address)",
  MeterDismissed: "MeterDismissed(address,address)",
  EpochSettled: "EpochSettled(address,uint64,address,bytes32,uint32,uint32,uint256)",
  GrantRequestCancelled: "GrantRequestCancelled(address,uint256)",
  GrantRequestsCancelled: "GrantRequestsCancelled(address,uint64)",
  GrantFeeTerms: "GrantFeeTerms(bytes32,uint8,address,bytes3,uint96,uint96,uint40)",
  FeesPaid: "FeesPaid(bytes32,address,address,address,uint256,uint256)",
  FeesAcknowledged: "FeesAcknowledged(bytes32,address,uint256,uint256,bytes32)",
  DatasetCancelled: "DatasetCancelled(bytes32,uint64)",
  GrantCancelled: "GrantCancelled(bytes32,bytes32,uint64)",
  FeeCapSet: "FeeCapSet(bytes32,address,address,bytes3,uint96,uint96)",
  RevenueCeilingSet: "RevenueCeilingSet(address,uint16,address,address,bytes3,uint256)",
  ObjectionFiled: "ObjectionFiled(uint64,bytes32,address,uint8,string,bytes32,uint40)",
  ObjectionAnswered: "ObjectionAnswered(uint64,bytes32,address,string,bytes32)",
  ObjectionRuled: "ObjectionRuled(uint64,bytes32,address,bool,string)",
  Paused: "Paused(address)",
  Unpaused: "Unpaused(address)",
  LedgerDeployed: "LedgerDeployed(address,uint48,address)",
  RoleGranted: "RoleGranted(bytes32,address,address)",
  RoleRevoked: "RoleRevoked(bytes32,address,address)",
  DefaultAdminTransferScheduled: "DefaultAdminTransferScheduled(address,uint48)",
  DefaultAdminTransferCanceled: "DefaultAdminTransferCanceled()",
  DefaultAdminDelayChangeScheduled: "DefaultAdminDelayChangeScheduled(uint48,uint48)",
  DefaultAdminDelayChangeCanceled: "DefaultAdminDelayChangeCanceled()",
};

export const EVENT_TOPICS = Object.fromEntries(Object.entries(EVENT_SIGNATURES).map(([kind, sig]) => [kind, keccak256(toUtf8Bytes(sig))])) as Record<LedgerEventKind, string>;

/** The events the ledger's oversight contract emits; every other kind comes from the ledger itself. */
export const OVERSIGHT_EVENT_KINDS: ReadonlySet<LedgerEventKind> = new Set(["FeeCapSet", "RevenueCeilingSet", "ObjectionFiled", "ObjectionAnswered", "ObjectionRuled"]);

const KIND_BY_TOPIC = new Map<string, LedgerEventKind>(Object.entries(EVENT_TOPICS).map(([k, t]) => [t, k as LedgerEventKind]));

// ---- ABI reading, by hand -------------------------------------------------------------------

const word = (data: string, i: number) => data.slice(2 + 64 * i, 66 + 64 * i);
const bytes32 = (data: string, i: number) => "0x" + word(data, i);
const uint = (data: string, i: number) => BigInt("0x" + word(data, i));
const small = (data: string, i: number) => Number.parseInt(word(data, i), 16);
const topicAddress = (topic: string) => "0x" + topic.slice(26);
const wordAddress = (data: string, i: number) => "0x" + word(data, i).slice(24);
/** A left-aligned bytes3 (an ISO 4217 code): its three bytes. */
const bytes3 = (data: string, i: number) => "0x" + word(data, i).slice(0, 6);

function string(data: string, headIndex: number): string {
  const offset = small(data, headIndex);
  const start = 2 + offset * 2;
  const length = Number.parseInt(data.slice(start, start + 64), 16);
  return Buffer.from(data.slice(start + 64, start + 64 + length * 2), "hex").toString("utf8");
}

/** Decodes one of the ledger's logs; undefined for a log that is not one of its events. */
export function decodeLedgerLog(log: RawLog): LedgerEventBody | undefined {
  const kind = KIND_BY_TOPIC.get(log.topics[0]);
  if (!kind) return undefined;
  const t = log.topics;
  const d = log.data;
  switch (kind) {
    case "DatasetRegistered":
      return { kind, datasetId: t[1], holder: topicAddress(t[2]), contentHash: t[3], merkleRoot: bytes32(d, 0), recordCount: uint(d, 1), metadataURI: string(d, 2) };
    case "DatasetDerived":
      return { kind, datasetId: t[1], parentId: t[2], grantId: t[3] };
    case "DatasetLicensed":
      return { kind, datasetId: t[1], grantId: t[2], direct: small(d, 0) !== 0 };
    case "DatasetVersioned":
      return { kind, datasetId: t[1], previousId: t[2], holder: topicAddress(t[3]) };
    case "HoldingTransferOffered":
    case "HoldingTransferred":
      return { kind, datasetId: t[1], from: topicAddress(t[2]), to: topicAddress(t[3]) };
    case "DatasetRetired":
      return { kind, datasetId: t[1], holder: topicAddress(t[2]) };
    case "GrantIssued":
      return {
        kind,
        grantId: t[1],
        datasetId: t[2],
        grantee: topicAddress(t[3]),
        grantor: wordAddress(d, 0),
        rights: small(d, 1),
        purposeHash: bytes32(d, 2),
        purpose: string(d, 3),
        validFrom: small(d, 4),
        validUntil: small(d, 5),
        quota: uint(d, 6),
        bump: uint(d, 7),
      };
    case "GrantRevoked":
      return { kind, grantId: t[1], datasetId: t[2], holder: topicAddress(t[3]) };
    case "GrantRenounced":
      return { kind, grantId: t[1], datasetId: t[2], grantee: topicAddress(t[3]) };
    case "UsageRecorded":
      return { kind, grantId: t[1], datasetId: t[2], grantee: topicAddress(t[3]), action: small(d, 0), units: uint(d, 1), outputRef: bytes32(d, 2) };
    case "MeterAppointed":
    case "MeterDismissed":
      return { kind, holder: topicAddress(t[1]), meter: topicAddress(t[2]) };
    case "EpochSettled":
      return {
        kind,
        holder: topicAddress(t[1]),
        epoch: BigInt(t[2]),
        meter: topicAddress(t[3]),
        receiptsRoot: bytes32(d, 0),
        receiptCount: small(d, 1),
        entryCount: small(d, 2),
        units: uint(d, 3),
      };
    case "GrantRequestCancelled":
      return { kind, holder: topicAddress(t[1]), nonce: uint(d, 0) };
    case "GrantRequestsCancelled":
      return { kind, holder: topicAddress(t[1]), counter: uint(d, 0) };
    case "GrantFeeTerms":
      return { kind, grantId: t[1], purposeClass: small(d, 0), token: wordAddress(d, 1), currencyCode: bytes3(d, 2), unitPrice: uint(d, 3), periodFee: uint(d, 4), period: small(d, 5) };
    case "FeesPaid":
      return { kind, grantId: t[1], payer: topicAddress(t[2]), holder: topicAddress(t[3]), token: wordAddress(d, 0), amount: uint(d, 1), paidTotal: uint(d, 2) };
    case "FeesAcknowledged":
      return { kind, grantId: t[1], holder: topicAddress(t[2]), amount: uint(d, 0), paidTotal: uint(d, 1), paymentRef: bytes32(d, 2) };
    case "DatasetCancelled":
      return { kind, datasetId: t[1], objectionId: BigInt(t[2]) };
    case "GrantCancelled":
      return { kind, grantId: t[1], datasetId: t[2], objectionId: BigInt(t[3]) };
    case "FeeCapSet":
      return { kind, datasetId: t[1], authority: topicAddress(t[2]), token: wordAddress(d, 0), currencyCode: bytes3(d, 1), maxUnitPrice: uint(d, 2), maxDailyFee: uint(d, 3) };
    case "RevenueCeilingSet":
      return { kind, operator: topicAddress(t[1]), year: Number(BigInt(t[2])), authority: topicAddress(t[3]), token: wordAddress(d, 0), currencyCode: bytes3(d, 1), ceiling: uint(d, 2) };
    case "ObjectionFiled":
      return {
        kind,
        objectionId: BigInt(t[1]),
        target: t[2],
        objector: topicAddress(t[3]),
        targetKind: small(d, 0),
        reason: string(d, 1),
        evidenceHash: bytes32(d, 2),
        answerDue: small(d, 3),
      };
    case "ObjectionAnswered":
      return { kind, objectionId: BigInt(t[1]), target: t[2], holder: topicAddress(t[3]), answer: string(d, 0), evidenceHash: bytes32(d, 1) };
    case "ObjectionRuled":
      return { kind, objectionId: BigInt(t[1]), target: t[2], arbiter: topicAddress(t[3]), upheld: small(d, 0) !== 0, ruling: string(d, 1) };
    case "Paused":
    case "Unpaused":
      return { kind, account: wordAddress(d, 0) };
    case "LedgerDeployed":
      return { kind, admin: topicAddress(t[1]), adminDelay: small(d, 0), oversight: wordAddress(d, 1) };
    case "RoleGranted":
    case "RoleRevoked":
      return { kind, role: t[1], account: topicAddress(t[2]), sender: topicAddress(t[3]) };
    case "DefaultAdminTransferScheduled":
      return { kind, newAdmin: topicAddress(t[1]), acceptSchedule: small(d, 0) };
    case "DefaultAdminDelayChangeScheduled":
      return { kind, newDelay: small(d, 0), effectSchedule: small(d, 1) };
    case "DefaultAdminTransferCanceled":
    case "DefaultAdminDelayChangeCanceled":
      return { kind };
  }
}

export function positionOf(log: RawLog): Position {
  return {
    blockNumber: Number(log.blockNumber),
    blockHash: log.blockHash,
    txHash: log.transactionHash,
    txIndex: Number(log.transactionIndex),
    logIndex: Number(log.logIndex),
  };
}

/** Orders logs by (block, tx, log) and drops duplicates of the same (blockHash, logIndex). */
export function orderLogs(logs: RawLog[]): RawLog[] {
  const seen = new Set<string>();
  const unique: RawLog[] = [];
  for (const log of logs) {
    if (log.removed) continue;
    const key = `${log.blockHash}:${log.logIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(log);
  }
  return unique.sort((a, b) => Number(a.blockNumber) - Number(b.blockNumber) || Number(a.transactionIndex) - Number(b.transactionIndex) || Number(a.logIndex) - Number(b.logIndex));
}
