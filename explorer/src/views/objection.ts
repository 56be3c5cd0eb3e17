/** An objection: what it is against, why, the holder's answer and the arbiter's ruling, each with its chain evidence. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { formatTime } from "../format.js";
import { t } from "../i18n.js";
import type { Objection } from "../model.js";
import { accountLink, chainText, datasetLink, fact, fullHex, grantLink, section, statusBadge } from "../widgets.js";
import type { View } from "./view.js";

export async function objectionView(id: string): Promise<View> {
  const { objection: o } = await get<{ objection: Objection }>(`/v1/objections/${id}`);
  const target = o.targetKind === "grant" ? grantLink(o.target) : datasetLink(o.target);
  const facts = h(
    "dl",
    { class: "facts" },
    fact(t("fact.status"), statusBadge(o.state)),
    fact(t(o.targetKind === "grant" ? "objection.againstGrant" : "objection.againstRegistration"), target),
    ...(o.targetKind === "grant" ? fact(t("objection.onDataset"), datasetLink(o.datasetId)) : []),
    fact(t("objection.filedBy"), accountLink(o.objector), o.filed),
    fact(t("col.reason"), chainText(o.reason)),
    ...(o.evidenceHash ? fact(t("objection.evidence"), fullHex(o.evidenceHash)) : []),
    ...(o.answer
      ? [
          ...fact(t("objection.answeredBy"), accountLink(o.answer.holder), o.answer.evidence),
          ...fact(t("objection.answer"), chainText(o.answer.text)),
          ...(o.answer.evidenceHash ? fact(t("objection.answerEvidence"), fullHex(o.answer.evidenceHash)) : []),
        ]
      : fact(t("objection.answer"), t("objection.answer.none", { time: formatTime(o.answerDue) }))),
    ...(o.ruling
      ? [
          ...fact(t("objection.ruling"), h("span", {}, statusBadge(o.ruling.upheld ? "upheld" : "rejected"), " ", chainText(o.ruling.text)), o.ruling.evidence),
          ...fact(t("objection.arbiter"), accountLink(o.ruling.arbiter)),
          ...fact(t("objection.effect"), t(o.ruling.upheld ? (o.targetKind === "grant" ? "objection.effect.grantCancelled" : "objection.effect.datasetRetired") : "objection.effect.none")),
        ]
      : fact(t("objection.ruling"), t("objection.ruling.none"))),
  );
  return {
    title: t("objection.title", { id: o.id }),
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, t("objection.kind")), h("h1", {}, t("objection.title", { id: o.id }), " ", statusBadge(o.state))),
      section(t("objection.section"), "objection", facts),
    ),
    paged: () => false,
  };
}
