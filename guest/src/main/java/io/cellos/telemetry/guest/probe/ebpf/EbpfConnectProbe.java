package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.BpfRingBuffer;
import io.cellos.telemetry.guest.linux.Cgroup2Root;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.PeerAddress;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * {@code net.connect_attempted}, from eBPF programs on the cgroup socket-address hooks of the cgroup
 * v2 root ({@link ConnectPrograms}), read from a BPF ring buffer: without audit, and without the
 * syscall tracepoints that would put every system call of every process on the slow path. The
 * hooks run only for connects and addressed UDP sends.
 *
 * <p>Declared, with {@code guest_pid} the calling process, {@code guest_comm} the calling thread's
 * name, {@code guest_monotonic_ns} the kernel's stamp ({@code bpf_ktime_get_ns}) and {@code peer}
 * written by {@link PeerAddress}, as the audit probe writes it:
 * <ul>
 * <li>every TCP or UDP connect of an IPv4 or IPv6 socket, by {@code connect(2)}, io_uring or TCP Fast
 *     Open, before the kernel tries it: a connect that is then refused, times out or fails to route
 *     is declared all the same;
 * <li>the first UDP datagram each socket sends to each address and port it names in
 *     {@code sendto}/{@code sendmsg}/{@code sendmmsg}, deduplicated in the kernel (see
 *     {@link ConnectPrograms}); datagrams on a connected socket without an address were declared by
 *     its connect.
 * </ul>
 * Not declared: UNIX-domain connects and sends (their address is in the kernel's
 * {@code struct sockaddr}, which a program reads only through kfuncs and BTF type ids, not done
 * here), {@code AF_VSOCK}, and raw sockets, whose creation has no protocol source.
 *
 * <p>Coverage: the programs are linked to the root of the cgroup v2 hierarchy ({@link Cgroup2Root},
 * which mounts one for the duration of {@link #arm} if none is mounted), so they run for every
 * process of the machine, or of the agent's cgroup namespace if it runs in a child one. Nothing is
 * filtered in the kernel: the agent's own connects are declared too, and the scope is applied as
 * for audit's records, in user space ({@link ProbeOutput#emitInScope}, parent unknown).
 *
 * <p>Losses: a connect seen while the ring was full is counted in the kernel and reaches
 * {@link ProbeOutput#lost}; seen = declared + lost, exactly ({@link #seen}).
 *
 * <p>Confined to the loop thread, which the ring's fd wakes level-triggered; at most
 * {@value #RECORDS_PER_WAKEUP} records per wake-up. Owns, from {@link #arm} to {@link #close}, the
 * maps, programs and links: the links belong to their descriptors, so closing the probe, or the
 * death of the agent, detaches everything and leaves nothing behind in the kernel.
 */
public final class EbpfConnectProbe implements Probe {
    /** The default ring: 16,384 records can wait for the loop. */
    public static final int DEFAULT_RING_BYTES = 1 << 20;
    /** The default number of (socket, destination) pairs remembered for UDP sends. */
    public static final int DEFAULT_DESTINATIONS = 16384;
    static final String DESCRIPTION = "connects (eBPF cgroup socket hooks)";
    private static final int RECORDS_PER_WAKEUP = 1024;
    private static final int[] FAMILIES = {PeerAddress.AF_INET, PeerAddress.AF_INET6};

    private final int ringBytes;
    private final int destinations;
    private final byte[] text = new byte[ConnectPrograms.COMM_BYTES];
    private final byte[] sockaddr = new byte[ConnectPrograms.SOCKADDR_BYTES];
    private final StringBuilder peer = new StringBuilder(64);
    private final BpfRingBuffer.Records handler = this::handle;
    /** The dedup map and the programs, in the order they were made; closed in reverse. */
    private final List<Fd> owned = new ArrayList<>();
    /** The links that run the programs: closed first, which detaches them. */
    private final List<Fd> links = new ArrayList<>();
    private CountedRing ring;
    private ProbeOutput out;

    /** A probe with the default ring and dedup table. */
    public EbpfConnectProbe() {
        this(DEFAULT_RING_BYTES, DEFAULT_DESTINATIONS);
    }

    /**
     * @param ringBytes    the ring buffer's size: a power of two, at least a page
     * @param destinations how many (socket, destination) pairs of UDP sends are remembered
     */
    public EbpfConnectProbe(int ringBytes, int destinations) {
        this.ringBytes = ringBytes;
        this.destinations = destinations;
    }

    @Override
    public String description() {
        return DESCRIPTION;
    }

    /**
     * Creates the maps, builds, loads and links the programs to the cgroup v2 root.
     *
     * @throws io.cellos.telemetry.guest.linux.BpfLoadException with the verifier's log if a program is refused
     * @throws io.cellos.telemetry.guest.linux.ErrnoException naming the call that failed ({@code bpf},
     *         {@code mount}, {@code open}, {@code mmap})
     */
    @Override
    public void arm() throws IOException {
        if (ring != null) {
            throw new IllegalStateException(description() + " is armed already");
        }
        try (Cgroup2Root root = Cgroup2Root.open()) {
            ring = new CountedRing(ringBytes, "cellos_conn");
            Fd seenDestinations = own(Bpf.createMap(Bpf.MAP_TYPE_LRU_HASH, ConnectPrograms.SEEN_KEY_BYTES,
                    ConnectPrograms.SEEN_VALUE_BYTES, destinations, 0, "cellos_conn_dst"));
            ConnectPrograms programs = new ConnectPrograms(ring, seenDestinations.get());
            for (int family : FAMILIES) {
                String v = family == PeerAddress.AF_INET ? "4" : "6";
                link(root, ConnectPrograms.connectHook(family), programs.connect(family), "cellos_connect" + v);
                link(root, ConnectPrograms.datagramHook(family), programs.datagram(family), "cellos_udp" + v);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void link(Cgroup2Root root, int hook, EbpfProgram program, String name) throws IOException {
        Fd prog = own(Bpf.loadProgram(Bpf.PROG_TYPE_CGROUP_SOCK_ADDR, hook, program, name));
        links.add(Bpf.createLink(prog, root.fd(), hook));
    }

    private Fd own(Fd fd) {
        owned.add(fd);
        return fd;
    }

    @Override
    public int fd() {
        return ring.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) {
        this.out = out;
        ring.read(handler, RECORDS_PER_WAKEUP);
        ring.reportLost(out);
    }

    /**
     * Detaches the programs, so that nothing more is seen, then reads until the ring is empty (or
     * until {@code deadlineNanos}) and reports the last losses: after it, {@link #seen} is final and
     * equals what was declared plus what was reported lost.
     */
    @Override
    public void finish(ProbeOutput out, long deadlineNanos) {
        detach();
        do {
            onReadable(out);
        } while (ring.pending() && System.nanoTime() < deadlineNanos);
    }

    private void detach() {
        links.forEach(Fd::close);
        links.clear();
    }

    /** How many connects the programs have seen: those read, those waiting in the ring, and those lost. */
    public long seen() {
        return ring.seen();
    }

    private void handle(MemorySegment data, long at, int length) {
        int kind = data.get(JAVA_INT_UNALIGNED, at + ConnectPrograms.KIND);
        if (kind != ConnectPrograms.CONNECT && kind != ConnectPrograms.DATAGRAM) {
            throw new IllegalStateException("a connect record of kind " + kind + " from our own program");
        }
        int pid = data.get(JAVA_INT_UNALIGNED, at + ConnectPrograms.PID);
        long nanos = data.get(JAVA_LONG_UNALIGNED, at + ConnectPrograms.NANOS);
        MemorySegment.copy(data, JAVA_BYTE, at + ConnectPrograms.SOCKADDR, sockaddr, 0, sockaddr.length);
        peer.setLength(0);
        if (!PeerAddress.append(sockaddr, sockaddr.length, peer)) {
            throw new IllegalStateException("a connect record of family " + PeerAddress.family(sockaddr, sockaddr.length)
                    + " from our own program, which takes AF_INET and AF_INET6 only");
        }
        ProbeEvent e = ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, Integer.toUnsignedLong(pid), comm(data, at), nanos)
                .withExtensions(Extensions.NONE.withPeer(peer.toString()));
        out.emitInScope(e, pid, -1);
    }

    /** The record's NUL-terminated comm. */
    private String comm(MemorySegment data, long at) {
        int n = 0;
        while (n < text.length && (text[n] = data.get(JAVA_BYTE, at + ConnectPrograms.COMM + n)) != 0) {
            n++;
        }
        return new String(text, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        detach();
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
        if (ring != null) {
            ring.close();
            ring = null;
        }
    }
}
