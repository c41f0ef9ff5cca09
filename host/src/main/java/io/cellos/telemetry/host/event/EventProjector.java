package io.cellos.telemetry.host.event;

import io.cellos.telemetry.host.sign.ChainLinks;
import io.cellos.telemetry.host.sign.EventChain;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Turns what one cell's guest sent, and what its host witnessed, into CloudEvents (protocol.md §7),
 * each handed on with the cell's stamp and what it says, typed ({@link CellEvent}): the
 * {@link EventFacts} are the one home of the values, and the {@code data} JSON is written from them
 * in the projector's {@link EventFormat}, chosen once for the cell.
 *
 * <p>Guest fields are copied from the decoded frame; the stamp ({@code cell_id}, {@code run_id},
 * {@code spec_signature_hash}, {@code session_check}), the time of receipt and the {@code output}
 * record are the host's alone. Event ids are derived from run, connection and frame number, so the same frame always
 * gets the same id.
 *
 * <p>The {@code data} of an event is {@link EventData}: written when the event is serialized, from
 * values fixed when it was made ({@link EventBody}).
 *
 * <p>Safe to share between threads.
 */
public final class EventProjector {
    /** The prefix of every event type. */
    public static final String TYPE_PREFIX = "cell.observability.guest.";
    static final String SILENCED = "agent_silenced";
    static final String DROPPED = "telemetry.dropped";
    static final String CHANNEL_REFUSED = "channel_refused";
    static final String CLOSED = "record_closed";
    /** The type of the host-made event for a cell whose agent went silent. */
    public static final String TYPE_SILENCED = TYPE_PREFIX + SILENCED;
    /** The type of drop reports, the agent's and the host's. */
    public static final String TYPE_DROPPED = TYPE_PREFIX + DROPPED;
    /** The type of the host-made event for a connection the host refused to believe. */
    public static final String TYPE_CHANNEL_REFUSED = TYPE_PREFIX + CHANNEL_REFUSED;
    /** The type of the host-made event that closes a cell's record, the last of its chain ({@link ChainLinks#CLOSING_TYPE}). */
    public static final String TYPE_CLOSED = TYPE_PREFIX + CLOSED;

    private static final String[] GUEST_TYPES = Arrays.stream(ProbeSource.values())
            .map(s -> TYPE_PREFIX + s.wireName())
            .toArray(String[]::new);

    private final CellStamp stamp;
    private final EventChain chain;
    private final URI source;
    private final boolean hasSocket;
    private final EventBody body;

    /**
     * A projector for a newly bound cell that writes the receiver's own {@code data}
     * ({@link EventFormat#CLOUDEVENTS}); its events start a hash chain of their own.
     *
     * @param stamp  the cell's attribution
     * @param socket the path of the socket the cell's frames arrive on, recorded in {@code output};
     *               {@code null} for a projector that makes host reports only
     */
    public EventProjector(CellStamp stamp, String socket) {
        this(stamp, socket, EventFormat.CLOUDEVENTS);
    }

    /**
     * A projector for a newly bound cell whose events start a hash chain of their own.
     *
     * @param stamp  the cell's attribution
     * @param socket the path of the socket the cell's frames arrive on, recorded in {@code output};
     *               {@code null} for a projector that makes host reports only
     * @param format what the events' {@code data} holds
     */
    public EventProjector(CellStamp stamp, String socket, EventFormat format) {
        this(stamp, new EventChain(), socket, format);
    }

    /**
     * @param stamp  the cell's attribution
     * @param chain  the chain of the cell's events, which every event made here joins
     * @param socket the path of the socket the cell's frames arrive on, recorded in {@code output};
     *               {@code null} for a projector that makes host reports only (an event sink's)
     * @param format what the events' {@code data} holds
     */
    public EventProjector(CellStamp stamp, EventChain chain, String socket, EventFormat format) {
        this.stamp = stamp;
        this.chain = Objects.requireNonNull(chain, "chain");
        this.source = sourceOf(stamp.cellId());
        CellJson cell = new CellJson(stamp, socket);
        this.hasSocket = cell.hasSocket();
        this.body = format.body(cell);
    }

    /** The type of the events made from frames of {@code source}. */
    static String guestType(ProbeSource source) {
        return GUEST_TYPES[source.ordinal()];
    }

    /** The CloudEvents {@code source} of a cell: stable for the cell's life. */
    public static URI sourceOf(String cellId) {
        return URI.create("urn:cellos:cell:" + cellId);
    }

