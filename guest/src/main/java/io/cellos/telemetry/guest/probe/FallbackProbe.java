package io.cellos.telemetry.guest.probe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A probe that is the first of several mechanisms the kernel accepts, in order of preference:
 * {@link #arm} tries each, and from then on the probe is the armed one — every call, {@link #finish}
 * and {@link #processesBehind} included, goes to it. {@link #description} says which was armed
 * and why each one before it was passed over: {@code "<armed>; passed over: <mechanism>: <why>"}.
 *
 * <p>Threading and ownership are those of the armed mechanism: loop thread only; owns it.
 */
public class FallbackProbe implements Probe {
    /** Makes one mechanism, not yet armed. */
    @FunctionalInterface
    public interface Candidate {
        Probe make() throws IOException;
    }

    private final String what;
    private final List<Candidate> mechanisms;
    private final List<String> passedOver = new ArrayList<>();
    private Probe armed;

    /**
     * @param what       what the probe observes, for its description before arming and for the
     *                   failure when nothing could be armed
     * @param mechanisms the mechanisms in order of preference
     */
    protected FallbackProbe(String what, List<Candidate> mechanisms) {
        this.what = what;
        this.mechanisms = List.copyOf(mechanisms);
    }

    /**
     * Whether a failure to arm is no reason to try the next mechanism, and is thrown as it is (a
     * declared path that does not resolve: no mechanism could watch it). None by default.
     */
    protected boolean endsTheSearch(IOException e) {
        return false;
    }

    @Override
    public String description() {
        if (armed == null) {
            return what;
        }
        return passedOver.isEmpty() ? armed.description()
                : armed.description() + "; passed over: " + String.join("; ", passedOver);
    }

    /**
     * Arms the first mechanism the kernel accepts.
     *
     * @throws IOException when none could be armed, saying why each was refused (the last
     *                     refusal as the cause, the others suppressed into it)
     */
    @Override
    public void arm() throws IOException {
        if (armed != null) {
            throw new IllegalStateException(description() + " is armed already");
        }
        List<IOException> refusals = new ArrayList<>();
        for (Candidate m : mechanisms) {
            Probe candidate = m.make();
            try {
                armed = Probe.armed(candidate);
                return;
            } catch (IOException e) {
                if (endsTheSearch(e)) {
                    throw e;
                }
                passedOver.add(candidate.description() + ": " + e.getMessage());
                refusals.add(e);
            }
        }
        IOException none = new IOException("no mechanism for " + what + " could be armed: "
                + String.join("; ", passedOver), refusals.getLast());
        refusals.subList(0, refusals.size() - 1).forEach(none::addSuppressed);
        throw none;
    }

    /** The armed mechanism; {@code null} before {@link #arm}. */
    public Probe armed() {
        return armed;
    }

    /** Why each preferred mechanism was passed over for the armed one ({@code "<mechanism>: <why>"}). */
    public List<String> passedOver() {
        return List.copyOf(passedOver);
    }

    @Override
    public int fd() {
        return armed.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        armed.onReadable(out);
    }

    @Override
    public void finish(ProbeOutput out, long deadlineNanos) throws IOException {
        armed.finish(out, deadlineNanos);
    }

    @Override
    public boolean processesBehind() {
        return armed.processesBehind();
    }

    @Override
    public boolean recordsWaiting() {
        return armed.recordsWaiting();
    }

    @Override
    public boolean stoppedAtBound() {
        return armed.stoppedAtBound();
    }

    @Override
    public void close() {
        if (armed != null) {
            armed.close();
        }
    }
}
