/** An objection: what it is against, why, the holder's answer and the arbiter's ruling, each with its chain evidence. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { formatTime } from "../format.js";
import type { Objection } from "../model.js";
import { accountLink, chainText, datasetLink, fact, fullHex, grantLink, section, statusBadge } from "../widgets.js";
import type { View } from "./view.js";

export async function objectionView(id: string): Promise<View> {
  const { objection: o } = await get<{ objection: Objection }>(`/v1/objections/${id}`);
  const target = o.targetKind === "grant" ? grantLink(o.target) : datasetLink(o.target);
  const facts = h(
    "dl",
    { class: "facts" },
    fact("Status", statusBadge(o.state)),
    fact(o.targetKind === "grant" ? "Against the grant" : "Against the registration of", target),
    ...(o.targetKind === "grant" ? fact("On dataset", datasetLink(o.datasetId)) : []),
    fact("Filed by", accountLink(o.objector), o.filed),
    fact("Reason", chainText(o.reason)),
    ...(o.evidenceHash ? fact("Evidence (hash)", fullHex(o.evidenceHash)) : []),
    ...(o.answer
      ? [
          ...fact("Answered by the holder", accountLink(o.answer.holder), o.answer.evidence),
          ...fact("Answer", chainText(o.answer.text)),
          ...(o.answer.evidenceHash ? fact("Answer's evidence (hash)", fullHex(o.answer.evidenceHash)) : []),
        ]
      : fact("Answer", `none yet; the holder may answer until ${formatTime(o.answerDue)}, after which the arbiter may rule without it`)),
    ...(o.ruling
      ? [
          ...fact("Ruling", h("span", {}, statusBadge(o.ruling.upheld ? "upheld" : "rejected"), " ", chainText(o.ruling.text)), o.ruling.evidence),
          ...fact("Arbiter", accountLink(o.ruling.arbiter)),
          ...fact(
            "Effect",
            o.ruling.upheld
              ? o.targetKind === "grant"
                ? "the grant is cancelled (if it was still active when ruled on), and grants resting on it lapse"
                : "the dataset is retired (if it was not already), and its products lapse"
              : "none: the objection was rejected",
          ),
        ]
      : fact("Ruling", "none yet")),
  );
  return {
    title: `Objection #${o.id}`,
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, "Objection"), h("h1", {}, `Objection #${o.id} `, statusBadge(o.state))),
      section("The objection, the answer and the ruling", "objection", facts),
    ),
    paged: () => false,
  };
}
