package io.cellos.telemetry.guest.linux;

import java.util.Map;

/**
 * One tracepoint as tracefs describes it ({@code events/<category>/<name>/id} and {@code format}):
 * the id {@code perf_event_open} attaches to, and where each field lies in the record a
 * {@code BPF_PROG_TYPE_TRACEPOINT} program gets as its context. The layout is read from the running
 * kernel, not assumed: it changes between versions ({@code sched_process_fork}'s comms became
 * {@code __data_loc} strings, {@code sched_process_exit} gained {@code group_dead}).
 *
 * @param name   {@code "sched/sched_process_exec"}
 * @param id     the tracepoint's id
 * @param fields each field's offset and size in bytes, by name
 */
public record TraceEvent(String name, int id, Map<String, Field> fields) {
    /** A field of the record: {@code offset} from its start, {@code size} in bytes. */
    public record Field(int offset, int size) {
    }

    public TraceEvent {
        fields = Map.copyOf(fields);
    }

    /**
     * The field {@code field}, which must be {@code size} bytes.
     *
     * @throws IllegalStateException if this kernel's record has no such field, or one of another size
     */
    public Field field(String field, int size) {
        Field f = fields.get(field);
        if (f == null || f.size() != size) {
            throw new IllegalStateException("tracepoint " + name + " has " + (f == null ? "no field " + field
                    : "field " + field + " of " + f.size() + " bytes, not " + size) + " on this kernel");
        }
        return f;
    }

    /** Whether this kernel's record has {@code field}. */
    public boolean has(String field) {
        return fields.containsKey(field);
    }
}
