/* The performance report, drawn in the browser from the facts beside it (report-data.js), so
 * its filters (season, imprint, channel, date range) re-draw every chart offline, with no server.
 * Two cubes (titlevideo/report/data.py): "titles" (views, completed views, engagements, watch time
 * per title x channel x day) for most charts, "countries" (views per title x channel x country x
 * day x may-not-play) for the country mix.
 *
 * Each chart has a compute(rows) giving the rows of its CSV, a draw(rows) giving plotly traces,
 * and the SQL that computes the same rows from the warehouse marts (titlevideo/report/data.py,
 * CHART_SQL), shown with the filters as its where clause. Zero values are never drawn.
 */
(function () {
  "use strict";

  const DATA = window.REPORT_DATA;
  const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
  const ACCENT = "#2f6690";
  const WARN = "#d1495b";
  const SECOND = "#f4a259";
  const INK = "#1d2a35";
  const DAY_MS = 86400000;
  // completion colours of the top titles (light: none watched to the end, dark: all)
  const SCALE = [[0, "#deebf7"], [0.5, "#6baed6"], [1, "#08306b"]];
  const CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };

  // ---- unpacking -----------------------------------------------------------------------------

  function bytes(b64) {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function gunzip(b64) {
    const stream = new Blob([bytes(b64)]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  // the columns of each cube, in packing order (titlevideo/report/data.py, CUBE_COLUMNS)
  const COLUMNS = {
    countries: [["title", Uint32Array], ["views", Uint32Array], ["day", Uint16Array],
      ["channel", Uint8Array], ["country", Uint8Array], ["notForSale", Uint8Array]],
    titles: [["title", Uint32Array], ["views", Uint32Array], ["completed", Uint32Array],
      ["engagements", Uint32Array], ["watch", Uint32Array], ["day", Uint16Array],
      ["channel", Uint8Array]],
  };

  function cube(kind, buffer, n) {
    const out = { n: n };
    let offset = 0;
    for (const [name, Type] of COLUMNS[kind]) {
      out[name] = new Type(buffer, offset, n);
      offset += n * Type.BYTES_PER_ELEMENT;
    }
    return out;
  }

  // ---- formatting ----------------------------------------------------------------------------

  const fmt = (v) => (v === null || v === undefined || Number.isNaN(v) ? "–"
    : Math.round(v).toLocaleString("en-US"));
  const pct = (v, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? "–"
    : (v * 100).toFixed(digits) + "%");
  const short = (text, limit = 42) => {
    text = text || "(untitled)";
    return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
  };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const sqlString = (s) => "'" + String(s).replace(/'/g, "''") + "'";
  const channelName = (c) => c.replace(/^PLACEMENT_CHANNEL_/, "");

  function isoDay(first, offset) {
    return new Date(Date.parse(first + "T00:00:00Z") + offset * DAY_MS).toISOString().slice(0, 10);
  }
  function dayOffset(first, iso) {
    return Math.round((Date.parse(iso + "T00:00:00Z") - Date.parse(first + "T00:00:00Z")) / DAY_MS);
  }

  function scaleColor(v) {
    v = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
    let k = 1;
    while (k < SCALE.length - 1 && v > SCALE[k][0]) k++;
    const [p0, c0] = SCALE[k - 1];
    const [p1, c1] = SCALE[k];
    const f = (v - p0) / (p1 - p0);
    const rgb = [1, 3, 5].map((o) => {
      const a = parseInt(c0.slice(o, o + 2), 16);
      const b = parseInt(c1.slice(o, o + 2), 16);
      return Math.round(a + (b - a) * f);
    });
    return `rgb(${rgb.join(",")})`;
  }

  function layout(height, extra) {
    return Object.assign({
      template: DATA.template,
      height: height,
      margin: { l: 10, r: 10, t: 10, b: 10 },
      font: { family: FONT, size: 13 },
      hoverlabel: { font: { family: FONT } },
      legend: { orientation: "h", yanchor: "bottom", y: 1.02, x: 0 },
    }, extra || {});
  }

  // ---- filters ---------------------------------------------------------------------------------

  const state = { season: "", imprint: "", channel: "", from: DATA.firstDate, to: DATA.lastDate };

  function titleMatches(t) {
    if (!state.season && !state.imprint) return true;
    if (t.id === null) return false; // an unmatched asset has no season or imprint
    return (!state.season || t.season === state.season) &&
      (!state.imprint || t.imprint === state.imprint);
  }

  function where() {
    const parts = [];
    if (state.from && state.to) {
      parts.push(`f.metric_date between date '${state.from}' and date '${state.to}'`);
    }
    parts.push(...titleWhere(true));
    if (state.channel) parts.push(`f.channel = ${sqlString(state.channel)}`);
    return parts;
  }

  function titleWhere(asList) {
    const parts = [];
    if (state.season) parts.push(`t.season_name = ${sqlString(state.season)}`);
    if (state.imprint) parts.push(`t.imprint_name = ${sqlString(state.imprint)}`);
    return asList ? parts : (parts.join(" and ") || "true");
  }

  function findingWhere() {
    const parts = titleWhere(true);
    if (state.channel) parts.push(`c.channel = ${sqlString(state.channel)}`);
    if (state.from && state.to) {
      parts.push(`(c.first_metric_date is null or (c.first_metric_date <= date '${state.to}'` +
        ` and c.last_metric_date >= date '${state.from}'))`);
    }
    return parts.join("\n  and ") || "true";
  }

  function sqlFor(id) {
    return DATA.sql[id]
      .replace("{where}", where().join("\n  and ") || "true")
      .replace("{title_where}", titleWhere(false))
      .replace("{finding_where}", findingWhere())
      .replace("{lo}", String(DATA.launchWindow ? DATA.launchWindow[0] : 0))
      .replace("{hi}", String(DATA.launchWindow ? DATA.launchWindow[1] : 0)) + ";";
  }

  /** Indices of the rows of cube C that the filters keep. */
  function selected(C) {
    const keepTitle = DATA.titles.map(titleMatches);
    const ch = state.channel ? DATA.channels.indexOf(state.channel) : -1;
    const lo = state.from ? dayOffset(DATA.firstDate, state.from) : 0;
    const hi = state.to ? dayOffset(DATA.firstDate, state.to) : 1e9;
    const out = [];
    for (let i = 0; i < C.n; i++) {
      if (!keepTitle[C.title[i]]) continue;
      if (ch >= 0 && C.channel[i] !== ch) continue;
      const d = C.day[i];
      if (d < lo || d > hi) continue;
      out.push(i);
    }
    return out;
  }

  // ---- aggregation helpers ------------------------------------------------------------------------

  function group(C, rows, key, titledOnly) {
    const acc = new Map();
    for (const i of rows) {
      if (titledOnly && C.title[i] === 0) continue;
      const k = key(i);
      let a = acc.get(k);
      if (!a) { a = { views: 0, completed: 0, engagements: 0, watch: 0, nfs: 0 }; acc.set(k, a); }
      a.views += C.views[i];
      if (C.completed) {
        a.completed += C.completed[i] / 100;
        a.engagements += C.engagements[i];
        a.watch += C.watch[i];
      } else if (C.notForSale[i]) {
        a.nfs += C.views[i];
      }
    }
    return acc;
  }

  /** Keys by views desc, ties by key ascending (the SQL's order); zero views left out. */
  function ranked(acc, cmpKey) {
    const keys = [...acc.keys()].filter((k) => acc.get(k).views > 0);
    keys.sort((a, b) => acc.get(b).views - acc.get(a).views || cmpKey(a, b));
    return keys;
  }
  const byNumber = (a, b) => a - b;
  const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  const seasonOrder = (name) => {
    const m = /^(Spring|Summer|Autumn|Winter) (\d{4})$/.exec(name || "");
    return m ? Number(m[2]) * 10 + ["Spring", "Summer", "Autumn", "Winter"].indexOf(m[1]) + 1
      : 1000000;
  };

  function launchRows(C, rows, keyOf) {
    // (key, work, offset) → views inside the launch window
    const [lo, hi] = DATA.launchWindow || [0, -1];
    const acc = new Map();
    for (const i of rows) {
      const t = DATA.titles[C.title[i]];
      if (C.title[i] === 0 || !t.pub) continue;
      const offset = C.day[i] - dayOffset(DATA.firstDate, t.pub);
      if (offset < lo || offset > hi) continue;
      const k = keyOf(C.title[i]) + "\u0000" + C.title[i] + "\u0000" + offset;
      acc.set(k, (acc.get(k) || 0) + C.views[i]);
    }
    const out = [];
    for (const [k, views] of acc) {
      if (views <= 0) continue;
      const [key, title, offset] = k.split("\u0000");
      out.push({ key: key, title: Number(title), offset: Number(offset), views: views });
    }
    return out;
  }

  // ---- the charts ------------------------------------------------------------------------------

  const CHARTS = [
    {
      id: "daily-views",
      columns: ["metric_date", "views"],
      compute(C, rows) {
        const acc = group(C, rows, (i) => C.day[i], false);
        return [...acc.keys()].filter((d) => acc.get(d).views > 0).sort(byNumber)
          .map((d) => [isoDay(DATA.firstDate, d), acc.get(d).views]);
      },
      draw(rows) {
        const half = 12 * 3600 * 1000;
        return [[{
          type: "bar", x: rows.map((r) => r[0]), y: rows.map((r) => r[1]), name: "views",
          marker: { color: ACCENT }, width: rows.map(() => DAY_MS * 0.85),
          hovertemplate: "%{x|%a %d %b %Y}<br>%{y:,} views<extra></extra>",
        }], layout(280, {
          xaxis: { type: "date", range: [
            new Date(Date.parse(state.from + "T00:00:00Z") - half).toISOString(),
            new Date(Date.parse(state.to + "T00:00:00Z") + half).toISOString()] },
          yaxis: { title: { text: "views" }, rangemode: "tozero" },
        })];
      },
    },
    {
      id: "top-titles",
      columns: ["work_id", "title", "imprint_name", "season_name", "views", "completion_rate",
        "engagement_rate"],
      compute(C, rows) {
        const acc = group(C, rows, (i) => C.title[i], true);
        return ranked(acc, (a, b) => DATA.titles[a].id - DATA.titles[b].id)
          .slice(0, DATA.top.titles).map((k) => {
            const t = DATA.titles[k];
            const a = acc.get(k);
            return [t.id, t.title, t.imprint, t.season, a.views, a.completed / a.views,
              a.engagements / a.views];
          });
      },
      draw(rows) {
        const r = rows.slice().reverse(); // largest on top
        return [[{
          type: "bar", orientation: "h",
          y: r.map((x) => `${short(x[1])}  ·  ${x[2] || "–"}`),
          x: r.map((x) => x[4]),
          // colours as strings: plotly.js warns on numeric bar colours ("Invalid color specifier")
          marker: { color: r.map((x) => scaleColor(x[5])) },
          customdata: r.map((x) => [x[3] || "–", pct(x[5]), pct(x[6])]),
          hovertemplate: "<b>%{y}</b><br>%{x:,} views<br>season %{customdata[0]}<br>" +
            "completion %{customdata[1]} · engagement %{customdata[2]}<extra></extra>",
          text: r.map((x) => fmt(x[4])), textposition: "outside", cliponaxis: false,
          textfont: { color: INK }, showlegend: false,
        }, {
          // the colour bar of the completion rate (a trace with no points)
          type: "scatter", mode: "markers", x: [null], y: [null], showlegend: false,
          hoverinfo: "skip",
          marker: { color: [0, 1], colorscale: SCALE, cmin: 0, cmax: 1, showscale: true,
            colorbar: { title: { text: "completion" }, tickformat: ".0%", thickness: 12 } },
        }], layout(90 + 28 * r.length, {
          margin: { l: 10, r: 40, t: 10, b: 10 },
          xaxis: { title: { text: "views" } }, yaxis: { automargin: true },
        })];
      },
    },
    {
      id: "launch-curves",
      columns: ["work_id", "title", "days_from_publication", "views", "cumulative_views"],
      compute(C, rows) {
        const launch = launchRows(C, rows, () => "");
        const totals = new Map();
        for (const r of launch) totals.set(r.title, (totals.get(r.title) || 0) + r.views);
        const top = ranked(new Map([...totals].map(([k, v]) => [k, { views: v }])),
          (a, b) => DATA.titles[a].id - DATA.titles[b].id).slice(0, DATA.top.launchTitles);
        const out = [];
        for (const k of top) {
          const points = launch.filter((r) => r.title === k).sort((a, b) => a.offset - b.offset);
          let cumulative = 0;
          for (const p of points) {
            cumulative += p.views;
            out.push([DATA.titles[k].id, DATA.titles[k].title, p.offset, p.views, cumulative]);
          }
        }
        return out;
      },
      draw(rows) {
        const traces = [];
        const seen = new Map();
        for (const r of rows) {
          if (!seen.has(r[0])) {
            // two titles may share a name: the legend keeps them apart by work id
            const taken = [...seen.values()].includes(r[1]);
            seen.set(r[0], taken ? `${r[1]} (${r[0]})` : r[1]);
            traces.push({
              type: "scatter", mode: "lines+markers", name: short(seen.get(r[0]), 32),
              x: [], y: [], line: { shape: "hv", width: 2 }, marker: { size: 5 },
              hovertemplate: `<b>${esc(short(seen.get(r[0])))}</b><br>day %{x}: %{y:,} views so far<extra></extra>`,
            });
          }
          const t = traces[traces.length - 1];
          t.x.push(r[2]);
          t.y.push(r[4]);
        }
        return [traces, launchLayout(380, "cumulative views")];
      },
    },
    {
      id: "launch-seasons",
      columns: ["season_name", "days_from_publication", "views_per_title"],
      compute(C, rows) {
        const launch = launchRows(C, rows, (k) => DATA.titles[k].season || "Unassigned");
        const totals = new Map();
        const titles = new Map();
        for (const r of launch) {
          totals.set(r.key, (totals.get(r.key) || 0) + r.views);
          if (!titles.has(r.key)) titles.set(r.key, new Set());
          titles.get(r.key).add(r.title);
        }
        const top = ranked(new Map([...totals].map(([k, v]) => [k, { views: v }])), byText)
          .slice(0, DATA.top.launchSeasons);
        const acc = new Map();
        for (const r of launch) {
          if (!top.includes(r.key)) continue;
          const k = r.key + "\u0000" + r.offset;
          acc.set(k, (acc.get(k) || 0) + r.views);
        }
        return [...acc].map(([k, views]) => {
          const [season, offset] = k.split("\u0000");
          return [season, Number(offset), views / titles.get(season).size];
        }).sort((a, b) => byText(a[0], b[0]) || a[1] - b[1]);
      },
      draw(rows) {
        const seasons = [...new Set(rows.map((r) => r[0]))]
          .sort((a, b) => seasonOrder(a) - seasonOrder(b) || byText(a, b));
        const traces = seasons.map((s) => {
          const points = rows.filter((r) => r[0] === s);
          return {
            type: "scatter", mode: "lines+markers", name: s, x: points.map((r) => r[1]),
            y: points.map((r) => r[2]), line: { width: 2 }, marker: { size: 5 },
            hovertemplate: `<b>${esc(s)}</b><br>day %{x}: %{y:,.1f} views per title<extra></extra>`,
          };
        });
        return [traces, launchLayout(340, "views per title (average)")];
      },
    },
    {
      id: "channel-mix",
      columns: ["channel", "views", "completion_rate", "engagement_rate"],
      compute(C, rows) {
        const acc = group(C, rows, (i) => DATA.channels[C.channel[i]], true);
        return ranked(acc, byText).map((c) => {
          const a = acc.get(c);
          return [c, a.views, a.completed / a.views, a.engagements / a.views];
        });
      },
      draw(rows) {
        const x = rows.map((r) => channelName(r[0]));
        return [[
          { type: "bar", x: x, y: rows.map((r) => r[1]), name: "views", marker: { color: ACCENT },
            hovertemplate: "%{x}: %{y:,} views<extra></extra>" },
          { type: "scatter", mode: "markers", x: x, y: rows.map((r) => r[2]), yaxis: "y2",
            name: "completion rate", marker: { color: SECOND, size: 12, symbol: "diamond" },
            hovertemplate: "%{x}: %{y:.1%} completed<extra></extra>" },
        ], layout(320, {
          yaxis: { title: { text: "views" } },
          yaxis2: { title: { text: "completion rate" }, overlaying: "y", side: "right",
            tickformat: ".0%", range: [0, 1], tickmode: "array",
            tickvals: [0, 0.25, 0.5, 0.75, 1], showgrid: false },
        })];
      },
    },
    {
      id: "country-mix",
      columns: ["country", "views", "views_not_for_sale"],
      cube: "countries",
      compute(C, rows) {
        const acc = group(C, rows, (i) => DATA.countries[C.country[i]][0], true);
        return ranked(acc, byText).slice(0, DATA.top.countries)
          .map((c) => [c, acc.get(c).views, acc.get(c).nfs]);
      },
      draw(rows) {
        const label = new Map(DATA.countries);
        const sale = rows.filter((r) => r[1] - r[2] > 0);
        const nfs = rows.filter((r) => r[2] > 0);
        const traces = [{
          type: "bar", name: "where the asset may play", marker: { color: ACCENT },
          x: sale.map((r) => label.get(r[0])), y: sale.map((r) => r[1] - r[2]),
          hovertemplate: "%{x}: %{y:,} views<extra></extra>",
        }];
        if (nfs.length) {
          traces.push({
            type: "bar", name: "where it may not (compliance finding)", marker: { color: WARN },
            x: nfs.map((r) => label.get(r[0])), y: nfs.map((r) => r[2]),
            hovertemplate: "%{x}: %{y:,} views where it may not play<extra></extra>",
          });
        }
        return [traces, layout(340, {
          barmode: "stack", yaxis: { title: { text: "views" } },
          xaxis: { categoryorder: "array", categoryarray: rows.map((r) => label.get(r[0])) },
        })];
      },
    },
    {
      id: "season-comparison",
      columns: ["season_name", "n_titles", "n_titles_with_video", "views",
        "views_per_title_with_video"],
      compute(C, rows) {
        const acc = group(C, rows, (i) => DATA.titles[C.title[i]].season || "Unassigned", true);
        const titles = new Map();
        for (const t of DATA.titles.slice(1)) {
          if (!titleMatches(t)) continue;
          const s = t.season || "Unassigned";
          const n = titles.get(s) || [0, 0];
          n[0] += 1;
          if (t.video) n[1] += 1;
          titles.set(s, n);
        }
        const seasons = [...acc.keys()].filter((s) => acc.get(s).views > 0 && titles.has(s))
          .sort((a, b) => seasonOrder(a) - seasonOrder(b) || byText(a, b))
          .slice(-DATA.top.seasons);
        return seasons.map((s) => {
          const [n, nv] = titles.get(s);
          const v = acc.get(s).views;
          return [s, n, nv, v, nv ? v / nv : null];
        });
      },
      draw(rows) {
        const x = rows.map((r) => r[0]);
        return [[
          { type: "bar", x: x, y: rows.map((r) => r[3]), name: "views", marker: { color: ACCENT },
            customdata: rows.map((r) => [r[1], r[2]]),
            hovertemplate: "<b>%{x}</b><br>%{y:,} views<br>%{customdata[1]} of %{customdata[0]} " +
              "titles with video<extra></extra>" },
          { type: "scatter", mode: "lines+markers", x: x, y: rows.map((r) => r[4] || 0),
            yaxis: "y2", name: "views per title with video",
            marker: { color: SECOND, size: 9 }, line: { color: SECOND },
            hovertemplate: "%{x}: %{y:,.1f} views per title with video<extra></extra>" },
        ], layout(340, {
          xaxis: { type: "category" },
          yaxis: { title: { text: "views" } },
          yaxis2: { title: { text: "views per title with video" }, overlaying: "y", side: "right",
            rangemode: "tozero", nticks: 5, showgrid: false },
        })];
      },
    },
    {
      id: "imprint-mix",
      columns: ["imprint_name", "n_titles_with_video", "views", "completion_rate"],
      compute(C, rows) {
        const acc = group(C, rows, (i) => DATA.titles[C.title[i]].imprint || "(no imprint)", true);
        const video = new Map();
        for (const t of DATA.titles.slice(1)) {
          if (!titleMatches(t)) continue;
          const k = t.imprint || "(no imprint)";
          video.set(k, (video.get(k) || 0) + (t.video ? 1 : 0));
        }
        return ranked(acc, byText).filter((k) => video.has(k)).map((k) => {
          const a = acc.get(k);
          return [k, video.get(k), a.views, a.completed / a.views];
        });
      },
      draw(rows) {
        const r = rows.slice().reverse();
        return [[{
          type: "bar", orientation: "h", y: r.map((x) => x[0]), x: r.map((x) => x[2]),
          marker: { color: ACCENT }, customdata: r.map((x) => [x[1], pct(x[3])]),
          hovertemplate: "<b>%{y}</b><br>%{x:,} views<br>%{customdata[0]} titles with video · " +
            "completion %{customdata[1]}<extra></extra>",
        }], layout(90 + 30 * r.length, {
          xaxis: { title: { text: "views" } }, yaxis: { automargin: true },
        })];
      },
    },
  ];

  function launchLayout(height, ytitle) {
    const extra = {
      xaxis: { title: { text: "days from first publication" }, zeroline: false },
      yaxis: { title: { text: ytitle }, rangemode: "tozero" },
      shapes: [{ type: "line", x0: 0, x1: 0, xref: "x", y0: 0, y1: 1, yref: "paper",
        line: { color: "#999", dash: "dot", width: 1 } }],
    };
    if (DATA.launchWindow) {
      extra.xaxis.range = [DATA.launchWindow[0] - 1, DATA.launchWindow[1] + 1];
    }
    return layout(height, extra);
  }

  // ---- CSV -------------------------------------------------------------------------------------

  function csvCell(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number" && !Number.isInteger(v)) v = Number(v.toPrecision(12));
    const s = String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  const csv = (columns, rows) =>
    [columns, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";

  const urls = new Map();
  function setDownload(link, name, text) {
    if (urls.has(link)) URL.revokeObjectURL(urls.get(link));
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    urls.set(link, url);
    link.href = url;
    link.download = name;
  }

  function fileStem() {
    const parts = [DATA.day];
    for (const k of ["season", "imprint", "channel"]) if (state[k]) parts.push(state[k]);
    if (state.from !== DATA.firstDate || state.to !== DATA.lastDate) {
      parts.push(`${state.from}_${state.to}`);
    }
    return parts.join("_").replace(/[^A-Za-z0-9_.-]+/g, "-");
  }

  // ---- the headline, the summary, compliance -----------------------------------------------

  function headline(C, rows, K, kRows) {
    let views = 0, completed = 0, engagements = 0, watch = 0, unmatched = 0, nfs = 0;
    const onDay = new Map();
    const titlesWithViews = new Set();
    for (const i of rows) {
      const v = C.views[i];
      views += v;
      completed += C.completed[i] / 100;
      engagements += C.engagements[i];
      watch += C.watch[i];
      if (C.title[i] === 0) unmatched += v; else if (v > 0) titlesWithViews.add(C.title[i]);
      onDay.set(C.day[i], (onDay.get(C.day[i]) || 0) + v);
    }
    for (const i of kRows) if (K.notForSale[i]) nfs += K.views[i];
    const last = dayOffset(DATA.firstDate, state.to);
    const first = dayOffset(DATA.firstDate, state.from);
    const days = last - first + 1;
    let trend = "";
    if (last - 7 >= first) {
      let before = 0;
      for (let d = last - 7; d < last; d++) before += onDay.get(d) || 0;
      const avg = before / 7;
      trend = `7-day average before: ${fmt(avg)}` +
        (avg ? ` (${((onDay.get(last) || 0) - avg) / avg >= 0 ? "+" : ""}` +
          `${Math.round((((onDay.get(last) || 0) - avg) / avg) * 100)}%)` : "");
    }
    const inSelection = DATA.titles.slice(1).filter(titleMatches);
    const withVideo = inSelection.filter((t) => t.video).length;
    const titleFilter = state.season || state.imprint;
    return {
      views: views, unmatched: unmatched, nfs: nfs, titlesWithViews: titlesWithViews.size,
      cards: [
        ["Views", fmt(views), `${days} metric date${days === 1 ? "" : "s"}, ${state.from} – ${state.to}` +
          (titleFilter ? "" : `; includes ${fmt(unmatched)} views of assets matched to no title, ` +
            "which the title charts leave out")],
        [`Views on ${state.to}`, fmt(onDay.get(last) || 0),
          trend ? `the last day of the range; ${trend}` : "the last day of the range"],
        ["Completion rate", pct(views ? completed / views : null), "completed views ÷ views"],
        ["Engagement rate", pct(views ? engagements / views : null),
          "likes, comments, shares ÷ views"],
        ["Watch time", `${fmt(watch / 3600)} h`, ""],
        ["Titles with views", `${fmt(titlesWithViews.size)} of ${fmt(inSelection.length)}`,
          `${fmt(withVideo)} have video (some of it not watched in the range)`],
        ["Video assets", fmt(DATA.nAssets),
          `${fmt(DATA.nUnmatchedAssets)} matched to no title; all dates, not filtered`],
      ],
    };
  }

  function summary(h, results) {
    const out = [];
    if (!h.views) return ["No video views are in the warehouse for this selection yet."];
    const titled = h.views - h.unmatched;
    const top = results["top-titles"];
    if (top.length) {
      const [, title, imprint, season, views] = top[0];
      out.push(`The most watched title is <b>${esc(title)}</b> (${esc(imprint || "–")}, ` +
        `${esc(season || "no season")}) with ${fmt(views)} views, ` +
        `${pct(views / titled)} of the views of titles.`);
    }
    const channels = results["channel-mix"];
    if (channels.length) {
      const [channel, views, completion] = channels[0];
      out.push(`<b>${esc(channelName(channel))}</b> is the biggest channel with ` +
        `${pct(views / titled, 0)} of the views of titles (completion ${pct(completion)}).`);
    }
    const countries = results["country-mix"];
    if (countries.length) {
      out.push(`Most views come from <b>${esc(countries[0][0])}</b> (${fmt(countries[0][1])}).`);
      if (h.nfs) {
        const shown = countries.reduce((s, r) => s + r[2], 0);
        out.push(`${fmt(h.nfs)} views were in a country where the asset may not play, ` +
          `counting every country; the red bars of the country chart show ${fmt(shown)} of ` +
          `them, its top ${DATA.top.countries} countries only.`);
      }
    }
    const seasons = results["season-comparison"];
    if (seasons.length) {
      const best = seasons.reduce((a, b) => (b[3] > a[3] ? b : a));
      out.push(`Of the recent seasons, <b>${esc(best[0])}</b> has the most views (${fmt(best[3])}).`);
    }
    if (!results["launch-curves"].length) out.push("There is no launch-window data yet.");
    return out;
  }

  function findings() {
    const ch = state.channel;
    return DATA.findings.filter((f) => {
      if (state.season || state.imprint) {
        const t = f.work === null ? null : titleById.get(f.work);
        if (!t || !titleMatches(t)) return false;
      }
      if (ch && f.channel !== ch) return false;
      if (f.first && (f.first > state.to || f.last < state.from)) return false;
      return true;
    });
  }
  const FINDING_COLUMNS = ["finding_type", "work_id", "title", "asset_id", "placement_id",
    "channel", "country", "views", "first_metric_date", "last_metric_date", "detail",
    "finding_id"];
  const findingRow = (f) => [f.type, f.work, f.title, f.asset, f.placement, f.channel, f.country,
    f.views, f.first, f.last, f.detail, f.id];

  function drawCompliance(list) {
    const byType = new Map();
    for (const f of list) {
      const a = byType.get(f.type) || [0, 0];
      a[0] += 1;
      a[1] += f.views || 0;
      byType.set(f.type, a);
    }
    const types = [...byType.keys()].sort((a, b) => byType.get(b)[0] - byType.get(a)[0] || byText(a, b));
    document.getElementById("compliance-counts").innerHTML = types.length
      ? "<table><thead><tr><th>finding</th><th>findings</th><th>views</th></tr></thead><tbody>" +
        types.map((t) => `<tr><td>${esc(t)}</td><td class="num">${fmt(byType.get(t)[0])}</td>` +
          `<td class="num">${fmt(byType.get(t)[1])}</td></tr>`).join("") + "</tbody></table>"
      : "";
    const top = list.slice(0, DATA.top.complianceRows);
    document.getElementById("compliance-top").innerHTML = top.length
      ? "<table><thead><tr><th>finding</th><th>title</th><th>channel</th><th>country</th>" +
        "<th>views</th><th>dates</th><th>detail</th></tr></thead><tbody>" +
        top.map((f) => `<tr><td>${esc(f.type)}</td><td>${esc(f.title || f.asset || "–")}</td>` +
          `<td>${esc(f.channel ? channelName(f.channel) : "–")}</td><td>${esc(f.country || "–")}</td>` +
          `<td class="num">${fmt(f.views)}</td><td>${f.first ? esc(f.first + " – " + f.last) : "–"}</td>` +
          `<td>${esc(f.detail || "")}</td></tr>`).join("") + "</tbody></table>"
      : "";
    document.getElementById("compliance-empty").hidden = list.length > 0;
    document.getElementById("compliance-note").textContent = list.length
      ? `${fmt(list.length)} finding${list.length === 1 ? "" : "s"} for this selection; the ` +
        `${Math.min(list.length, DATA.top.complianceRows)} with the most views below, every one ` +
        "in the CSV."
      : "";
    const link = document.querySelector('[data-section="compliance"] a.csv');
    setDownload(link, `compliance_${fileStem()}.csv`, csv(FINDING_COLUMNS, list.map(findingRow)));
    link.hidden = list.length === 0;
    document.querySelector('[data-section="compliance"] pre.sql').textContent = sqlFor("compliance");
  }

  // The launch-readiness table is rendered in the page (a state, not a series): the season and
  // imprint filters hide the other titles' rows and re-count the states.
  function drawReadiness() {
    const table = document.getElementById("readiness-rows");
    if (!table) return;
    const counts = new Map();
    let shown = 0;
    let risky = 0;
    for (const tr of table.tBodies[0].rows) {
      const keep = (!state.season || tr.dataset.season === state.season) &&
        (!state.imprint || tr.dataset.imprint === state.imprint);
      tr.hidden = !keep;
      if (!keep) continue;
      const atRisk = tr.classList.contains("at-risk");
      const c = counts.get(tr.dataset.state) || [0, 0];
      c[0] += 1;
      c[1] += atRisk ? 1 : 0;
      counts.set(tr.dataset.state, c);
      shown += 1;
      risky += atRisk ? 1 : 0;
    }
    for (const tr of document.getElementById("readiness-counts").tBodies[0].rows) {
      const c = counts.get(tr.dataset.state) || [0, 0];
      tr.querySelector("td.n").textContent = fmt(c[0]);
      tr.querySelector("td.risk").textContent = fmt(c[1]);
    }
    document.getElementById("readiness-note").textContent =
      `${fmt(risky)} of ${fmt(shown)} required deliverables at risk.`;
  }

  // ---- drawing ---------------------------------------------------------------------------------

  const CUBES = {};
  let titleById = new Map();

  function redraw() {
    const rows = {};
    for (const kind of Object.keys(CUBES)) rows[kind] = selected(CUBES[kind]);
    const results = {};
    for (const chart of CHARTS) {
      const kind = chart.cube || "titles";
      const data = CUBES[kind] ? chart.compute(CUBES[kind], rows[kind]) : [];
      results[chart.id] = data;
      const div = document.getElementById(chart.id);
      const empty = document.getElementById(chart.id + "-empty");
      const section = div.closest("section");
      section.querySelector("pre.sql").textContent = sqlFor(chart.id);
      const link = section.querySelector("a.csv");
      setDownload(link, `${chart.id}_${fileStem()}.csv`, csv(chart.columns, data));
      if (data.length) {
        const [traces, lay] = chart.draw(data);
        div.hidden = false;
        empty.hidden = true;
        link.hidden = false;
        Plotly.react(div, traces, lay, CONFIG);
      } else {
        Plotly.purge(div);
        div.hidden = true;
        empty.hidden = false;
        link.hidden = true;
      }
    }
    const h = CUBES.titles
      ? headline(CUBES.titles, rows.titles, CUBES.countries, rows.countries) : null;
    document.getElementById("headline").innerHTML = h
      ? h.cards.map(([label, value, note]) => `<div class="card"><div class="label">${esc(label)}` +
        `</div><div class="value">${esc(value)}</div><div class="note">${esc(note)}</div></div>`)
        .join("")
      : "";
    document.getElementById("summary").innerHTML = (h ? summary(h, results)
      : ["No video views are in the warehouse yet."]).map((s) => `<li>${s}</li>`).join("");
    drawCompliance(findings());
    drawReadiness();
    document.body.dataset.drawn = String(Number(document.body.dataset.drawn || 0) + 1);
  }

  function setUpFilters() {
    const form = document.getElementById("filters");
    const fill = (name, values, label) => {
      const select = form.elements[name];
      for (const v of values) select.add(new Option(label ? label(v) : v, v));
    };
    fill("season", DATA.seasons);
    fill("imprint", DATA.imprints);
    fill("channel", DATA.channels, channelName);
    for (const name of ["from", "to"]) {
      const input = form.elements[name];
      input.min = DATA.firstDate || "";
      input.max = DATA.lastDate || "";
      input.value = state[name] || "";
    }
    form.addEventListener("change", () => {
      state.season = form.elements.season.value;
      state.imprint = form.elements.imprint.value;
      state.channel = form.elements.channel.value;
      let from = form.elements.from.value || DATA.firstDate;
      let to = form.elements.to.value || DATA.lastDate;
      if (from > to) [from, to] = [to, from];
      state.from = from < DATA.firstDate ? DATA.firstDate : from;
      state.to = to > DATA.lastDate ? DATA.lastDate : to;
      redraw();
    });
    form.addEventListener("reset", () => {
      setTimeout(() => {
        form.elements.from.value = DATA.firstDate;
        form.elements.to.value = DATA.lastDate;
        form.dispatchEvent(new Event("change"));
      });
    });
    if (!DATA.firstDate) form.hidden = true;
  }

  async function main() {
    const packed = JSON.parse(new TextDecoder().decode(await gunzip(DATA.packed)));
    DATA.titles = packed.titles;
    DATA.findings = packed.findings;
    titleById = new Map(DATA.titles.filter((t) => t.id !== null).map((t) => [t.id, t]));
    for (const [kind, c] of Object.entries(DATA.cubes || {})) {
      CUBES[kind] = cube(kind, await gunzip(c.data), c.rows);
    }
    setUpFilters();
    redraw();
  }

  main().catch((err) => {
    document.getElementById("summary").innerHTML =
      `<li class="error">The report could not be drawn: ${esc(err && err.message)}</li>`;
    throw err;
  });
})();
