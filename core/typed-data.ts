/**
 * EIP-712 types written once, as a contract's or a protocol's type string spells them
 * (`Name(type field,...)`), and read into the fields ethers signs with.
 */
import type { TypedDataField } from "ethers";

/** `Name(type field,...)` (one struct, no nested types) as ethers' typed-data fields. */
export function typesOf(encoded: string): Record<string, TypedDataField[]> {
  const [, name, fields] = /^(\w+)\((.*)\)$/.exec(encoded)!;
  return {
    [name]: fields.split(",").map((field) => {
      const [type, fieldName] = field.split(" ");
      return { name: fieldName, type };
    }),
  };
}