    /**
     * The event for one accepted guest frame: frame {@code frame} of connection {@code connection}.
     *
     * @param check what the cell's session check was when the frame's connection was accepted
     */
    public CellEvent guest(ProbeEvent e, long connection, long frame, Instant receivedAt, SessionCheck check) {
        return event(new EventFacts.Guest(e, connection, frame), stamp.runId() + "/c" + connection + "/f" + frame,
                receivedAt, check);
    }

    /**
     * The host-made event for a cell from which nothing arrived for a whole keep-alive window.
     *
     * @param lastFrameAt when the last frame arrived, or {@code null} if none ever did
     * @param check       the cell's session check now
     */
    public CellEvent silenced(Instant at, long keepaliveMillis, Instant lastFrameAt, long framesReceived,
                              SessionCheck check) {
        return event(new EventFacts.AgentSilenced(keepaliveMillis, lastFrameAt, framesReceived),
                stamp.runId() + "/silenced", at, check);
    }

    /**
     * The host-made event that closes the cell's record, once, when the receiver lets the cell go:
     * the last event of the cell and run.
     *
     * @param agentDroppedTotal the highest {@code dropped_total} the agent reported, or -1
     * @param check             the cell's session check now
     */
    public CellEvent closed(Instant at, long framesReceived, long connections, long hostDroppedTotal,
                            long agentDroppedTotal, SessionCheck check) {
        return event(new EventFacts.RecordClosed(framesReceived, connections, hostDroppedTotal, agentDroppedTotal),
                stamp.runId() + "/closed", at, check);
    }

    /**
     * A host-made drop report: the cumulative counts of what the host discarded, by cause.
     *
     * @param seq               this report's number within the run, from 1
     * @param counts            indexed by {@link DropCause#ordinal()}; copied
     * @param agentDroppedTotal the highest {@code dropped_total} the agent reported, or -1
     * @param lastRejection     why the latest frame was refused, or {@code null}
     * @param check             the cell's session check now
     */
    public CellEvent hostDropped(long seq, Instant at, long[] counts, long agentDroppedTotal, String lastRejection,
                                 SessionCheck check) {
        return event(new EventFacts.HostDropped(DropCause.counts(counts), agentDroppedTotal, lastRejection),
                stamp.runId() + "/dropped/" + seq, at, check);
    }

    /**
     * The host-made event for a connection the host refused to believe (protocol.md §1.3): it was
     * closed at once and nothing on it became an event.
     *
     * @param seq        this refusal's number within the cell's refusals, from 1
     * @param port       the guest port the connection came to: 9001 (telemetry) or 9000 (exit code)
     * @param connection the connection's number on that port's socket
     * @param reason     why it was refused, in words
     * @param check      the cell's session check now
     */
    public CellEvent channelRefused(long seq, Instant at, int port, long connection, String reason,
                                    SessionCheck check) {
        return event(new EventFacts.ChannelRefused(port, connection, reason), stamp.runId() + "/refused/" + seq, at,
                check);
    }

    /**
     * A host-made drop report from an event sink: events of this cell that the sink could not
     * deliver downstream, cumulative, by cause. Its id ({@code <run>/sink-dropped/<seq>}) is apart
     * from the receiver's own reports.
     *
     * @param sink   the sink's kind, e.g. {@code "nats"}
     * @param seq    this report's number within the sink's reports for the run, from 1
     * @param counts cause code to count; copied
     * @param reason what went wrong, in words
     */
    public CellEvent sinkDropped(String sink, long seq, Instant at, Map<String, Long> counts, String reason) {
        // a sink does not know how the cell's channel was checked
        return event(new EventFacts.SinkDropped(sink, counts, reason), stamp.runId() + "/sink-dropped/" + seq, at,
                null);
    }

    /**
     * The event saying {@code facts}, under {@code id} and at {@code at}: what every method above
     * makes, and how an event read back ({@link EventReader}) is written in this projector's format.
     *
     * @param check the session check the event said, or {@code null} if it said none (a sink's report)
     * @throws IllegalStateException for a guest event, if this projector has no socket
     */
    CellEvent event(EventFacts facts, String id, Instant at, SessionCheck check) {
        if (facts instanceof EventFacts.Guest && !hasSocket) {
            throw new IllegalStateException("this projector makes host reports only: it has no socket");
        }
        CloudEvent event = CloudEventBuilder.v1()
                .withId(id)
                .withSource(source)
                .withType(facts.type())
                .withTime(OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withDataSchema(body.dataSchema(facts))
                .withData(EventData.of(body.data(facts, id, at, check)))
                .build();
        return new CellEvent(event, stamp, facts, chain);
    }
}
