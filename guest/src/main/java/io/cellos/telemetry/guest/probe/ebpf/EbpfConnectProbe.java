package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.Cgroup2Root;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.PeerAddress;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.io.IOException;

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
 *     its connect;
 * <li>UNIX-domain connects (stream, seqpacket, datagram) and the first datagram each socket sends
 *     to each address, as {@code unix:PATH} or {@code unix:@NAME}, on kernels with the UNIX hooks
 *     (6.7 and later) and kfuncs; elsewhere they are not declared and {@link #unixRefused} says why.
 *     The audit probe does not declare them; this one does, since a UNIX socket is how a process
 *     reaches a local daemon (a container runtime's, a database's).
 * </ul>
 * Not declared: {@code AF_VSOCK}; raw and packet sockets, whose creation the capability probe
 * declares ({@code net.raw_socket_opened}) and whose packets no hook here sees.
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
 * ring ({@link CountedRing}), the dedup maps, programs and links ({@link AttachedPrograms}): the links belong to their descriptors, so closing the probe, or the
 * death of the agent, detaches everything and leaves nothing behind in the kernel.
 */
public final class EbpfConnectProbe extends RingProbe {
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final String UNIX = "unix";

    /** The default ring: 16,384 records can wait for the loop. */
    public static final int DEFAULT_RING_BYTES = 1 << 20;
    /** The default number of (socket, destination) pairs remembered for UDP sends. */
    public static final int DEFAULT_DESTINATIONS = 16384;
    static final String DESCRIPTION = "connects (eBPF cgroup socket hooks)";
    private static final int[] FAMILIES = {PeerAddress.AF_INET, PeerAddress.AF_INET6};
    private static final String CAST_TO_KERNEL_CONTEXT = "bpf_cast_to_kern_ctx";

    private final int destinations;
    /** Room for any record's address: a {@code struct sockaddr_un} is the largest. */
    private final byte[] sockaddr = new byte[ConnectPrograms.SUN_BYTES];
    private final StringBuilder peer = new StringBuilder(64);
    private String unixRefused = "not armed";

    /** A probe with the default ring and dedup table. */
    public EbpfConnectProbe() {
        this(DEFAULT_RING_BYTES, DEFAULT_DESTINATIONS);
    }

    /**
     * @param ringBytes    the ring buffer's size: a power of two, at least a page
     * @param destinations how many (socket, destination) pairs of UDP sends are remembered
     */
    public EbpfConnectProbe(int ringBytes, int destinations) {
        this(ringBytes, destinations, new KernelBtf(), WakeWindow.NONE);
    }

    /**
     * A probe with the default ring and dedup table, reading the kernel's BTF from
     * {@code kernelTypes} and waking its reader under {@code window}, which probes armed together share.
     */
    public EbpfConnectProbe(KernelBtf kernelTypes, WakeWindow window) {
        this(DEFAULT_RING_BYTES, DEFAULT_DESTINATIONS, kernelTypes, window);
    }

    private EbpfConnectProbe(int ringBytes, int destinations, KernelBtf kernelTypes, WakeWindow window) {
        super(DESCRIPTION, ringBytes, CountedRing.COUNTERS_BYTES, "cellos_conn", kernelTypes, window);
        this.destinations = destinations;
    }

    /**
     * Creates the maps, builds, loads and links the programs to the cgroup v2 root.
     *
     * @throws io.cellos.telemetry.guest.linux.BpfLoadException with the verifier's log if a program is refused
     * @throws io.cellos.telemetry.guest.linux.ErrnoException naming the call that failed ({@code bpf},
     *         {@code mount}, {@code open}, {@code mmap})
     */
    @Override
    void load(KernelBtf types) throws IOException {
        try (Cgroup2Root root = Cgroup2Root.open()) {
            CountedRing ring = openRing();
            Fd seenDestinations = programs.own(Bpf.createMap(Bpf.MAP_TYPE_LRU_HASH, ConnectPrograms.SEEN_KEY_BYTES,
                    ConnectPrograms.SEEN_VALUE_BYTES, destinations, 0, "cellos_conn_dst"));
            ConnectPrograms code = new ConnectPrograms(ring, seenDestinations.get());
            for (int family : FAMILIES) {
                String v = family == PeerAddress.AF_INET ? "4" : "6";
                link(root, ConnectPrograms.connectHook(family), code.connect(family), "cellos_connect" + v);
                link(root, ConnectPrograms.datagramHook(family), code.datagram(family), "cellos_udp" + v);
            }
            armUnix(root, code, types);
        }
    }

    /**
     * Links the UNIX-domain programs; if this kernel refuses them (before 6.7 it has no UNIX hooks;
     * without BTF, no kfuncs), unlinks whichever was linked and says why in {@link #unixRefused}:
     * the IP connects are declared all the same.
     */
    private void armUnix(Cgroup2Root root, ConnectPrograms code, KernelBtf types) {
        int cast;
        try {
            cast = types.get().functionId(CAST_TO_KERNEL_CONTEXT);
        } catch (IOException | RuntimeException noKernelFunction) { // no BTF, BTF unreadable, or no such kfunc
            unixRefused = noKernelFunction.getMessage();
            return;
        }
        int linked = programs.attachments();
        try {
            Fd seen = programs.own(Bpf.createMap(Bpf.MAP_TYPE_LRU_HASH, ConnectPrograms.UNIX_SEEN_KEY_BYTES,
                    ConnectPrograms.SEEN_VALUE_BYTES, destinations, 0, "cellos_unix_dst"));
            code.unixAddresses(cast, seen.get());
            link(root, Bpf.ATTACH_CGROUP_UNIX_CONNECT, code.unix(false), "cellos_unix");
            link(root, Bpf.ATTACH_CGROUP_UNIX_SENDMSG, code.unix(true), "cellos_unix_dg");
            unixRefused = null;
        } catch (IOException e) {
            programs.detachFrom(linked);
            unixRefused = e.getMessage();
        }
    }

    /**
     * Why UNIX-domain connects are not declared (the kernel's refusal, with its errno), or
     * {@code null} when they are; valid after {@link #arm}.
     */
    public String unixRefused() {
        return unixRefused;
    }

    private void link(Cgroup2Root root, int hook, EbpfProgram program, String name) throws IOException {
        programs.link(root.fd(), hook, program, Bpf.PROG_TYPE_CGROUP_SOCK_ADDR, name);
    }

    /** How many connects the programs have seen: those read, those waiting in the ring, and those lost. */
    @Override
    public long seen() {
        return super.seen();
    }

    @Override
    void handle(ProbeOutput out, RingRecord r) {
        int kind = r.kind();
        int pid = r.pid();
        ProbeEvent e = ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, Integer.toUnsignedLong(pid), r.comm(), r.nanos());
        peer.setLength(0);
        String protocol;
        switch (kind) {
            case ConnectPrograms.CONNECT, ConnectPrograms.DATAGRAM -> {
                protocol = ipProtocol(r.i32(ConnectPrograms.PROTOCOL));
                r.copy(ConnectPrograms.SOCKADDR, sockaddr, 0, ConnectPrograms.SOCKADDR_BYTES);
                if (!PeerAddress.append(sockaddr, ConnectPrograms.SOCKADDR_BYTES, peer)) {
                    throw new IllegalStateException("a connect record of family " + PeerAddress.family(sockaddr, 2)
                            + " from our own program, which takes AF_INET and AF_INET6 only");
                }
            }
            case ConnectPrograms.UNIX_CONNECT, ConnectPrograms.UNIX_DATAGRAM -> {
                protocol = UNIX;
                int len = Math.min(r.i32(ConnectPrograms.UNIX_LENGTH), ConnectPrograms.SUN_BYTES);
                if (len > 0) {
                    r.copy(ConnectPrograms.SUN, sockaddr, 0, len);
                    PeerAddress.appendUnix(sockaddr, len, peer); // nothing for an address the kernel refuses
                }
            }
            default -> throw new IllegalStateException("a connect record of kind " + kind + " from our own program");
        }
        Extensions x = Extensions.NONE.withProtocol(protocol);
        out.emitInScope(e.withExtensions(peer.isEmpty() ? x : x.withPeer(peer.toString())), pid, -1);
    }

    /** The {@code protocol} key of an IP socket's IPPROTO_ number: {@code tcp}, {@code udp}, or the number. */
    static String ipProtocol(int number) {
        return switch (number) {
            case IPPROTO_TCP -> "tcp";
            case IPPROTO_UDP -> "udp";
            default -> Integer.toString(number);
        };
    }
}
