/**
 * The NATS JetStream sink and its reader (jnats): events published one per message, in order, held
 * through outages within a bound and counted beyond it; and {@code cellos events tail}'s way of
 * reading them back. Everything that knows NATS is here, so that nothing else of the host depends on
 * the client library.
 */
package io.cellos.telemetry.host.sink.nats;
