package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.ErrnoException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The requests of one put-back of {@link AuditConfigGuard} to the kernel, and what the kernel would
 * not do: a refusal is noted rather than thrown, so that one refused rule leaves the others to be
 * put back; a rule with an {@code exe} path the kernel will not delete for the probe is deleted
 * from an empty root ({@link EmptyRootDeletion}); {@link #trouble} says what is left undone.
 *
 * <p>Confined to the probe's thread; owns the empty root's worker, if it starts one.
 */
final class PutBackRequests implements AutoCloseable {
    /** Rules a declaration names one by one; the rest are counted, with a digest of them all. */
    private static final int STUCK_NAMED = 8;
    private static final int UNMOVABLE_REMEMBERED = 256;
    private final List<AuditRule> notDeleted = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    /** The guard's rules that an empty root did not delete either. */
    private final Set<AuditRule> unmovable;
    private EmptyRootDeletion emptyRoot;

    PutBackRequests(Set<AuditRule> unmovable) {
        this.unmovable = unmovable;
    }

    /** Deletes {@code r}, which the kernel has just listed. */
    boolean delete(AuditNetlink control, AuditRule r) {
        String error = null;
        try {
            if (control.deleteRule(r)) {
                return true;
            }
        } catch (ErrnoException e) {
            error = e.getMessage();
        }
        // refused, or "no such rule": gone meanwhile, or an exe path that does not resolve from here
        if (!r.exePaths().isEmpty() && !unmovable.contains(r)) {
            try {
                if (emptyRoot().delete(r)) {
                    return true;
                }
                error = (error == null ? "" : error + "; ") + "no such rule from an empty root either";
                remember(r);
            } catch (TimeoutException e) {
                error = (error == null ? "" : error + "; ") + e.getMessage();
            } catch (Exception e) {
                error = (error == null ? "" : error + "; ") + "from an empty root: " + e.getMessage();
                remember(r);
            }
        }
        if (error != null) {
            errors.add(error);
        }
        notDeleted.add(r);
        return false;
    }

    private EmptyRootDeletion emptyRoot() {
        if (emptyRoot == null) {
            emptyRoot = new EmptyRootDeletion();
        }
        return emptyRoot;
    }

    /** Not to be tried from an empty root again while it stays: a crafted one could cost every put-back. */
    private void remember(AuditRule r) {
        if (unmovable.size() < UNMOVABLE_REMEMBERED) {
            unmovable.add(r);
        }
    }

    /** Lets the empty root's worker, if one was started, end. */
    @Override
    public void close() {
        if (emptyRoot != null) {
            emptyRoot.close();
        }
    }

    boolean add(AuditNetlink control, AuditRule r) {
        try {
            return control.addRule(r);
        } catch (ErrnoException e) {
            errors.add(e.getMessage());
            return false;
        }
    }

    boolean set(AuditNetlink control, int mask, AuditStatus values) {
        try {
            control.setStatus(mask, values);
            return true;
        } catch (ErrnoException e) {
            errors.add(e.getMessage());
            return false;
        }
    }

    /** The first 16 hex digits of the SHA-256 of {@code lines}: a swap among them changes it. */
    private static String digest(List<String> lines) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** What could not be done, {@code null} if nothing: the rules not deleted that the kernel still lists, and the errors. */
    String trouble(AuditNetlink control) throws ErrnoException {
        List<AuditRule> stuck = new ArrayList<>();
        if (!notDeleted.isEmpty()) {
            List<AuditRule> listed = control.rules();
            notDeleted.stream().filter(listed::contains).forEach(stuck::add);
        }
        if (stuck.isEmpty() && errors.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (!stuck.isEmpty()) { // each named (a swap behind the same first rule must read differently), to a bound
            List<String> named = stuck.stream().map(AuditRule::toString).toList();
            parts.add(stuck.size() + " rules the kernel will not delete left in place ("
                    + String.join("; ", named.subList(0, Math.min(named.size(), STUCK_NAMED)))
                    + (named.size() > STUCK_NAMED ? "; and " + (named.size() - STUCK_NAMED) + " more, all together "
                    + digest(named) : "") + ")");
        }
        if (!errors.isEmpty()) {
            parts.add("failed: " + String.join("; ", errors.stream().distinct().toList()));
        }
        return String.join("; ", parts);
    }
}
