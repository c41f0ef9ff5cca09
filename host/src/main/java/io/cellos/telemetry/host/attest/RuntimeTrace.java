package io.cellos.telemetry.host.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellos.telemetry.host.event.EventProjector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An in-toto Statement v1 with the Runtime Trace v0.2 predicate
 * ({@value #PREDICATE_TYPE}) made from one cell's CloudEvents, as the receiver writes them
 * (protocol.md §7): what the trace says is what the events say, and nothing is taken from anywhere
 * else but the digests of the declared files ({@code fileDigest}) and the subjects the caller names.
 *
 * <ul>
 *   <li>{@code monitor}: {@value #MONITOR_TYPE}, with the probe sources the events came from as its
 *       {@code tracePolicy};</li>
 *   <li>{@code monitoredProcess}: {@code hostID} the cell's CloudEvents source
 *       ({@code urn:cellos:cell:<cell>}), {@code type} {@value #PROCESS_TYPE}, {@code event} the
 *       invocation the caller names (a CI run's URI) or {@code urn:cellos:run:<run_id>};</li>
 *   <li>{@code monitorLog.process}: each process, in the order it appeared — {@code pid},
 *       {@code parentPid}, {@code comm}, {@code processBinary} and {@code commandLine} and
 *       {@code sha256} from its exec, {@code exitStatus} or {@code exitSignal}, {@code startedOn},
 *       {@code endedOn} (when the host received those events);</li>
 *   <li>{@code monitorLog.network}: each connect — {@code ip} and {@code port} for an IP peer,
 *       {@code protocol} ({@link #protocol}), {@code hostname} from the event's {@code host},
 *       {@code invokingProcess} ({@code pid}, {@code comm}, {@code exe}, {@code sha256}), and the
 *       peer as the agent wrote it, {@code cellosPeer} (a UNIX socket's {@code unix:PATH} has no
 *       IP);</li>
 *   <li>{@code monitorLog.fileAccess}: each declared file touched, a ResourceDescriptor with its
 *       {@code name}, its {@code sha256} digest now (at the end of the run) when it can be read, and
 *       who touched it in {@code annotations};</li>
 *   <li>extension fields: {@code cellosRawSockets}, {@code cellosDenials}, {@code cellosTampering},
 *       and {@code cellosDrops} ({@code guestDroppedTotal}, the agent's last count, and
 *       {@code agentSilenced}), so that a trace that lost events says so;</li>
 *   <li>{@code metadata.buildStartedOn} / {@code buildFinishedOn}: the first and last event's time.</li>
 * </ul>
 */
public final class RuntimeTrace {
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://in-toto.io/attestation/runtime-trace/v0.2";
    public static final String MONITOR_TYPE = "urn:cellos:telemetry:agent:1";
    public static final String PROCESS_TYPE = "urn:cellos:cell-run:1";
    /** The {@code protocol} of a connection to a UNIX-domain socket. */
    public static final String UNIX = "unix";
    /** The {@code protocol} of a connection whose protocol the events do not say. */
    public static final String UNKNOWN = "unknown";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A subject of the statement: a name and the SHA-256 of its content, 64 lowercase hex digits. */
    public record Subject(String name, String sha256) {
    }

    private RuntimeTrace() {
    }

    /**
     * The statement for cell {@code cellId}'s events among {@code events}.
     *
     * @param subjects   the statement's subjects; when empty, the declared files touched that could
     *                   be hashed
     * @param invocation the {@code monitoredProcess.event}, or null for the run id
     * @param fileDigest the SHA-256 of a declared file's content now, or null when it cannot be read
     * @throws IllegalArgumentException if the cell has no event, or there is no subject at all
     */
    public static ObjectNode statement(List<JsonNode> events, String cellId, List<Subject> subjects, String invocation,
                                       Function<String, String> fileDigest) {
        List<JsonNode> cell = events.stream().filter(e -> cellId.equals(e.path("data").path("cell_id").asText())).toList();
        if (cell.isEmpty()) {
            throw new IllegalArgumentException("no event of cell '" + cellId + "'");
        }
        Map<Long, ObjectNode> processes = new LinkedHashMap<>();
        ArrayNode network = JSON.createArrayNode();
        ArrayNode files = JSON.createArrayNode();
        ArrayNode rawSockets = JSON.createArrayNode();
        ArrayNode denials = JSON.createArrayNode();
        ArrayNode tampering = JSON.createArrayNode();
        TreeSet<String> sources = new TreeSet<>();
        Map<String, String> digests = new LinkedHashMap<>();
        long dropped = 0;
        int silenced = 0;
        String first = null;
        String last = null;
        for (JsonNode e : cell) {
            String type = e.path("type").asText();
            String time = e.path("time").asText();
            first = first == null ? time : first;
            last = time;
            JsonNode d = e.path("data");
            if (type.equals(EventProjector.TYPE_SILENCED)) {
                silenced++;
            }
            if (!type.startsWith(EventProjector.TYPE_PREFIX) || "host".equals(d.path("origin").asText(null))) {
                continue; // the receiver's own events (protocol.md §7.3-§7.11) came from no probe
            }
            String source = type.substring(EventProjector.TYPE_PREFIX.length());
            sources.add(source);
            long pid = d.path("guest_pid").asLong();
            switch (source) {
                case "process.spawned" -> {
                    ObjectNode p = process(processes, pid, d);
                    if (d.has("parent_pid")) {
                        p.put("parentPid", d.get("parent_pid").asLong());
                    }
                    p.put("startedOn", time);
                }
                case "process.exec" -> {
                    ObjectNode p = process(processes, pid, d);
                    p.put("comm", d.path("guest_comm").asText());
                    copy(d, "path", p, "processBinary");
                    copy(d, "cmdline", p, "commandLine");
                    copy(d, "sha256", p, "sha256");
                }
                case "process.exited" -> {
                    ObjectNode p = process(processes, pid, d);
                    copy(d, "exit_status", p, "exitStatus");
                    copy(d, "exit_signal", p, "exitSignal");
                    copy(d, "exit_signal_name", p, "exitSignalName");
                    p.put("endedOn", time);
                }
                case "net.connect_attempted" -> network.add(connection(d, time));
                case "net.raw_socket_opened" -> {
                    ObjectNode r = who(d, time);
                    copy(d, "socket", r, "socket");
                    rawSockets.add(r);
                }
                case "fs.inotify_fired" -> {
                    String path = d.path("path").asText(null);
                    ObjectNode f = files.addObject();
                    if (path != null) {
                        f.put("name", path);
                        String digest = digests.computeIfAbsent(path, fileDigest);
                        if (digest != null) {
                            f.putObject("digest").put("sha256", digest);
                        }
                    }
                    f.set("annotations", who(d, time));
                }
                case "capability.denied" -> {
                    ObjectNode r = who(d, time);
                    copy(d, "syscall", r, "syscall");
                    copy(d, "capability", r, "capability");
                    denials.add(r);
                }
                case "agent.tampered" -> tampering.add(d.path("what").asText(""));
                case "telemetry.dropped" -> dropped = Math.max(dropped, d.path("dropped_total").asLong());
                default -> {
                }
            }
        }
        List<Subject> named = subjects.isEmpty() ? digests.entrySet().stream().filter(x -> x.getValue() != null)
                .map(x -> new Subject(x.getKey(), x.getValue())).toList() : subjects;
        if (named.isEmpty()) {
            throw new IllegalArgumentException("the statement needs a subject: name one with --subject (no declared "
                    + "file of the cell could be hashed)");
        }
        JsonNode any = cell.getFirst();
        ObjectNode st = JSON.createObjectNode();
        st.put("_type", STATEMENT_TYPE);
        ArrayNode subjectArray = st.putArray("subject");
        for (Subject s : named) {
            subjectArray.addObject().put("name", s.name()).putObject("digest").put("sha256", s.sha256());
        }
        st.put("predicateType", PREDICATE_TYPE);
        ObjectNode pr = st.putObject("predicate");
        ObjectNode monitor = pr.putObject("monitor");
        monitor.put("type", MONITOR_TYPE);
        ArrayNode policy = monitor.putObject("tracePolicy").putArray("sources");
        sources.forEach(policy::add);
        ObjectNode mp = pr.putObject("monitoredProcess");
        mp.put("hostID", any.path("source").asText("urn:cellos:cell:" + cellId));
        mp.put("type", PROCESS_TYPE);
        mp.put("event", invocation != null ? invocation : "urn:cellos:run:" + any.path("data").path("run_id").asText());
        ObjectNode log = pr.putObject("monitorLog");
        ArrayNode procs = log.putArray("process");
        processes.values().forEach(procs::add);
        log.set("network", network);
        log.set("fileAccess", files);
        pr.set("cellosRawSockets", rawSockets);
        pr.set("cellosDenials", denials);
        pr.set("cellosTampering", tampering);
        ObjectNode drops = pr.putObject("cellosDrops");
        drops.put("guestDroppedTotal", dropped);
        drops.put("agentSilenced", silenced);
        ObjectNode meta = pr.putObject("metadata");
        meta.put("buildStartedOn", first);
        meta.put("buildFinishedOn", last);
        return st;
    }

    private static ObjectNode process(Map<Long, ObjectNode> processes, long pid, JsonNode d) {
        return processes.computeIfAbsent(pid, k -> {
            ObjectNode p = JSON.createObjectNode();
            p.put("pid", pid);
            p.put("comm", d.path("guest_comm").asText());
            return p;
        });
    }

    /** The process of an event: pid, comm, exe and sha256 when known, and when the host received it. */
    private static ObjectNode who(JsonNode d, String time) {
        ObjectNode w = JSON.createObjectNode();
        w.put("pid", d.path("guest_pid").asLong());
        w.put("comm", d.path("guest_comm").asText());
        copy(d, "exe", w, "exe");
        copy(d, "sha256", w, "sha256");
        w.put("observedOn", time);
        return w;
    }

    private static ObjectNode connection(JsonNode d, String time) {
        ObjectNode n = JSON.createObjectNode();
        String peer = d.path("peer").asText("");
        int colon = peer.lastIndexOf(':');
        if (!peer.startsWith("unix:") && colon > 0) {
            String host = peer.substring(0, colon);
            n.put("ip", host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
            try {
                n.put("port", Integer.parseInt(peer.substring(colon + 1)));
            } catch (NumberFormatException notAPort) {
                n.remove("ip"); // not the agent's form: leave it to cellosPeer
            }
        }
        n.put("protocol", protocol(d, peer));
        copy(d, "host", n, "hostname");
        n.put("cellosPeer", peer);
        n.set("invokingProcess", who(d, time));
        return n;
    }

    /**
     * A connection's {@code protocol}, only as far as the event tells it: the event's own
     * {@code protocol} key when it has one (protocol.md §4: {@code tcp}, {@code udp}, {@code unix},
     * or an IP protocol's number; the eBPF mechanism sends it), else {@value #UNIX} for a UNIX-domain
     * peer ({@code unix:PATH}, {@code unix:@NAME}) and {@value #UNKNOWN} for every other: audit does
     * not say whether an IP connect was TCP or UDP, and a guess would be a claim the trace cannot back.
     */
    static String protocol(JsonNode data, String peer) {
        String sent = data.path("protocol").textValue();
        if (sent != null && !sent.isEmpty()) {
            return sent;
        }
        return peer.startsWith("unix:") ? UNIX : UNKNOWN;
    }

    private static void copy(JsonNode from, String name, ObjectNode to, String as) {
        JsonNode v = from.get(name);
        if (v != null && !v.isNull()) {
            to.set(as, v);
        }
    }

    /** Parses {@code NAME=sha256:HEX}; null when {@code text} is not of that form. */
    public static Subject parseSubject(String text) {
        int eq = text.lastIndexOf("=sha256:");
        if (eq <= 0) {
            return null;
        }
        String hex = text.substring(eq + "=sha256:".length());
        return hex.matches("[0-9a-f]{64}") ? new Subject(text.substring(0, eq), hex) : null;
    }

    /** The statement's subjects, for people: {@code name sha256:HEX}, one per element. */
    public static List<String> describeSubjects(JsonNode statement) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : statement.path("subject")) {
            out.add(s.path("name").asText() + " sha256:" + s.path("digest").path("sha256").asText());
        }
        return out;
    }
}
