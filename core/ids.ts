/**
 * Ids and leaves computed exactly as the ledger computes them on chain, so that a client can
 * predict an id before it is mined and check one it is given.
 */
import { AbiCoder, getCreateAddress, HDNodeWallet, keccak256, Mnemonic, toUtf8Bytes, ZeroHash } from "ethers";

const abi = AbiCoder.defaultAbiCoder();

/** Rights a grant carries, as a bit set. */
export const Rights = { USE: 1, PROCESS: 2, OPERATE_PRODUCT: 4 } as const;

/** Each right's name, as the API, PROV and the explorer's data spell it. */
export const RIGHT_NAMES = { use: Rights.USE, process: Rights.PROCESS, "operate-product": Rights.OPERATE_PRODUCT } as const;
export type RightName = keyof typeof RIGHT_NAMES;

/** The names of the rights in a bit set, in bit order. */
export function rightNames(rights: number): RightName[] {
  return (Object.keys(RIGHT_NAMES) as RightName[]).filter((name) => (rights & RIGHT_NAMES[name]) !== 0);
}

/** What a use did; DERIVE is recorded by the ledger when a derived dataset is registered. */
export enum UsageAction {
  Use = 0,
  Process = 1,
  Derive = 2,
  Operate = 3,
}

/** The right each usage action needs, as the ledger's Rights.requiredFor: USE; PROCESS (process, derive); OPERATE_PRODUCT. */
export const RIGHT_FOR_ACTION: Record<UsageAction, number> = {
  [UsageAction.Use]: Rights.USE,
  [UsageAction.Process]: Rights.PROCESS,
  [UsageAction.Derive]: Rights.PROCESS,
  [UsageAction.Operate]: Rights.OPERATE_PRODUCT,
};

/** Each usage action's name, indexed by its UsageAction value. */
export const USAGE_ACTION_NAMES = ["use", "process", "derive", "operate"] as const;
export type UsageActionName = (typeof USAGE_ACTION_NAMES)[number];

/** The lifecycle a grant has in storage. */
export enum GrantState {
  None = 0,
  Active = 1,
  Revoked = 2,
  Renounced = 3,
  /** By an arbiter's ruling on an objection. */
  Cancelled = 4,
}

/** A grant's standing at a given time. */
export enum GrantStatus {
  None = 0,
  Pending = 1,
  Active = 2,
  Expired = 3,
  Exhausted = 4,
  Revoked = 5,
  Renounced = 6,
  /** Its dataset is retired. */
  Retired = 7,
  /** A grant of its dataset's licence no longer holds. */
  Lapsed = 8,
  /** An arbiter upheld an objection against it. */
  Cancelled = 9,
}

/** Why a licence (an upstream grant a dataset rests on) no longer holds. */
export enum LicenceLapse {
  Revoked = 0,
  Renounced = 1,
  Expired = 2,
  DatasetRetired = 3,
  Cancelled = 4,
}

export { LAPSE_REASONS, type LapseReason } from "./lapse.js";

/** The ledger's roles by name: DEFAULT_ADMIN_ROLE is zero, every other the hash of its name. */
export const ROLES = {
  admin: ZeroHash,
  pauser: keccak256(toUtf8Bytes("PAUSER_ROLE")),
  authority: keccak256(toUtf8Bytes("AUTHORITY_ROLE")),
  arbiter: keccak256(toUtf8Bytes("ARBITER_ROLE")),
} as const;

/** Why data is used (IGrantFees.PurposeClass); the first two pay nothing. */
export enum PurposeClass {
  Unclassified = 0,
  PublicGovernance = 1,
  PublicWelfare = 2,
  Commercial = 3,
}

/** Each purpose class's name, indexed by its PurposeClass value. */
export const PURPOSE_CLASS_NAMES = ["unclassified", "public-governance", "public-welfare", "commercial"] as const;
export type PurposeClassName = (typeof PURPOSE_CLASS_NAMES)[number];

/** What an objection is against (IOversight.ObjectionTarget). */
export enum ObjectionTarget {
  Dataset = 0,
  Grant = 1,
}

/** Where an objection stands (IOversight.ObjectionState). */
export enum ObjectionState {
  None = 0,
  Open = 1,
  Answered = 2,
  Upheld = 3,
  Rejected = 4,
}

/** Each objection state's name, indexed by its ObjectionState value. */
export const OBJECTION_STATE_NAMES = ["none", "open", "answered", "upheld", "rejected"] as const;

/** A role's name ("admin", "pauser"), or its hash for a role the ledger does not define. */
export function roleName(role: string): string {
  const found = Object.entries(ROLES).find(([, hash]) => hash === role.toLowerCase());
  return found ? found[0] : role;
}

/**
 * The ledger's oversight contract: the ledger's constructor creates it first, so it sits at the
 * ledger's CREATE address for nonce 1 (IGrantFees.oversight names it too). Known without a call.
 */
export function oversightAddressOf(ledger: string): string {
  return getCreateAddress({ from: ledger, nonce: 1 }).toLowerCase();
}

/** An ISO 4217 code ("CNY") as the ledger's left-aligned bytes3, in hex; zero for none. */
export function currencyCodeHex(code: string | undefined): string {
  return `0x${Buffer.from(code ?? "", "latin1")
    .toString("hex")
    .padEnd(6, "0")}`;
}

/** A left-aligned bytes3 ISO 4217 code (hex) as its letters ("CNY"); empty for zero. */
export function currencyCodeText(code: string): string {
  return Buffer.from(code.slice(2), "hex").toString("latin1").replace(/\0+$/, "");
}

/** The id `holder` gets for anchoring `contentHash`: keccak256(abi.encode(holder, contentHash)). */
export function datasetId(holder: string, contentHash: string): string {
  return keccak256(abi.encode(["address", "bytes32"], [holder, contentHash]));
}

/** The terms a grant id commits to. */
export interface GrantTerms {
  grantor: string;
  datasetId: string;
  grantee: string;
  rights: number;
  purpose: string;
  validFrom: bigint;
  validUntil: bigint;
  quota: bigint;
}

/** keccak256 of a purpose text, as the ledger stores it in the grant id and event. */
export function purposeHash(purpose: string): string {
  return keccak256(toUtf8Bytes(purpose));
}

/** The id of a grant with `terms`; `bump` is 0 unless an identical grant already exists. */
export function grantId(terms: GrantTerms, bump = 0n): string {
  return keccak256(
    abi.encode(
      ["address", "bytes32", "address", "uint8", "bytes32", "uint40", "uint40", "uint80", "uint256"],
      [terms.grantor, terms.datasetId, terms.grantee, terms.rights, purposeHash(terms.purpose), terms.validFrom, terms.validUntil, terms.quota, bump],
    ),
  );
}

/**
 * The StandardMerkleTree leaf of record `index` whose bytes hash (SHA-256) to `recordHash`:
 * keccak256(keccak256(abi.encode(uint256 index, bytes32 recordHash))).
 */
export function recordLeaf(index: bigint | number, recordHash: string): string {
  return keccak256(keccak256(abi.encode(["uint256", "bytes32"], [index, recordHash])));
}

/** Hardhat's and anvil's well-known development mnemonic: for a local development chain only. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Development account `index` of DEV_MNEMONIC (m/44'/60'/0'/0/index), as Hardhat and anvil fund them. */
export function devAccount(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`);
}
