/**
 * The host end of a cell's channels: one {@link io.cellos.telemetry.host.receiver.Receiver} per host
 * process binds each cell's telemetry listener ({@code <uds>_9001}) and exit-code channel
 * ({@code <uds>_9000}), reads the guest's frames as hostile input, decides which connections speak
 * for the agent (session pinning), counts what it refuses, watches for silence, and hands what it
 * accepts, projected into events, to an {@link io.cellos.telemetry.host.sink.EventSink}.
 *
 * <p>Everything that touches a cell's sockets or its per-cell state is here and confined to the
 * cell's I/O thread; the only ways out are the public handles ({@code Receiver}, {@code CellHandle},
 * {@code ExitChannel}) and the sink.
 */
package io.cellos.telemetry.host.receiver;
