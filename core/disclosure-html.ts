/**
 * An operator's yearly disclosure as a printable HTML page, in Chinese and English side by side:
 * written from the disclosure's JSON alone, so that the API and `dpl report` write the same page,
 * and replicas at one block the same bytes. Each figure names the transaction it rests on; datasets,
 * grants and accounts link to the explorer (served beside the API).
 */
import type { Disclosure } from "./api-answers.js";
import { formatAmount } from "./money.js";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A heading or label in both languages: "授权运营资源 Authorised resources". */
const both = (zh: string, en: string) => `<span lang="zh-Hans">${zh}</span> <span lang="en">${en}</span>`;

/** A table's column headings, each "中文/English", separated by "|". */
const heads = (spec: string) => spec.split("|").map((pair) => both(...(pair.split("/") as [string, string])));

const short = (hex: string) => `${hex.slice(0, 10)}…${hex.slice(-4)}`;
const link = (kind: "dataset" | "grant" | "account", id: string) => `<a href="/#/${kind}/${id}" title="${id}"><code>${short(id)}</code></a>`;
const at = (r: { txHash: string; blockNumber: number; time: string }) =>
  `<span class="ref">${escapeHtml(r.time.slice(0, 10))} · <code title="${r.txHash}">tx ${short(r.txHash)}</code> · #${r.blockNumber}</span>`;
const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

const STATE_ZH: Record<string, string> = {
  active: "有效",
  revoked: "已撤销",
  renounced: "已放弃",
  cancelled: "已裁决撤销",
  open: "待答复",
  answered: "已答复",
  upheld: "异议成立",
  rejected: "异议驳回",
};
const state = (s: string) => `${STATE_ZH[s] ?? s} ${s}`;

const CLASS_ZH: Record<string, string> = { "public-governance": "公共治理", "public-welfare": "公益事业", commercial: "产业发展", unclassified: "未分类" };

function feesText(f: NonNullable<Disclosure["products"][number]["grants"][number]["fees"]>): string {
  const parts = [`${CLASS_ZH[f.purposeClass] ?? f.purposeClass} ${f.purposeClass}`];
  if (f.unitPrice !== "0") parts.push(`${formatAmount(f.unitPrice, f)} / 单位 unit`);
  if (f.periodFee !== "0") parts.push(`${formatAmount(f.periodFee, f)} / ${f.period % 86_400 === 0 ? `${f.period / 86_400} 天 days` : `${f.period} s`}`);
  if (parts.length === 1) parts.push("免费 free");
  return escapeHtml(parts.join(" · "));
}

const table = (head: string[], rows: string[][]) =>
  rows.length === 0
    ? `<p class="none">${both("无", "None")}</p>`
    : `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>`;

const STYLE = `body{font:14px/1.5 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:1px solid #999;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}th{background:#eee}code{font-size:.85em}.ref{color:#555;font-size:.85em}
.none{color:#555}span[lang=en]{color:#444}@media print{a{color:inherit;text-decoration:none}}`;

