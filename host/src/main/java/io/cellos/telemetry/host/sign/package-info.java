/**
 * Signing and verification of the host's CloudEvents output (protocol §7).
 *
 * <p>A signed event is the event with three extension attributes added at top level
 * ({@link io.cellos.telemetry.host.sign.SignatureAttributes}): {@code sigalg}, {@code sigkid}
 * and {@code sig}. The signature covers the RFC 8785 canonical JSON
 * ({@link io.cellos.telemetry.host.sign.CanonicalJson}) of the whole event, {@code sigalg} and
 * {@code sigkid} included and {@code sig} excluded, so re-ordering members or re-formatting the
 * line does not break it, while any change to a value does.
 *
 * <p>Signed events of one cell also form a hash chain ({@link io.cellos.telemetry.host.sign.EventChain},
 * {@link io.cellos.telemetry.host.sign.ChainLinks}): each carries {@code cellosprev}, under the
 * signature, the digest of what the cell's previous event's signature covers, so that a verifier
 * can tell an event removed, copied in or moved.
 *
 * <p>Entry points: {@link io.cellos.telemetry.host.sign.SigningEnvironment} reads the
 * configuration and yields an {@link io.cellos.telemetry.host.sign.EventSigner};
 * {@link io.cellos.telemetry.host.sign.EventVerifier} checks single events, or a stream of them and
 * its chains;
 * {@link io.cellos.telemetry.host.sign.Ed25519Keys} makes and converts Ed25519 keys. Only the
 * JDK's own cryptography is used.
 */
package io.cellos.telemetry.host.sign;
