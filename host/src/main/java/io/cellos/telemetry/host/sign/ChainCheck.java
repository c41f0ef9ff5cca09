package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Follows the cells' hash chains (protocol.md §7.9) through a stream of events whose signatures
 * verified, by their links, not by the order of the lines: cells interleave in a file, and one
 * cell's events may come out of chain order (a sink's own reports are signed on another thread, a
 * stream may be merged). A chain is told apart by {@code data.cell_id} and {@code data.run_id}
 * ({@code data.unmapped}'s in OCSF).
 *
 * <p>Breaks that show as an event arrives (no link, the same event twice, two events after one)
 * are returned by {@link #add}; those that show only once every event is in (a missing first
 * event, a missing predecessor) by {@link #finish}. Holds each event's id, line and two links until
 * then. Not thread-safe: one stream, one thread.
 */
final class ChainCheck {
    private record Key(String cellId, String runId) {
    }

    /**
     * One event as its chain sees it: {@code self} is the link to it, {@code prev} the link it
     * carries; {@code closes} whether it is the receiver's closing event ({@link ChainLinks#CLOSING_TYPE}).
     */
    private record Link(String id, long line, String self, String prev, boolean closes) {
    }

    private static final class Chain {
        final Key key;
        final Map<String, Link> bySelf = new HashMap<>();
        final Map<String, Link> byPrev = new HashMap<>();

        Chain(Key key) {
            this.key = key;
        }

        ChainBreak at(ChainError error, Link l, String detail) {
            return new ChainBreak(error, key.cellId, key.runId, l.id, l.line, detail);
        }

        String describe(Link l) {
            return "event " + l.id + " (line " + l.line + ")";
        }
    }

    private final Map<Key, Chain> chains = new LinkedHashMap<>();

    /**
     * Takes the next event of the stream.
     *
     * @param event       the event, its signature verified
     * @param signedBytes the bytes its signature covers
     * @param line        its line number
     * @return the break this event makes, if it shows already
     */
    Optional<ChainBreak> add(ObjectNode event, byte[] signedBytes, long line) {
        String id = event.path("id").textValue();
        JsonNode stamp = stampOf(event.path("data"));
        String cellId = stamp.path("cell_id").textValue();
        String runId = stamp.path("run_id").textValue();
        if (cellId == null || runId == null) {
            return Optional.of(new ChainBreak(ChainError.UNLINKED, cellId, runId, id, line,
                    "no string data.cell_id and data.run_id (data.unmapped's in OCSF), so it belongs to no cell's chain"));
        }
        JsonNode prevNode = event.get(ChainLinks.ATTRIBUTE);
        if (prevNode == null || !prevNode.isTextual()) {
            return Optional.of(new ChainBreak(ChainError.UNLINKED, cellId, runId, id, line, "no string "
                    + ChainLinks.ATTRIBUTE + " attribute: it was signed outside any chain (by hand, or by a "
                    + "receiver from before chains)"));
        }
        String prev = prevNode.textValue();
        if (!ChainLinks.isLink(prev)) {
            return Optional.of(new ChainBreak(ChainError.UNLINKED, cellId, runId, id, line, ChainLinks.ATTRIBUTE
                    + " is not sha256: followed by 64 lower-case hex digits"));
        }
        Chain c = chains.computeIfAbsent(new Key(cellId, runId), Chain::new);
        Link l = new Link(id, line, ChainLinks.to(signedBytes), prev,
                ChainLinks.CLOSING_TYPE.equals(event.path("type").textValue()));
        Link same = c.bySelf.putIfAbsent(l.self, l);
        if (same != null) {
            return Optional.of(c.at(ChainError.DUPLICATE, l, "the very event of line " + same.line
                    + " again: an event was copied in"));
        }
        Link sibling = c.byPrev.putIfAbsent(prev, l);
        if (sibling != null) {
            Link before = c.bySelf.get(prev);
            return Optional.of(c.at(ChainError.FORK, l, prev.equals(ChainLinks.FIRST)
                    ? "it and " + c.describe(sibling) + " both claim to be the cell's first event"
                    : "it and " + c.describe(sibling) + " both follow "
                    + (before == null ? prev : c.describe(before))));
        }
        return Optional.empty();
    }

    /**
     * Where an event's data holds the cell's stamp: {@code data} itself in the receiver's own
     * format, {@code data.unmapped} in OCSF (protocol.md §7.10), which has no attribute for it.
     */
    private static JsonNode stampOf(JsonNode data) {
        return data.has("cell_id") ? data : data.path("unmapped");
    }

    /**
     * Once the stream has ended: every chain followed from its first event, or the first break.
     * Chains are taken in the order their first line came.
     */
    StreamVerification finish(long linesVerified) {
        List<StreamVerification.Chain> whole = new ArrayList<>();
        for (Chain c : chains.values()) {
            Optional<ChainBreak> broken = follow(c, whole);
            if (broken.isPresent()) {
                return new StreamVerification.Broken(linesVerified, broken.get());
            }
        }
        return new StreamVerification.Verified(linesVerified, whole);
    }

    /** Follows {@code c} from its first event; adds it to {@code whole} if every event is reached. */
    private static Optional<ChainBreak> follow(Chain c, List<StreamVerification.Chain> whole) {
        Comparator<Link> byLine = Comparator.comparingLong(Link::line);
        Link first = c.byPrev.get(ChainLinks.FIRST);
        if (first == null) {
            Link earliest = c.bySelf.values().stream().min(byLine).orElseThrow();
            return Optional.of(c.at(ChainError.MISSING_FIRST, earliest, "no event of the cell links to "
                    + ChainLinks.FIRST + ", the first link, so the head of its chain is not in the stream; this, its "
                    + "earliest line, links to " + earliest.prev));
        }
        long reached = 0;
        Link last = first;
        for (Link at = first; at != null; at = c.byPrev.get(at.self)) {
            reached++;
            last = at;
        }
        if (reached < c.bySelf.size()) {
            // No event has two successors (add refused forks), so what was not reached hangs off
            // links to events that are not here (a loop of links would take a SHA-256 collision).
            // Which of those comes first cannot be known; the one on the earliest line is named,
            // and the detail says where the unbroken run from the first event ends.
            Link after = c.bySelf.values().stream()
                    .filter(l -> !l.prev.equals(ChainLinks.FIRST) && !c.bySelf.containsKey(l.prev))
                    .min(byLine).orElseThrow();
            return Optional.of(c.at(ChainError.MISSING_PREDECESSOR, after, "it links to " + after.prev
                    + ", which no event of the cell in the stream is; the chain from the cell's first event "
                    + "ends at " + c.describe(last) + ", its event " + reached + ", so what followed it was removed"));
        }
        whole.add(new StreamVerification.Chain(c.key.cellId, c.key.runId, reached, last.id, last.closes));
        return Optional.empty();
    }
}
