/**
 * Where a receiver's events go: the {@link io.cellos.telemetry.host.sink.EventSink} contract, the
 * JSON lines sink (a file or standard output), and the encoding of an event as the bytes of its
 * CloudEvents JSON, signed when asked, that every sink writes.
 *
 * <p>The encoding lives with the sinks rather than with the events because it is theirs alone: the
 * per-thread line buffer it needs is shared by the JSON lines sink and the one-event encoder and by
 * nothing else, so it stays package-private here. Message-broker sinks are in sub-packages
 * ({@code nats}).
 */
package io.cellos.telemetry.host.sink;
