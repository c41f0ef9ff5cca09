package io.cellos.telemetry.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The summary as one self-contained HTML page, a picture of the run: the run's facts and its drops
 * at the top, then the process tree as a timeline — each process a bar from spawn to exit,
 * coloured by how it ended, with its connections, raw sockets, file events and denials marked on
 * it at their time — and the lists below. Children of one parent that run the same program
 * {@value CellReport#GROUP_AT} times or more share one row spanning them all, as in the text,
 * so a build of 10,000 processes stays a page of rows, not of bars.
 *
 * <p>Nothing is fetched when the page is viewed: the style, the script and the data
 * ({@link SummaryJson}'s, in a {@code <script type="application/json">} element with {@code <}
 * escaped so that no text of the guest's can close it) are in the file. The script renders with
 * the DOM's text nodes only (no {@code innerHTML} of data), and shows any error it meets in the
 * page's {@code #errors}.
 */
final class SummaryHtml {
    private SummaryHtml() {
    }

    static void write(OutputStream out, CellReport r, RunFacts f) throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        SummaryJson.write(json, r, f);
        String data = json.toString(StandardCharsets.UTF_8).replace("<", "\\u003c").replace("\u2028", "\\u2028")
                .replace("\u2029", "\\u2029");
        String page = PAGE.replace("@GROUP_AT@", Integer.toString(CellReport.GROUP_AT)).replace("@DATA@", data);
        out.write(page.getBytes(StandardCharsets.UTF_8));
    }

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
            <title>cellos cell run</title>
            <style>
            body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
            h1{font-size:18px;margin:0 0 8px} h2{font-size:15px;margin:18px 0 6px}
            table.facts td{padding:1px 10px 1px 0;vertical-align:top}
            .drops{font-weight:bold} .drops.lost{color:#b00}
            #timeline{border:1px solid #ccc;overflow-x:auto}
            .row{display:flex;align-items:center;height:20px;border-bottom:1px solid #f0f0f0}
            .label{width:360px;min-width:360px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;padding-left:4px}
            .lane{position:relative;flex:1;height:14px;min-width:600px}
            .bar{position:absolute;height:14px;border-radius:2px;min-width:2px}
            .ok{background:#4a4} .fail{background:#d33} .signal{background:#a3c} .unknown{background:#999}
            .mark{position:absolute;top:-2px;width:6px;height:18px;border-radius:1px;opacity:.9}
            .m-connection{background:#06c} .m-raw{background:#f80} .m-file{background:#0aa} .m-denial{background:#000}
            .legend span{display:inline-block;margin-right:12px} .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
            #errors{color:#b00}
            ul{margin:4px 0 4px 18px;padding:0}
            </style></head>
            <body>
            <h1>cellos cell <span id="cell"></span>, run <span id="run"></span></h1>
            <div id="errors"></div>
            <table class="facts"><tbody id="facts"></tbody></table>
            <p class="legend"><span><i class="ok"></i>exit 0</span><span><i class="fail"></i>exit non-zero</span><span><i class="signal"></i>killed by a signal</span><span><i class="unknown"></i>running or end unseen</span><span><i class="m-connection"></i>connection</span><span><i class="m-raw"></i>raw socket</span><span><i class="m-file"></i>declared file</span><span><i class="m-denial"></i>denial</span></p>
            <h2>Processes: <span id="count-processes"></span> (<span id="count-rows"></span> rows)</h2>
            <div id="timeline"></div>
            <h2>Connections attempted: <span id="count-connections"></span></h2><ul id="connections"></ul>
            <h2>Raw and packet sockets opened: <span id="count-raw-sockets"></span></h2><ul id="raw-sockets"></ul>
            <h2>Declared files touched: <span id="count-files"></span></h2><ul id="files"></ul>
            <h2>Denied: <span id="count-denials"></span></h2><ul id="denials"></ul>
            <h2>Tampering with the agent's observation: <span id="count-tampering"></span></h2><ul id="tampering"></ul>
            <script type="application/json" id="data">@DATA@</script>
            <script>
            "use strict";
            window.onerror = function (msg, src, line) {
              var e = document.getElementById("errors");
              e.appendChild(document.createTextNode("error: " + msg + " (line " + line + ") "));
            };
            (function () {
              var GROUP_AT = @GROUP_AT@;
              var d = JSON.parse(document.getElementById("data").textContent);
              function el(tag, cls, text) {
                var e = document.createElement(tag);
                if (cls) e.className = cls;
                if (text !== undefined) e.appendChild(document.createTextNode(String(text)));
                return e;
              }
              function set(id, text) { document.getElementById(id).appendChild(document.createTextNode(String(text))); }
              function name(p) { return p.exe ? p.comm + " (" + p.exe + ")" : p.comm; }
              function ending(p) {
                if (p.exit_code !== undefined) return p.exit_code === 0 ? "ok" : "fail";
                if (p.signal !== undefined) return "signal";
                return "unknown";
              }
              set("cell", d.cell_id); set("run", d.run_id);
              var facts = document.getElementById("facts");
              function fact(k, v, cls) {
                var tr = el("tr"); tr.appendChild(el("td", null, k)); tr.appendChild(el("td", cls, v)); facts.appendChild(tr);
              }
              var lost = d.drops.guest + d.drops.host;
              fact("drops", d.drops.guest + " events dropped in the guest, " + d.drops.host + " frames refused by the host"
                + (d.drops.agent_silenced ? ", the agent went silent " + d.drops.agent_silenced + " times" : "")
                + (lost ? ": this picture is missing events" : ": nothing lost"), "drops" + (lost ? " lost" : ""));
              fact("workload", d.workload.argv.join(" "));
              fact("status", d.workload.status + (d.workload.never_started ? " (" + d.workload.never_started + ": it never started)" : ""));
              fact("duration", (d.duration_ms / 1000).toFixed(1) + " s (" + d.started_at + " to " + d.ended_at + ")");
              fact("agent", d.agent);
              fact("events", d.events + " (" + d.event_log + ")");

              // the timeline's span: every process's start and end, every event's time
              var lo = Infinity, hi = -Infinity, total = 0;
              (function walk(p) {
                total++;
                if (p.start_ns !== undefined) { lo = Math.min(lo, p.start_ns); hi = Math.max(hi, p.start_ns); }
                if (p.end_ns !== undefined) { lo = Math.min(lo, p.end_ns); hi = Math.max(hi, p.end_ns); }
                p.children.forEach(walk);
              })(d.processes);
              var kinds = [["connections", "m-connection"], ["raw_sockets", "m-raw"], ["files", "m-file"], ["denials", "m-denial"]];
              var marks = {};
              kinds.forEach(function (k) {
                d[k[0]].forEach(function (e) {
                  if (e.at_ns !== undefined) { lo = Math.min(lo, e.at_ns); hi = Math.max(hi, e.at_ns); }
                  (marks[e.pid] = marks[e.pid] || []).push({ at: e.at_ns, cls: k[1], what: e.peer || e.socket || e.path || e.syscall_name || ("capability " + e.capability) });
                });
              });
              if (!isFinite(lo)) { lo = 0; hi = 1; }
              var span = Math.max(1, hi - lo);
              function pct(ns) { return ((ns - lo) / span * 100).toFixed(3) + "%"; }
              var timeline = document.getElementById("timeline"), rows = 0;
              function row(label, depth, bars, pids) {
                var r = el("div", "row"), l = el("div", "label", label), lane = el("div", "lane");
                l.style.paddingLeft = (4 + depth * 14) + "px";
                l.title = label;
                bars.forEach(function (b) {
                  var bar = el("div", "bar " + b.cls);
                  var s = b.start !== undefined ? b.start : lo, e = b.end !== undefined ? b.end : hi;
                  bar.style.left = pct(s); bar.style.width = "calc(" + pct(e) + " - " + pct(s) + ")";
                  bar.title = b.title; lane.appendChild(bar);
                });
                pids.forEach(function (pid) {
                  (marks[pid] || []).forEach(function (m) {
                    var mk = el("div", "mark " + m.cls); mk.style.left = pct(m.at !== undefined ? m.at : lo); mk.title = m.what;
                    lane.appendChild(mk);
                  });
                });
                r.appendChild(l); r.appendChild(lane); timeline.appendChild(r); rows++;
              }
              function bar(p) {
                var t = name(p) + ", pid " + p.pid + ", " + (p.status || "running or end unseen")
                  + (p.duration_ms !== undefined ? ", " + p.duration_ms.toFixed(1) + " ms" : "");
                return { start: p.start_ns, end: p.end_ns, cls: ending(p), title: t };
              }
              function tree(children, depth) {
                var groups = [], byName = {};
                children.forEach(function (c) {
                  var n = name(c);
                  if (!byName[n]) { byName[n] = []; groups.push(n); }
                  byName[n].push(c);
                });
                groups.forEach(function (n) {
                  var members = byName[n];
                  if (members.length >= GROUP_AT) {
                    var endings = {};
                    members.forEach(function (c) { var s = c.status || "running or unknown"; endings[s] = (endings[s] || 0) + 1; });
                    var text = Object.keys(endings).sort().map(function (k) { return k + "=" + endings[k]; }).join(", ");
                    row("└─ " + n + " ×" + members.length + " {" + text + "}", depth, members.map(bar),
                      members.map(function (c) { return c.pid; }));
                    return;
                  }
                  members.forEach(function (c) {
                    row("└─ " + name(c) + ", pid " + c.pid + ", " + (c.status || "running or end unseen"), depth, [bar(c)], [c.pid]);
                    tree(c.children, depth + 1);
                  });
                });
              }
              row("init, pid " + d.processes.pid + ", " + (d.processes.status || "running or end unseen"), 0, [bar(d.processes)], [d.processes.pid]);
              tree(d.processes.children, 1);
              set("count-processes", total); set("count-rows", rows);
              function list(id, items, text) {
                set("count-" + id, items.length);
                var ul = document.getElementById(id);
                items.slice(0, 500).forEach(function (e) { ul.appendChild(el("li", null, text(e))); });
                if (items.length > 500) ul.appendChild(el("li", null, "… " + (items.length - 500) + " more in the event log"));
              }
              function who(e) { return e.comm + " (pid " + e.pid + (e.exe ? ", " + e.exe : "") + ")"; }
              list("connections", d.connections, function (e) { return who(e) + " -> " + e.peer + (e.host ? " (" + e.host + ")" : ""); });
              list("raw-sockets", d.raw_sockets, function (e) { return who(e) + " opened " + e.socket; });
              list("files", d.files, function (e) { return e.path + " by " + who(e); });
              list("denials", d.denials, function (e) { return who(e) + " refused " + (e.syscall_name || (e.syscall !== undefined ? "syscall " + e.syscall : "capability " + e.capability)); });
              list("tampering", d.tampering, function (t) { return t; });
            })();
            </script>
            </body></html>
            """;
}
