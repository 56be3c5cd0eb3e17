/**
 * A grant page reads what each grant's standing needs of its dataset without parsing the dataset's
 * record when its text shows it plain (never retired, resting on no licence). The shortcut must give
 * what the parsed record says for any dataset, whatever its metadata URI spells.
 */
import { expect } from "chai";
import { keccak256 } from "ethers";

import type { LedgerEventBody } from "../../core/ledger-events.js";
import { openReader } from "../../server/store/reads.js";
import type { DatasetRecord, GrantRecord } from "../../server/store/records.js";
import { Store } from "../../server/store/store.js";
import { eventApplier, grantIssued } from "../helpers/apply-events.js";
import { tempDir } from "../helpers/system.js";

const hash = (label: string) => keccak256(Buffer.from(label));
const HOLDER = "0x00000000000000000000000000000000000000aa";
const GRANTEE = "0x00000000000000000000000000000000000000bb";

/** URIs that spell, inside the JSON string, what a plain dataset's text holds. */
const TRICKY_URIS = ["", 'x","retired":null,"licences":[],"y":"', '"licences":[]', '"retired":null', '\\"retired\\":null', "ipfs://bafy"];

describe("a grant's dataset standing read from its text", function () {
  it("equals the parsed record's retirement and licences, for plain, retired and licensed datasets with any metadata URI", async function () {
    const store = await Store.open(await tempDir("dataset-standing"), { chainId: 31337, ledger: HOLDER, deployBlock: 1 });
    const applier = eventApplier(store);
    const apply = (event: LedgerEventBody) => applier.apply(event);
    const grantOn = async (datasetId: string, label: string) => {
      const grantId = hash(`grant ${label}`);
      await apply(grantIssued({ grantId, datasetId, grantee: GRANTEE, grantor: HOLDER, validFrom: 0, validUntil: 2 ** 40 - 1 }));
      return grantId;
    };
    const upstream = hash("upstream");
    await apply({ kind: "DatasetRegistered", datasetId: upstream, holder: HOLDER, contentHash: hash("c upstream"), merkleRoot: hash("r"), recordCount: 1n, metadataURI: "" });
    const licence = await grantOn(upstream, "upstream");
    const grants: string[] = [];
    for (const [i, metadataURI] of TRICKY_URIS.entries()) {
      for (const shape of ["plain", "retired", "licensed"] as const) {
        const datasetId = hash(`dataset ${i} ${shape}`);
        await apply({ kind: "DatasetRegistered", datasetId, holder: HOLDER, contentHash: hash(`c ${i} ${shape}`), merkleRoot: hash("r"), recordCount: 1n, metadataURI });
        if (shape === "licensed") await apply({ kind: "DatasetLicensed", datasetId, grantId: licence, direct: true });
        grants.push(await grantOn(datasetId, `${i} ${shape}`));
        if (shape === "retired") await apply({ kind: "DatasetRetired", datasetId, holder: HOLDER });
      }
    }
    await applier.commit();

    const reader = openReader(store);
    try {
      let retired = 0;
      let licensed = 0;
      for (const grantId of grants) {
        const g = (await reader.grant(grantId)) as GrantRecord;
        const d = (await reader.dataset(g.datasetId)) as DatasetRecord;
        expect(reader.datasetStandingOf(g)).to.deep.equal({ id: d.id, retired: d.retired, licences: d.licences });
        if (d.retired) retired++;
        if (d.licences.length > 0) licensed++;
      }
      // Each shape really was written as meant: the comparison above covered all three.
      expect([retired, licensed]).to.deep.equal([TRICKY_URIS.length, TRICKY_URIS.length]);
    } finally {
      await reader.close();
      await store.close();
    }
  });
});
