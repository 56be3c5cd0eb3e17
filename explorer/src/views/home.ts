/** The front page: verify a file by dropping it, the newest datasets, and who administers the ledger. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { formatBytes, formatTime } from "../format.js";
import type { Roles, Status } from "../model.js";
import { sha256OfFile } from "../hash-file.js";
import { href } from "../routes.js";
import { accountLink, fact, message, pagedTable, section } from "../widgets.js";
import type { HashedFile } from "./file.js";
import { DATASET_HEADERS, datasetRow } from "./rows.js";
import type { View } from "./view.js";

const days = (seconds: number) => (seconds % 86_400 === 0 ? `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}` : `${seconds} seconds`);

/** The admin, the pausers and any handover under way, as the ledger's role events tell them. */
function governance(r: Roles, paused: boolean): HTMLElement {
  return h(
    "dl",
    { class: "facts", id: "roles" },
    fact("Admin", r.admin ? accountLink(r.admin) : "unknown"),
    fact("Admin handover delay", r.adminDelay === null ? "unknown" : days(r.adminDelay)),
    r.pendingAdmin
      ? fact("Admin handover under way", h("span", {}, "to ", accountLink(r.pendingAdmin.account), `, which may accept after ${formatTime(r.pendingAdmin.acceptAfter)}`), r.pendingAdmin.evidence)
      : [],
    r.pendingDelay ? fact("Delay change under way", `to ${days(r.pendingDelay.delay)}, from ${formatTime(r.pendingDelay.effectiveAfter)}`, r.pendingDelay.evidence) : [],
    fact("May pause", r.pausers.length ? h("span", {}, ...r.pausers.flatMap((p, i) => (i ? [", ", accountLink(p)] : [accountLink(p)]))) : "nobody"),
    fact("Paused now", paused ? "yes: grants, uses, derivations and transfers are stopped" : "no"),
  );
}

export async function homeView(onHashed: (file: HashedFile) => void): Promise<View> {
  const status = await get<Status>("/v1/status");
  const latest = await pagedTable({ caption: "Datasets, newest first", headers: DATASET_HEADERS, path: "/v1/datasets", row: datasetRow, empty: "No dataset has been anchored on this ledger yet." });

  const input = h("input", { type: "file", id: "file-input", class: "visually-hidden" });
  const progress = h("progress", { id: "hash-progress", max: 1, value: 0, hidden: true, "aria-label": "Hashing progress" });
  const progressText = h("span", { id: "hash-progress-text", "aria-live": "polite" });
  const zone = h(
    "label",
    { for: "file-input", class: "dropzone", id: "dropzone" },
    h("strong", {}, "Drop a file here, or press to choose one"),
    h("span", {}, "It is hashed (SHA-256) in your browser and never uploaded; the ledger is asked only for its hash."),
  );
  const hashFile = async (file: File) => {
    progress.hidden = false;
    progressText.textContent = `Hashing ${file.name}…`;
    try {
      const contentHash = await sha256OfFile(file, (done, total) => {
        progress.value = total === 0 ? 1 : done / total;
        progressText.textContent = `Hashing ${file.name}: ${formatBytes(done)} of ${formatBytes(total)}`;
      });
      onHashed({ name: file.name, size: file.size, contentHash });
      location.hash = href({ page: "file", contentHash });
    } catch (error) {
      progressText.replaceChildren(message("error", `Could not read ${file.name}: ${error instanceof Error ? error.message : String(error)}`));
    }
  };
  input.addEventListener("change", () => input.files?.[0] && hashFile(input.files[0]));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer?.files[0];
    if (file) void hashFile(file);
  });

  return {
    title: "Explorer",
    node: h(
      "div",
      {},
      h("h1", { class: "visually-hidden" }, "dpl explorer"),
      section("Verify a file", "verify", h("div", { class: "verify" }, input, zone, progress, progressText)),
      section("Latest datasets", "latest", latest.element),
      section(
        "Who administers this ledger",
        "governance",
        h("p", { class: "hint" }, "The only administrative power is pausing what gives or carries rights; the admin role moves only by a two-step handover after the delay."),
        governance(status.roles, status.paused),
      ),
    ),
    paged: latest.paged,
  };
}
