/* global document, window, URLSearchParams, Chart */
// vcloud dashboard: read-only pages over the indexer's GraphQL API (POST /graphql on this server).
const WAD = 10n ** 18n;

const PAGES = [
  ["/operators", "Operators"],
  ["/stakers", "Stakers"],
  ["/slashing", "Slashing"],
  ["/da", "DA"],
  ["/tee", "TEE"],
  ["/inference", "Inference"],
  ["/agents", "Agents"],
  ["/fees", "Fees"],
  ["/fork", "Fork"],
];

// ---- data -------------------------------------------------------------------------------------------

async function gql(query, variables = {}) {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

/** Every row of a plural query (Ponder pages by cursor, 1000 rows at most per page). */
async function all(field, selection, where = {}) {
  const rows = [];
  let after = null;
  for (;;) {
    const data = await gql(
      `query($where: ${typeName(field)}Filter, $after: String) {
        ${field}(where: $where, orderBy: "id", orderDirection: "asc", limit: 1000, after: $after) {
          items { ${selection} } pageInfo { hasNextPage endCursor } } }`,
      { where, after },
    );
    rows.push(...data[field].items);
    if (!data[field].pageInfo.hasNextPage) return rows;
    after = data[field].pageInfo.endCursor;
  }
}

/** Ponder names a table's filter type after its schema export: `events` -> `eventFilter`. */
const typeName = (field) => field.slice(0, -1);

const EVENT_FIELDS = "id contract address name args blockNumber logIndex timestamp transactionHash";
const events = (contracts, names) =>
  all("events", EVENT_FIELDS, names ? { contract_in: contracts, name_in: names } : { contract_in: contracts });

// ---- formatting -------------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof window.Node ? c : document.createTextNode(String(c)));
  return node;
}

const short = (hex) => (typeof hex === "string" && hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex);

/** A token amount with 18 decimals, to 4 decimal places. */
function tokens(value) {
  const v = BigInt(value);
  const sign = v < 0n ? "-" : "";
  const a = v < 0n ? -v : v;
  const frac = ((a % WAD) * 10000n) / WAD;
  return `${sign}${a / WAD}.${frac.toString().padStart(4, "0")}`;
}

const percent = (wad) => `${(Number((BigInt(wad) * 1000000n) / WAD) / 10000).toFixed(2)} %`;
// Charts only: a float is precise enough to draw.
const tokensNumber = (value) => Number(BigInt(value)) / 1e18;
/** A fee: in tokens when at least 0.0001 of one, else in wei (DA fees are tiny on the devnet). */
const feeAmount = (value) => (BigInt(value) >= 10n ** 14n ? tokens(value) : `${BigInt(value)} wei`);
const time = (ts) => new Date(Number(ts) * 1000).toISOString().replace("T", " ").slice(0, 19);

function table(headers, rows, { id, empty = "none yet" } = {}) {
  const attrs = id ? { "data-table": id } : {};
  if (rows.length === 0) return el("p", { class: "muted", ...attrs, "data-rows": "0" }, empty);
  return el(
    "table",
    { ...attrs, "data-rows": String(rows.length) },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        headers.map((h) => el("th", {}, h)),
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((r) =>
        el(
          "tr",
          {},
          r.map((cell) =>
            cell && typeof cell === "object" && "num" in cell
              ? el("td", { class: "num" }, cell.num)
              : el("td", {}, cell instanceof window.Node ? cell : String(cell ?? "")),
          ),
        ),
      ),
    ),
  );
}

const num = (v) => ({ num: v });
const code = (v) => el("code", { title: String(v) }, short(String(v)));

