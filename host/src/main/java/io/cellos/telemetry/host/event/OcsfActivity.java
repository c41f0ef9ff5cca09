package io.cellos.telemetry.host.event;

import io.cellos.telemetry.wire.ProbeSource;

/**
 * Where an event lands in OCSF 1.8 (protocol.md §7.10): its class, its activity and its severity.
 * The table of that section is this class; {@link #of} is the one place that decides it.
 *
 * @param ocsfClass  the event class
 * @param id         {@code activity_id}, one of the class's activities (99, Other, where none fits)
 * @param name       {@code activity_name}: the class's caption of the activity, or for Other what
 *                   the event is
 * @param severityId {@code severity_id}: 1 Informational, 3 Medium, 4 High
 */
record OcsfActivity(OcsfClass ocsfClass, int id, String name, int severityId) {
    static final int OTHER = 99;
    static final int INFORMATIONAL = 1;
    static final int MEDIUM = 3;
    static final int HIGH = 4;

    /** {@code type_uid}: the class's uid times 100, plus the activity's. */
    long typeUid() {
        return ocsfClass.uid() * 100L + id;
    }

    /** {@code type_name}: the class's caption and the activity's, {@code Process Activity: Launch}. */
    String typeName() {
        return ocsfClass.caption() + ": " + name;
    }

    /** {@code severity}: the caption of {@link #severityId}. */
    String severity() {
        return switch (severityId) {
            case INFORMATIONAL -> "Informational";
            case MEDIUM -> "Medium";
            case HIGH -> "High";
            default -> throw new IllegalStateException("severity_id " + severityId + " is not used here");
        };
    }

    private static final OcsfActivity LAUNCH = new OcsfActivity(OcsfClass.PROCESS_ACTIVITY, 1, "Launch", INFORMATIONAL);
    private static final OcsfActivity TERMINATE =
            new OcsfActivity(OcsfClass.PROCESS_ACTIVITY, 2, "Terminate", INFORMATIONAL);
    private static final OcsfActivity OPEN = new OcsfActivity(OcsfClass.NETWORK_ACTIVITY, 1, "Open", INFORMATIONAL);
    private static final OcsfActivity RAW_SOCKET =
            new OcsfActivity(OcsfClass.NETWORK_ACTIVITY, OTHER, "Raw Socket Opened", MEDIUM);
    private static final OcsfActivity REFUSE = new OcsfActivity(OcsfClass.NETWORK_ACTIVITY, 5, "Refuse", MEDIUM);
    private static final OcsfActivity UPDATE =
            new OcsfActivity(OcsfClass.FILE_SYSTEM_ACTIVITY, 3, "Update", INFORMATIONAL);
    private static final OcsfActivity INVOKE = new OcsfActivity(OcsfClass.KERNEL_ACTIVITY, 4, "Invoke", MEDIUM);
    private static final OcsfActivity FINDING = new OcsfActivity(OcsfClass.DETECTION_FINDING, 1, "Create", HIGH);
    private static final OcsfActivity NOTHING_DROPPED =
            new OcsfActivity(OcsfClass.BASE_EVENT, OTHER, "Telemetry Dropped", INFORMATIONAL);
    private static final OcsfActivity DROPPED = new OcsfActivity(OcsfClass.BASE_EVENT, OTHER, "Telemetry Dropped", MEDIUM);
    private static final OcsfActivity CLOSED =
            new OcsfActivity(OcsfClass.BASE_EVENT, OTHER, "Record Closed", INFORMATIONAL);
    private static final OcsfActivity HEARTBEAT =
            new OcsfActivity(OcsfClass.BASE_EVENT, OTHER, "Agent Heartbeat", INFORMATIONAL);

    /** Where the event that says {@code facts} lands. */
    static OcsfActivity of(EventFacts facts) {
        return switch (facts) {
            case EventFacts.Guest g -> ofGuest(g.probe().source(), g.probe().extensions().droppedTotal());
            case EventFacts.AgentSilenced s -> FINDING;
            case EventFacts.ChannelRefused r -> REFUSE;
            case EventFacts.RecordClosed c -> CLOSED;
            case EventFacts.HostDropped d -> dropped(d.total());
            case EventFacts.SinkDropped d -> dropped(d.total());
        };
    }

    private static OcsfActivity ofGuest(ProbeSource source, Long droppedTotal) {
        return switch (source) {
            case PROCESS_SPAWNED, PROCESS_EXEC -> LAUNCH;
            case PROCESS_EXITED -> TERMINATE;
            case NET_CONNECT_ATTEMPTED -> OPEN;
            case NET_RAW_SOCKET_OPENED -> RAW_SOCKET;
            case FS_INOTIFY_FIRED -> UPDATE;
            case CAPABILITY_DENIED -> INVOKE;
            case AGENT_TAMPERED -> FINDING;
            case TELEMETRY_DROPPED -> dropped(droppedTotal == null ? 0 : droppedTotal);
            case AGENT_HEARTBEAT -> HEARTBEAT;
        };
    }

    /** A drop report: Informational while nothing was lost, Medium once anything was. */
    private static OcsfActivity dropped(long total) {
        return total == 0 ? NOTHING_DROPPED : DROPPED;
    }
}
