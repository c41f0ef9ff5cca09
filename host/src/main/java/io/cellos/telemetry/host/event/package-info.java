/**
 * What the host says about a cell: the stamp it gives every event of the cell
 * ({@link io.cellos.telemetry.host.event.CellStamp}), and the projection of what the guest sent and
 * what the host witnessed into CloudEvents (protocol §7,
 * {@link io.cellos.telemetry.host.event.EventProjector}), with the JSON of their data in the
 * {@link io.cellos.telemetry.host.event.EventFormat} chosen once — the receiver's own members (the
 * guest's fields, {@link io.cellos.telemetry.host.event.GuestFieldsJson}, and the stamp) or an OCSF
 * 1.8 object (protocol §7.10) — instants, drop causes and session checks; and the reading back of
 * the receiver's own events ({@link io.cellos.telemetry.host.event.EventReader}) to what they say, to
 * write them in another format or summarize a logged run.
 *
 * <p>Apart from the receiver because what an event says does not depend on how its frame arrived
 * (the {@code cellos frame decode} tool writes guest fields the same way), and apart from the sinks
 * because what an event says does not depend on where it goes. Nothing here does I/O or reads the
 * time: instants are given.
 */
package io.cellos.telemetry.host.event;
