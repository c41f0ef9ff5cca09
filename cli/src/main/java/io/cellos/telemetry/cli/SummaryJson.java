package io.cellos.telemetry.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cellos.telemetry.guest.linux.SyscallTable;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.WaitStatus;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The summary as JSON, for a machine: one object of schema {@value #SCHEMA}, documented in
 * {@code docs/summary.md}. Every list is whole (nothing is cut or collapsed, unlike the text), the
 * process tree nested as the events built it.
 */
final class SummaryJson {
    static final String SCHEMA = "cellos.cell-summary/1";

    private SummaryJson() {
    }

    static void write(OutputStream out, CellReport r, RunFacts f) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("schema", SCHEMA);
            g.writeStringField("cell_id", f.cellId());
            g.writeStringField("run_id", f.runId());
            g.writeStringField("started_at", f.started().toString());
            g.writeStringField("ended_at", f.ended().toString());
            g.writeNumberField("duration_ms", f.duration().toNanos() / 1e6);
            g.writeStringField("isolation", f.isolation());
            g.writeStringField("agent", f.agent());
            g.writeStringField("event_log", f.eventLog());
            workload(g, r);
            g.writeFieldName("processes");
            process(g, r.root());
            events(g, "connections", r.connections(), e -> {
                g.writeStringField("peer", e.extensions().peer());
                optional(g, "host", e.extensions().host());
            });
            events(g, "raw_sockets", r.rawSockets(), e -> g.writeStringField("socket", e.extensions().socket()));
            events(g, "files", r.files(), e -> g.writeStringField("path", e.extensions().path()));
            events(g, "denials", r.denials(), e -> {
                if (e.extensions().syscall() != null) {
                    g.writeNumberField("syscall", e.extensions().syscall());
                    optional(g, "syscall_name", SyscallTable.name(e.extensions().syscall()));
                }
                if (e.extensions().capability() != null) {
                    g.writeNumberField("capability", e.extensions().capability());
                }
            });
            strings(g, "tampering", r.tampered());
            strings(g, "channels_refused", r.refusedChannels());
            g.writeObjectFieldStart("drops");
            g.writeNumberField("guest", r.agentDropped());
            g.writeNumberField("host", r.hostDropped());
            g.writeNumberField("agent_silenced", r.silenced());
            g.writeEndObject();
            g.writeNumberField("events", r.events());
            g.writeEndObject();
        }
    }

    private static void workload(JsonGenerator g, CellReport r) throws IOException {
        g.writeObjectFieldStart("workload");
        strings(g, "argv", r.workload());
        g.writeStringField("status", r.status());
        g.writeBooleanField("reported", r.reported().isPresent());
        if (r.reported().isPresent()) {
            status(g, r.reported().get());
            g.writeNumberField("shell_status", r.reported().get().shellStatus());
        } else {
            g.writeNumberField("init_status", r.initStatus());
        }
        if (r.unstarted() != null) {
            g.writeStringField("never_started", r.whyUnstarted());
            g.writeFieldName("unstarted_child");
            process(g, r.unstarted());
        }
        g.writeEndObject();
    }

    private static void process(JsonGenerator g, CellReport.Process p) throws IOException {
        g.writeStartObject();
        g.writeNumberField("pid", p.pid());
        g.writeStringField("comm", p.comm());
        optional(g, "exe", p.path());
        if (p.startNs() >= 0) {
            g.writeNumberField("start_ns", p.startNs());
        }
        if (p.endNs() >= 0) {
            g.writeNumberField("end_ns", p.endNs());
        }
        if (p.millis() >= 0) {
            g.writeNumberField("duration_ms", p.millis());
        }
        if (p.status() != null) {
            g.writeStringField("status", p.status().toString());
            status(g, p.status());
        }
        g.writeArrayFieldStart("children");
        for (CellReport.Process c : p.children()) {
            process(g, c);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** {@code exit_code}, or {@code signal} with {@code signal_name} and {@code core_dumped}. */
    private static void status(JsonGenerator g, WaitStatus s) throws IOException {
        if (s.exited()) {
            g.writeNumberField("exit_code", s.code());
        } else if (s.isTermination()) {
            g.writeNumberField("signal", s.signal());
            optional(g, "signal_name", WaitStatus.signalName(s.signal()));
            g.writeBooleanField("core_dumped", s.coreDumped());
        }
    }

    private interface Fields {
        void write(ProbeEvent e) throws IOException;
    }

    /** Each event: pid, comm, exe and sha256 when known, then its own fields. */
    private static void events(JsonGenerator g, String name, List<ProbeEvent> events, Fields own) throws IOException {
        g.writeArrayFieldStart(name);
        for (ProbeEvent e : events) {
            g.writeStartObject();
            g.writeNumberField("pid", e.guestPid());
            g.writeStringField("comm", e.guestComm());
            g.writeNumberField("at_ns", e.guestMonotonicNs());
            optional(g, "exe", e.extensions().exe());
            optional(g, "sha256", e.extensions().sha256());
            own.write(e);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void optional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
