import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the ledger. Parameter `admin` (default: the deploying account) receives
 * DEFAULT_ADMIN_ROLE and PAUSER_ROLE, the only administrative power: pausing writes that give or
 * carry rights. `adminDelay` (default 3 days, in seconds) is how long a scheduled admin handover
 * waits before the new admin can accept it.
 */
export default buildModule("ProvenanceLedgerModule", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", 3 * 86_400);
  const ledger = m.contract("ProvenanceLedger", [adminDelay, admin]);
  return { ledger };
});