function argsList(args) {
  return el(
    "span",
    {},
    Object.entries(args).map(([k, v]) =>
      el("span", {}, `${k}=`, el("code", {}, short(JSON.stringify(v).replace(/"/g, ""))), " "),
    ),
  );
}

function eventTable(rows, id) {
  return table(
    ["block", "time", "contract", "event", "arguments", "tx"],
    rows.map((e) => [
      num(e.blockNumber),
      time(e.timestamp),
      e.contract,
      e.name,
      argsList(e.args),
      code(e.transactionHash),
    ]),
    { id },
  );
}

function chart(id, config) {
  const canvas = el("canvas", { id, "data-chart": id });
  const box = el("div", { class: "chart" }, canvas);
  queueChart(() => {
    const c = new Chart(canvas, {
      ...config,
      options: { animation: false, maintainAspectRatio: false, ...config.options },
    });
    canvas.dataset.rendered = "true";
    return c;
  });
  return box;
}

let pendingCharts = [];
const queueChart = (fn) => pendingCharts.push(fn);

function cards(items) {
  return el(
    "div",
    { class: "cards" },
    items.map(([label, value, id]) =>
      el("div", { class: "card", "data-card": id ?? label }, el("b", {}, String(value)), label),
    ),
  );
}

// ---- pages ------------------------------------------------------------------------------------------

const pages = {
  async "/operators"() {
    const [operators, strategies, sets, allocations, keepers] = await Promise.all([
      all("operators", "id metadataURI registeredBlock delegatedShares slashCount"),
      all("operatorStrategys", "id operator strategy shares maxMagnitude encumberedMagnitude"),
      all("operatorSets", "id avs setId redistributionRecipient createdBlock"),
      all("allocations", "id operator avs setId strategy magnitude effectBlock updatedBlock"),
      fetch("/api/keepers").then((r) => (r.ok ? r.json() : [])),
    ]);
    const strat = new Map(strategies.map((s) => [`${s.operator}-${s.strategy}`, s]));
    const unique = (a) => {
      const s = strat.get(`${a.operator}-${a.strategy}`);
      if (!s || BigInt(s.maxMagnitude) === 0n) return 0n;
      return (BigInt(s.shares) * BigInt(a.magnitude)) / BigInt(s.maxMagnitude);
    };
    const setLabel = (avs, id) => `${short(avs)}/${id}`;
    const setKeys = [...new Set(allocations.map((a) => setLabel(a.avs, a.setId)))];
    const palette = ["#3b6fd8", "#d8743b", "#3bb08f", "#a13bd8", "#d83b6f", "#8a8f2a"];
    return [
      el("h1", {}, "Operators and their allocations"),
      cards([
        ["operators", operators.length],
        ["operator sets", sets.length],
        ["allocations", allocations.length],
      ]),
      el("h2", {}, "Unique stake per operator set (tokens)"),
      chart("unique-stake", {
        type: "bar",
        data: {
          labels: setKeys,
          datasets: operators.map((o, i) => ({
            label: short(o.id),
            backgroundColor: palette[i % palette.length],
            data: setKeys.map((k) =>
              allocations
                .filter((a) => a.operator === o.id && setLabel(a.avs, a.setId) === k)
                .reduce((n, a) => n + tokensNumber(unique(a)), 0),
            ),
          })),
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true } } },
      }),
      el("h2", {}, "Operators"),
      table(
        ["operator", "metadata", "delegated (tokens)", "slashes", "registered at block"],
        operators.map((o) => [
          code(o.id),
          o.metadataURI,
          num(tokens(o.delegatedShares)),
          num(o.slashCount),
          num(o.registeredBlock),
        ]),
        { id: "operators" },
      ),
      el("h2", {}, "Allocations"),
      table(
        ["operator", "operator set", "strategy", "magnitude", "unique stake (tokens)", "effect block"],
        allocations.map((a) => [
          code(a.operator),
          setLabel(a.avs, a.setId),
          code(a.strategy),
          num(percent(a.magnitude)),
          num(tokens(unique(a))),
          num(a.effectBlock),
        ]),
        { id: "allocations" },
      ),
      el("h2", {}, "Operator sets"),
      table(
        ["AVS", "set", "kind", "created at block"],
        sets.map((s) => [
          code(s.avs),
          num(s.setId),
          s.redistributionRecipient ? `redistributing to ${short(s.redistributionRecipient)}` : "burning",
          num(s.createdBlock),
        ]),
        { id: "operator-sets" },
      ),
      el("h2", {}, "Keeper daemons"),
      table(
        ["keeper", "state", "pid", "restarts", "passes", "last pass", "last error"],
        keepers.map((k) => [
          k.name,
          k.state,
          num(k.pid ?? "-"),
          num(k.restarts),
          num(k.passes),
          k.lastPassAt ? k.lastPassAt.replace("T", " ").slice(0, 19) : "-",
          k.lastError ?? "",
        ]),
        { id: "keepers", empty: "no keeper daemons (they start after the story, in serve mode)" },
      ),
    ];
  },

  async "/stakers"() {
    const [stakers, positions, strategies, allocations] = await Promise.all([
      all("stakers", "id operator delegatedBlock"),
      all("stakerStrategys", "id staker strategy depositShares depositScalingFactor"),
      all("operatorStrategys", "id operator strategy shares maxMagnitude"),
      all("allocations", "id operator avs setId strategy magnitude"),
    ]);
    const params = new URLSearchParams(window.location.search);
    const chosen = (params.get("staker") ?? stakers.find((s) => s.operator)?.id ?? stakers[0]?.id ?? "").toLowerCase();
    const staker = stakers.find((s) => s.id === chosen);
    const mine = positions.filter((p) => p.staker === chosen);
    const strat = new Map(strategies.map((s) => [`${s.operator}-${s.strategy}`, s]));
    // withdrawable = deposit shares x deposit scaling factor x slashing factor (max magnitude), as the chain computes.
    const withdrawable = (p) => {
      const max = staker?.operator ? BigInt(strat.get(`${staker.operator}-${p.strategy}`)?.maxMagnitude ?? WAD) : WAD;
      return (((BigInt(p.depositShares) * BigInt(p.depositScalingFactor)) / WAD) * max) / WAD;
    };
    // Queued withdrawals stay slashable until completable: the position (DelegationManager views over RPC)
    // gives each set's queued part.
    let position;
    let positionError;
    try {
      position = chosen ? await (await fetch(`/api/staker/${chosen}`)).json() : undefined;
      if (position?.error) throw new Error(position.error);
    } catch (error) {
      [position, positionError] = [undefined, error.message];
    }
    const lower = (a) => String(a).toLowerCase();
    // With the chain's position, its per-set split (delegated + queued) is authoritative: the indexer's
    // deposit shares do not follow withdrawals. Without it, the delegated part from the indexer's tables.
    const slashable = [];
    if (position)
      for (const s of position.slashable)
        slashable.push({
          avs: lower(s.operatorSet.avs),
          setId: s.operatorSet.id,
          operator: lower(s.operator),
          strategy: lower(s.strategy),
          magnitude: s.magnitude,
          delegated: BigInt(s.delegatedSlashableShares),
          queued: BigInt(s.queuedSlashableShares),
        });
    else if (staker?.operator)
      for (const p of mine)
        for (const a of allocations.filter((x) => x.operator === staker.operator && x.strategy === p.strategy)) {
          const max = BigInt(strat.get(`${a.operator}-${a.strategy}`)?.maxMagnitude ?? WAD);
          if (max === 0n) continue;
          slashable.push({ ...a, delegated: (withdrawable(p) * BigInt(a.magnitude)) / max, queued: 0n });
        }
    for (const s of slashable) s.amount = s.delegated + s.queued;
    const queuedWithdrawals = position?.queuedWithdrawals ?? [];
    const picker = el(
      "select",
      { id: "staker-picker" },
      stakers.map((s) => {
        const o = el("option", { value: s.id }, s.id);
        if (s.id === chosen) o.setAttribute("selected", "");
        return o;
      }),
    );
    picker.addEventListener("change", () => (window.location.search = `?staker=${picker.value}`));
    return [
      el("h1", {}, "Staker position"),
      el("p", {}, "staker ", picker),
      staker
        ? el("p", {}, "delegated to ", staker.operator ? code(staker.operator) : "nobody")
        : el("p", { class: "muted" }, "no stakers yet"),
      el("h2", {}, "Deposits"),
      table(
        ["strategy", "deposit shares", "withdrawable (tokens)"],
        position
          ? position.strategies.map((p) => [
              code(p.strategy),
              num(tokens(p.depositShares)),
              num(tokens(p.withdrawableShares)),
            ])
          : mine.map((p) => [code(p.strategy), num(tokens(p.depositShares)), num(tokens(withdrawable(p)))]),
        { id: "deposits" },
      ),
      el("h2", {}, "Slashable by each AVS (tokens)"),
      chart("slashable", {
        type: "bar",
        data: {
          labels: slashable.map((s) => `${short(s.avs)}/${s.setId}`),
          datasets: [
            { label: "slashable", backgroundColor: "#d8743b", data: slashable.map((s) => tokensNumber(s.amount)) },
          ],
        },
      }),
      table(
        ["AVS", "set", "operator", "strategy", "magnitude", "delegated", "in queued withdrawals", "slashable (tokens)"],
        slashable.map((s) => [
          code(s.avs),
          num(s.setId),
          code(s.operator),
          code(s.strategy),
          num(percent(s.magnitude)),
          num(tokens(s.delegated)),
          num(tokens(s.queued)),
          num(tokens(s.amount)),
        ]),
        { id: "slashable" },
      ),
      el("h2", {}, "Queued withdrawals"),
      ...(positionError
        ? [el("p", { class: "error" }, `queued withdrawals unavailable (chain read failed): ${positionError}`)]
        : []),
      table(
        ["root", "operator", "from block", "completable at block", "shares", "slashable"],
        queuedWithdrawals.map((w) => [
          code(w.root),
          code(w.delegatedTo),
          num(w.startBlock),
          num(w.completableAtBlock),
          w.shares.map((x) => tokens(x)).join(", "),
          w.slashable ? "yes, until completable" : "no",
        ]),
        { id: "queued-withdrawals" },
      ),
      el("h2", {}, "All stakers"),
      table(
        ["staker", "delegated to", "since block"],
        stakers.map((s) => [
          el("a", { href: `/stakers?staker=${s.id}` }, short(s.id)),
          s.operator ? code(s.operator) : "nobody",
          num(s.delegatedBlock ?? ""),
        ]),
        { id: "stakers" },
      ),
    ];
  },

  async "/slashing"() {
    const [slashings, redistributions] = await Promise.all([
      all("slashings", "id operator avs setId strategies wadSlashed description blockNumber timestamp transactionHash"),
      all("redistributions", "id avs setId slashId strategy recipient amount blockNumber timestamp transactionHash"),
    ]);
    const burned = (r) =>
      /^0x0+(dead)?$/i.test(r.recipient) || r.recipient === "0x00000000000000000000000000000000000e16e4";
    return [
      el("h1", {}, "Slashing and redistribution"),
      cards([
        ["slashes", slashings.length],
        ["slashed-fund transfers", redistributions.length],
      ]),
      el("h2", {}, "Slashes"),
      table(
        ["block", "time", "operator", "operator set", "slashed", "description", "tx"],
        slashings.map((s) => [
          num(s.blockNumber),
          time(s.timestamp),
          code(s.operator),
          `${short(s.avs)}/${s.setId}`,
          s.wadSlashed.map((w, i) => `${percent(w)} of ${short(s.strategies[i])}`).join(", "),
          s.description,
          code(s.transactionHash),
        ]),
        { id: "slashings" },
      ),
      el("h2", {}, "Slashed funds sent (burn or redistribution)"),
      table(
        ["block", "operator set", "slash id", "strategy", "recipient", "amount (tokens)", "kind"],
        redistributions.map((r) => [
          num(r.blockNumber),
          `${short(r.avs)}/${r.setId}`,
          num(r.slashId),
          code(r.strategy),
          code(r.recipient),
          num(tokens(r.amount)),
          burned(r) ? "burned" : "redistributed",
        ]),
        { id: "redistributions" },
      ),
    ];
  },

  async "/da"() {
    const rows = await events(["BlobCertificateRegistry"]);
    const certs = rows.filter((e) => e.name === "BlobConfirmed");
    return [
      el("h1", {}, "DA certificates"),
      cards([
        ["certificates", certs.length],
        ["availability challenges", rows.filter((e) => e.name === "AvailabilityChallenged").length],
      ]),
      el("h2", {}, "Confirmed blobs"),
      table(
        ["block", "time", "certificate", "payer", "signed / total stake", "expiry", "fee (wei)", "blob"],
        certs.map((e) => [
          num(e.blockNumber),
          time(e.timestamp),
          code(e.args.certificateId),
          code(e.args.payer),
          num(`${tokens(e.args.signedStake)} / ${tokens(e.args.totalStake)}`),
          time(e.args.expiry),
          num(e.args.fee),
          el("a", { href: `/api/da/blob/${e.args.certificateId}`, "data-blob": e.args.certificateId }, "retrieve"),
        ]),
        { id: "certificates" },
      ),
      el(
        "p",
        { class: "muted" },
        "“retrieve” rebuilds the blob from the DA nodes (chunks verified against the certificate); the CLI does the same with `vcloud da get <id> --out FILE`.",
      ),
      el("h2", {}, "All DA events"),
      eventTable(rows, "da-events"),
    ];
  },

  async "/tee"() {
    const rows = await events(["TaskMailbox", "AppRegistry"]);
    const tasks = new Map();
    for (const e of rows.filter((x) => x.contract === "TaskMailbox")) {
      const hash = e.args.taskHash;
      if (!hash) continue;
      const t = tasks.get(hash) ?? { hash, status: "", block: e.blockNumber };
      if (e.name === "TaskCreated")
        Object.assign(t, { app: e.args.appId, image: e.args.imageDigest, fee: e.args.fee, status: "created" });
      if (e.name === "TaskAccepted") Object.assign(t, { executor: e.args.executor, status: "accepted" });
      if (e.name === "TaskVerified")
        Object.assign(t, {
          output: e.args.result?.outputHash,
          attestation: e.args.result?.attestationHash,
          status: "verified",
        });
      if (e.name === "ExecutorSlashedForMissedSla") t.status = "executor slashed";
      if (e.name === "FeeRefunded") t.status = "refunded";
      tasks.set(hash, t);
    }
    return [
      el("h1", {}, "TEE tasks"),
      cards([
        ["apps", rows.filter((e) => e.name === "AppRegistered").length],
        ["tasks", tasks.size],
      ]),
      table(
        ["task", "app", "image", "executor", "status", "output", "attestation"],
        [...tasks.values()].map((t) => [
          code(t.hash),
          code(t.app ?? ""),
          code(t.image ?? ""),
          code(t.executor ?? ""),
          t.status,
          code(t.output ?? ""),
          code(t.attestation ?? ""),
        ]),
        { id: "tasks" },
      ),
      el("h2", {}, "All TEE events"),
      eventTable(rows, "tee-events"),
    ];
  },

  async "/inference"() {
    const rows = await events(["InferenceClaims"]);
    const claims = new Map();
    for (const e of rows) {
      const id = e.args.claimId;
      if (!id) continue;
      const c = claims.get(id) ?? { id, status: "" };
      if (e.name === "ClaimPosted")
        Object.assign(c, { operator: e.args.operator, app: e.args.app, model: e.args.modelHash, status: "posted" });
      if (e.name === "ClaimChallenged")
        Object.assign(c, { challenger: e.args.challenger, step: e.args.firstDivergentStep, status: "challenged" });
      if (e.name === "ClaimEscalated") c.status = "escalated";
      if (e.name === "ClaimRefuted") Object.assign(c, { status: "refuted: operator slashed", slashId: e.args.slashId });
      if (e.name === "ClaimUpheld") c.status = "upheld: challenger lost bond";
      if (e.name === "ChallengeTimedOut") c.status = "committee timed out: bond returned";
      claims.set(id, c);
    }
    return [
      el("h1", {}, "Inference claims and challenges"),
      cards([
        ["claims", [...claims.values()].length],
        ["challenged", rows.filter((e) => e.name === "ClaimChallenged").length],
        ["refuted", rows.filter((e) => e.name === "ClaimRefuted").length],
      ]),
      table(
        ["claim", "operator", "app", "model", "challenger", "divergent step", "status"],
        [...claims.values()].map((c) => [
          code(c.id),
          code(c.operator ?? ""),
          code(c.app ?? ""),
          code(c.model ?? ""),
          code(c.challenger ?? ""),
          num(c.step ?? ""),
          c.status,
        ]),
        { id: "claims" },
      ),
      el("h2", {}, "All inference events"),
      eventTable(rows, "inference-events"),
    ];
  },

  async "/agents"() {
    const rows = await events(["IdentityRegistry", "ReputationRegistry", "ValidationRegistry", "VcloudValidator"]);
    const agents = new Map();
    const agent = (id) => {
      const key = String(id);
      if (!agents.has(key))
        agents.set(key, { id: key, uri: "", owner: "", feedback: 0, score: 0, validations: 0, passed: 0 });
      return agents.get(key);
    };
    for (const e of rows) {
      if (e.args.agentId === undefined) continue;
      const a = agent(e.args.agentId);
      if (e.name === "Registered") Object.assign(a, { uri: e.args.agentURI, owner: e.args.owner });
      if (e.name === "URIUpdated") a.uri = e.args.newURI;
      if (e.name === "NewFeedback") {
        a.feedback += 1;
        a.score += Number(e.args.value) / 10 ** Number(e.args.valueDecimals ?? 0);
      }
      if (e.name === "FeedbackRevoked") a.feedback -= 1;
      if (e.name === "ValidationResponse") {
        a.validations += 1;
        if (Number(e.args.response) >= 50) a.passed += 1;
      }
    }
    return [
      el("h1", {}, "Agents (ERC-8004)"),
      cards([
        ["agents", [...agents.values()].filter((a) => a.owner).length],
        ["feedback", rows.filter((e) => e.name === "NewFeedback").length],
        ["validations", rows.filter((e) => e.name === "ValidationResponse").length],
      ]),
      table(
        ["agent", "owner", "URI", "feedback", "average score", "validations (passed)"],
        [...agents.values()].map((a) => [
          num(a.id),
          code(a.owner),
          el("span", { title: a.uri }, a.uri.length > 48 ? `${a.uri.slice(0, 48)}…` : a.uri),
          num(a.feedback),
          num(a.feedback ? (a.score / a.feedback).toFixed(2) : "-"),
          num(`${a.validations} (${a.passed})`),
        ]),
        { id: "agents" },
      ),
      el("h2", {}, "All agent events"),
      eventTable(rows, "agent-events"),
    ];
  },

  async "/fees"() {
    const rows = await events(
      [
        "ProtocolFee",
        "FeeJar",
        "BuybackReleaser",
        "DutchAuctionReleaser",
        "ExchangeReleaser",
        "BlobCertificateRegistry",
        "TaskMailbox",
        "InferenceClaims",
      ],
      ["FeeCollected", "Released", "BlobConfirmed", "TaskCreated", "ClaimPosted"],
    );
    const paid = rows.filter((e) => e.name !== "Released" && e.args.fee !== undefined);
    const buybacks = rows.filter((e) => e.name === "Released" && e.args.burned !== undefined);
    const released = rows.filter((e) => e.contract === "FeeJar" && e.name === "Released");
    const blocks = [...new Set([...paid, ...buybacks].map((e) => Number(e.blockNumber)))].sort((a, b) => a - b);
    const cumulative = (list, field) => {
      let total = 0;
      return blocks.map((b) => {
        for (const e of list) if (Number(e.blockNumber) === b) total += tokensNumber(e.args[field]);
        return total;
      });
    };
    return [
      el("h1", {}, "Fees and buybacks"),
      cards([
        ["fee payments", paid.length],
        ["jar releases", released.length],
        ["buybacks", buybacks.length],
      ]),
      el("h2", {}, "Over time (cumulative, tokens)"),
      chart("fees", {
        type: "line",
        data: {
          labels: blocks.map((b) => `#${b}`),
          datasets: [
            { label: "fees paid", borderColor: "#3b6fd8", data: cumulative(paid, "fee") },
            { label: "EIGEN burned by buybacks", borderColor: "#d8743b", data: cumulative(buybacks, "burned") },
          ],
        },
      }),
      el("h2", {}, "Fee payments"),
      table(
        ["block", "time", "source", "payer", "fee"],
        paid.map((e) => [
          num(e.blockNumber),
          time(e.timestamp),
          `${e.contract}.${e.name}`,
          code(e.args.payer ?? e.args.creator ?? e.args.app ?? ""),
          num(feeAmount(e.args.fee)),
        ]),
        { id: "fee-payments" },
      ),
      el("h2", {}, "Buybacks"),
      table(
        ["block", "time", "releaser", "buyer", "EIGEN burned", "assets"],
        buybacks.map((e) => [
          num(e.blockNumber),
          time(e.timestamp),
          e.contract,
          code(e.args.buyer),
          num(tokens(e.args.burned)),
          (e.args.assets ?? []).map(short).join(", "),
        ]),
        { id: "buybacks" },
      ),
    ];
  },

  async "/fork"() {
    let rows;
    try {
      rows = await events(
        ["ForkChallengeManager", "ForkFactory", "CanonicalForkRegistry"],
        ["ChallengeOpened", "ChallengeResolved", "ForkCreated", "CanonicalForkSet", "ChallengeRejected"],
      );
    } catch (error) {
      return forkFromChain(error.message);
    }
    const challenges = new Map();
    const of = (id) => {
      const key = String(id);
      if (!challenges.has(key)) challenges.set(key, { id: key });
      return challenges.get(key);
    };
    for (const e of rows) {
      const c = of(e.args.challengeId);
      if (e.name === "ChallengeOpened") Object.assign(c, { opened: e, ...e.args });
      else if (e.name === "ChallengeResolved") Object.assign(c, { resolved: e, forkAccepted: e.args.forkAccepted });
      else if (e.name === "ForkCreated") Object.assign(c, { fork: e.args });
      else if (e.name === "CanonicalForkSet") c.canonical = e.args;
      else if (e.name === "ChallengeRejected") c.rejected = true;
    }
    const list = [...challenges.values()].filter((c) => c.opened);
    const outcome = (c) =>
      c.resolved
        ? c.forkAccepted
          ? `fork ${c.canonical?.forkId ?? c.fork?.forkId ?? "?"} made canonical`
          : "rejected"
        : "open";
    return [
      el("h1", {}, "Fork challenges"),
      cards([
        ["challenges opened", list.length],
        ["resolved", list.filter((c) => c.resolved).length],
        ["forks accepted", list.filter((c) => c.forkAccepted).length],
      ]),
      el("h2", {}, "Challenges"),
      table(
        [
          "id",
          "opened at block",
          "challenger",
          "accused",
          "bEIGEN burned (commitment)",
          "bEIGEN dropped",
          "reward",
          "outcome",
        ],
        list.map((c) => [
          num(c.id),
          num(c.opened.blockNumber),
          code(c.challenger),
          el(
            "span",
            {},
            (c.accused ?? []).map((a) => el("span", {}, code(a), " ")),
          ),
          num(tokens(c.commitment)),
          num(c.fork ? tokens(c.fork.stakedExcluded) : "-"),
          num(c.fork ? tokens(c.fork.reward) : "-"),
          outcome(c),
        ]),
        { id: "fork-challenges" },
      ),
      el("h2", {}, "All fork events"),
      eventTable(rows, "fork-events"),
    ];
  },
};

/** The /fork page from the chain's logs (GET /api/fork) when the indexer does not answer. */
async function forkFromChain(indexerError) {
  const res = await fetch("/api/fork");
  const records = await res.json();
  if (!res.ok) throw new Error(`${indexerError}; from the chain: ${records.error}`);
  return [
    el("h1", {}, "Fork challenges"),
    el("p", { class: "muted" }, `read from the chain's logs: the indexer did not answer (${indexerError})`),
    table(
      [
        "id",
        "opened at block",
        "challenger",
        "accused",
        "bEIGEN burned (commitment)",
        "bEIGEN dropped",
        "reward",
        "outcome",
      ],
      records.map((c) => [
        num(c.challengeId),
        num(c.openedBlock),
        code(c.challenger),
        el(
          "span",
          {},
          c.accused.map((a) => el("span", {}, code(a), " ")),
        ),
        num(tokens(c.commitment)),
        num(c.fork ? tokens(c.fork.stakedExcluded) : "-"),
        num(c.fork ? tokens(c.fork.reward) : "-"),
        c.outcome === "fork accepted" ? `fork ${c.fork?.forkId ?? "?"} made canonical` : c.outcome,
      ]),
      { id: "fork-challenges" },
    ),
  ];
}

// ---- shell ------------------------------------------------------------------------------------------

async function main() {
  const path = window.location.pathname;
  const nav = document.getElementById("nav");
  for (const [href, label] of PAGES) nav.append(el("a", { href, class: href === path ? "active" : "" }, label));
  const main = document.getElementById("main");
  try {
    const info = await (await fetch("/api/info")).json();
    document.getElementById("chain").textContent = `chain ${info.chainId} · ${info.rpcUrl}`;
    const render = pages[path] ?? pages["/operators"];
    const content = await render();
    main.replaceChildren(...content);
    for (const draw of pendingCharts) draw();
    pendingCharts = [];
    main.dataset.state = "ready";
  } catch (error) {
    main.replaceChildren(el("p", { class: "error" }, `could not load this page: ${error.message}`));
    main.dataset.state = "error";
  }
}

main();
