/** The front page: verify a file by dropping it, the newest datasets, and who administers the ledger. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { formatBytes, formatTime } from "../format.js";
import type { Roles, Status } from "../model.js";
import { sha256OfFile } from "../hash-file.js";
import { t, tNodes } from "../i18n.js";
import { href } from "../routes.js";
import { accountLink, fact, message, pagedTable, section } from "../widgets.js";
import type { HashedFile } from "./file.js";
import { DATASET_HEADERS, datasetRow } from "./rows.js";
import type { View } from "./view.js";

const days = (seconds: number) => (seconds % 86_400 === 0 ? t("money.days", { days: seconds / 86_400 }) : t("home.seconds", { seconds }));

/** The admin, the pausers and any handover under way, as the ledger's role events tell them. */
function governance(r: Roles, paused: boolean): HTMLElement {
  return h(
    "dl",
    { class: "facts", id: "roles" },
    fact(t("home.admin"), r.admin ? accountLink(r.admin) : t("home.unknown")),
    fact(t("home.adminDelay"), r.adminDelay === null ? t("home.unknown") : days(r.adminDelay)),
    r.pendingAdmin
      ? fact(
          t("home.handover"),
          h("span", {}, ...tNodes("home.handover.value", { account: accountLink(r.pendingAdmin.account), time: formatTime(r.pendingAdmin.acceptAfter) })),
          r.pendingAdmin.evidence,
        )
      : [],
    r.pendingDelay ? fact(t("home.delayChange"), t("home.delayChange.value", { delay: days(r.pendingDelay.delay), time: formatTime(r.pendingDelay.effectiveAfter) }), r.pendingDelay.evidence) : [],
    fact(t("home.pausers"), r.pausers.length ? h("span", {}, ...r.pausers.flatMap((p, i) => (i ? [t("list.separator"), accountLink(p)] : [accountLink(p)]))) : t("home.nobody")),
    fact(t("home.paused"), paused ? t("home.paused.yes") : t("home.paused.no")),
  );
}

export async function homeView(onHashed: (file: HashedFile) => void): Promise<View> {
  const status = await get<Status>("/v1/status");
  const latest = await pagedTable({ caption: t("home.latest.caption"), headers: DATASET_HEADERS, path: "/v1/datasets", row: datasetRow, empty: t("home.latest.empty") });

  const input = h("input", { type: "file", id: "file-input", class: "visually-hidden" });
  const progress = h("progress", { id: "hash-progress", max: 1, value: 0, hidden: true, "aria-label": t("home.hashing.label") });
  const progressText = h("span", { id: "hash-progress-text", "aria-live": "polite" });
  const zone = h("label", { for: "file-input", class: "dropzone", id: "dropzone" }, h("strong", {}, t("home.drop")), h("span", {}, t("home.drop.hint")));
  const hashFile = async (file: File) => {
    progress.hidden = false;
    progressText.textContent = t("home.hashing", { name: file.name });
    try {
      const contentHash = await sha256OfFile(file, (done, total) => {
        progress.value = total === 0 ? 1 : done / total;
        progressText.textContent = t("home.hashing.progress", { name: file.name, done: formatBytes(done), total: formatBytes(total) });
      });
      onHashed({ name: file.name, size: file.size, contentHash });
      location.hash = href({ page: "file", contentHash });
    } catch (error) {
      progressText.replaceChildren(message("error", t("home.readFailed", { name: file.name, reason: error instanceof Error ? error.message : String(error) })));
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
    title: t("home.title"),
    node: h(
      "div",
      {},
      h("h1", { class: "visually-hidden" }, t("app.title")),
      section(t("home.verify.title"), "verify", h("div", { class: "verify" }, input, zone, progress, progressText)),
      section(t("home.latest.title"), "latest", latest.element),
      section(t("home.governance.title"), "governance", h("p", { class: "hint" }, t("home.governance.hint")), governance(status.roles, status.paused)),
    ),
    paged: latest.paged,
  };
}