/** The page. */
export function disclosureHtml(d: Disclosure): string {
  const resources = table(
    heads("授权/Grant|数据/Dataset|授权方/Grantor|权利/Rights|用途/Purpose|期限/Window|状态/State|链上凭证/Evidence"),
    d.resources.map((r) => [
      link("grant", r.grantId),
      link("dataset", r.datasetId),
      link("account", r.grantor),
      escapeHtml(r.rights.join(", ")),
      escapeHtml(r.purpose),
      `${day(r.validFrom)} – ${r.validUntil >= 2 ** 40 - 1 ? "∞" : day(r.validUntil)}`,
      state(r.state),
      at(r.issued),
    ]),
  );
  const products = d.products
    .map((p) => {
      const cap = p.cap
        ? `${both("限价", "Cap")}: ${escapeHtml(formatAmount(p.cap.maxUnitPrice, p.cap))} / 单位 unit, ${escapeHtml(formatAmount(p.cap.maxDailyFee, p.cap))} / 天 day · ${at(p.cap.set)}`
        : `${both("限价", "Cap")}: ${both("无", "none")}`;
      const grants = table(
        heads("授权/Grant|被授权方/Grantee|收费标准/Fees|用量/Units|应收/Charged|已收/Paid|状态/State|链上凭证/Evidence"),
        p.grants.map((g) => [
          link("grant", g.grantId),
          link("account", g.grantee),
          g.fees ? feesText(g.fees) : both("无收费条款", "no fee terms"),
          g.units,
          g.fees ? escapeHtml(formatAmount(g.charged, g.fees)) : "–",
          g.fees ? escapeHtml(formatAmount(g.paid, g.fees)) : "–",
          state(g.state),
          at(g.issued),
        ]),
      );
      return `<h3>${link("dataset", p.datasetId)} ${p.licences.length ? both("（数据产品）", "(product)") : ""}</h3>
<p>${both("登记", "Registered")}: ${at(p.registered)}${p.retired ? ` · ${both("已退役", "Retired")}: ${at(p.retired)}` : ""} · ${escapeHtml(p.metadataURI.length > 80 ? `${p.metadataURI.slice(0, 80)}…` : p.metadataURI)}</p>
<p>${cap}</p>${grants}
<p>${both("用量合计", "Units in the year")}: ${p.units}${p.revenue.map((r) => ` · ${both("收入", "Revenue")}: ${escapeHtml(formatAmount(r.charged, r))} (${both("已收", "paid")} ${escapeHtml(formatAmount(r.paid, r))})`).join("")}</p>`;
    })
    .join("\n");
  const revenue = table(
    heads("币种/Currency|应收/Charged|已收/Paid|年度收入上限/Ceiling|超出（下年扣减）/Excess (deducted next year)|上年结转扣减/Carried in"),
    d.revenue.map((r) => [
      escapeHtml(r.currencyCode ?? r.token ?? ""),
      escapeHtml(formatAmount(r.charged, r)),
      escapeHtml(formatAmount(r.paid, r)),
      r.ceiling ? `${escapeHtml(formatAmount(r.ceiling, r))} ${at(r.ceilingSet!)}` : both("未设定", "none set"),
      escapeHtml(formatAmount(r.excess, r)),
      escapeHtml(formatAmount(r.carriedIn, r)),
    ]),
  );
  const objections = table(
    heads("编号/No.|对象/Target|异议人/Objector|理由/Reason|答复/Answer|裁决/Ruling|状态/State"),
    d.objections.map((o) => [
      `#${o.id} ${at(o.filed)}`,
      link(o.targetKind, o.target),
      link("account", o.objector),
      escapeHtml(o.reason),
      o.answer ? `${escapeHtml(o.answer.text)} ${at(o.answer.at)}` : "–",
      o.ruling ? `${o.ruling.upheld ? both("成立", "upheld") : both("驳回", "rejected")}: ${escapeHtml(o.ruling.text)} ${at(o.ruling.at)}` : "–",
      state(o.state),
    ]),
  );
  return `<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>${d.year} 年度公开 Disclosure · ${d.operator}</title><style>${STYLE}</style></head>
<body>
<h1>${both(`${d.year} 年度公共数据授权运营情况公开`, `Yearly disclosure of authorised public-data operation, ${d.year}`)}</h1>
<p>${both("运营方", "Operator")}: ${link("account", d.operator)} · ${both("统计期间（北京时间）", "Period (UTC+8)")}: ${day(d.period.from + 8 * 3600)} – ${day(d.period.to + 8 * 3600)} · ${both("费用计至", "Fees counted to")}: ${new Date(d.asOf * 1000).toISOString()} · ${both("读取区块", "Read at block")} #${d.readAt.number} <code>${short(d.readAt.hash)}</code></p>
<h2>${both("一、授权运营的公共数据资源", "1. Public data authorised for operation")}</h2>
${resources}
<h2>${both("二、数据产品和服务、收费标准、用量与收入", "2. Products and services, fees, units and revenue")}</h2>
${products || `<p class="none">${both("无", "None")}</p>`}
<h2>${both("三、年度收入与上限", "3. Revenue against the ceiling")}</h2>
${revenue}
<h2>${both("四、异议与裁决", "4. Objections and rulings")}</h2>
${objections}
<p class="ref">${both("金额以各币种最小单位记账（人民币为分），按币种显示。", "Amounts are kept in each currency's smallest unit (fen for CNY) and shown in the currency.")} ${both("每项数据均可在链上按交易哈希核验。", "Every figure can be checked on chain by its transaction hash.")}</p>
</body></html>
`;
}
