// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title ForgedRegistration
 * @notice An attacker's contract for tests: its constructor emits one log shaped exactly like the
 * ledger's DatasetRegistered, naming any dataset id and any Merkle root. A receipt holding it is as
 * well-formed as a real registration's, which is why a verifier must trust only a ledger address it
 * names itself, never one a proof carries.
 */
contract ForgedRegistration {
    /**
     * @notice The same signature, hence the same topic, as the ledger's event.
     * @param datasetId Whatever dataset id the forger names.
     * @param holder Whatever holder it names.
     * @param contentHash Whatever content hash it names.
     * @param merkleRoot The root of the forged records.
     * @param recordCount Whatever count it names.
     * @param metadataURI Whatever metadata it names.
     */
    event DatasetRegistered(
        bytes32 indexed datasetId,
        address indexed holder,
        bytes32 indexed contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string metadataURI
    );

    /**
     * @notice Emits the forged registration.
     * @param datasetId The victim's dataset id.
     * @param holder The victim.
     * @param contentHash The victim's content hash.
     * @param merkleRoot The root of the forged records.
     */
    constructor(bytes32 datasetId, address holder, bytes32 contentHash, bytes32 merkleRoot) {
        emit DatasetRegistered(datasetId, holder, contentHash, merkleRoot, 1, "");
    }
}
