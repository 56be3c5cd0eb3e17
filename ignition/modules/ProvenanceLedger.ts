import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the ledger. Parameter `admin` (default: the deploying account) receives
 * DEFAULT_ADMIN_ROLE and PAUSER_ROLE, the only administrative power: pausing writes.
 */
export default buildModule("ProvenanceLedgerModule", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const ledger = m.contract("ProvenanceLedger", [admin]);
  return { ledger };
});
