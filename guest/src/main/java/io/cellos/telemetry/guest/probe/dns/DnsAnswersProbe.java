package io.cellos.telemetry.guest.probe.dns;

import io.cellos.telemetry.guest.linux.PacketSocket;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The DNS answers the guest receives, read off the wire, so that a connect to an address can say
 * which name was resolved to it ({@link PeerHosts}, {@code host} in protocol.md §4). It emits no
 * event of its own.
 *
 * <p><b>How.</b> An {@code AF_PACKET} socket on every interface of the agent's network namespace
 * ({@link PacketSocket}), whose classic BPF filter ({@link DnsAnswerFilter}) keeps only UDP and
 * TCP packets from source port 53, IPv4 and IPv6. {@code PACKET_IGNORE_OUTGOING} leaves out what
 * the machine sends: an answer on {@code lo} (a local stub resolver's) is shown to a packet socket
 * once leaving and once arriving, and is counted once, arriving; an answer from elsewhere only
 * arrives. Each answer is parsed by {@link DnsResponseParser} (hostile input: bounded, refused whole
 * when malformed, counted) and its addresses are learnt, named by the question.
 *
 * <p><b>What is not seen.</b> A name resolved without a DNS packet in plain text to port 53 in
 * this network namespace names nothing: DNS over HTTPS, TLS or QUIC; DNS on another port; names
 * from {@code /etc/hosts}; a hit in a resolver cache that sends nothing (nscd, systemd-resolved
 * answering over D-Bus or {@code nss-resolve}; a stub listening on {@code 127.0.0.53} does answer
 * with a packet on {@code lo}, which is seen); answers the guest received before the agent started;
 * answers in another network namespace. Nor are: IPv4 fragments (a UDP answer larger than the
 * path's MTU), IPv6 packets with extension headers, TCP answers not whole in one segment (the
 * 2-byte length and the message together), and answers beyond {@link #MAX_PACKET_BYTES}. A
 * workload that can send packets from port 53 can also plant names; {@code host} is what the guest
 * was told, not a verified fact.
 *
 * <p>Reading order: the agent reads this probe after the connect probes in each wake, and the
 * table is consulted as events enter the queue at the wake's end: an answer is in the packet
 * socket before the program it answers can connect, so it is learnt before its connect is queued.
 * At most {@link #MAX_PACKETS_PER_WAKE} packets are read per wake, so a flood cannot hold the loop.
 *
 * <p>Confined to the agent's loop thread; owns its socket.
 */
public final class DnsAnswersProbe implements Probe {
    /** The most of a packet read: an IPv4 or IPv6 packet's largest size. */
    public static final int MAX_PACKET_BYTES = 65_575;
    public static final int MAX_PACKETS_PER_WAKE = 4096;
    private static final int BUFFER_BYTES = 4 << 20;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;

    /**
     * What the probe read since it was armed.
     *
     * @param answers     responses that gave their question one address or more
     * @param noAddress   well-formed responses that gave none (NXDOMAIN, no data, other types), and queries
     * @param refused     messages refused as malformed ({@link DnsResponseParser})
     * @param unhandled   packets not read: fragments, IPv6 extension headers, TCP not whole, cut packets
     * @param learnt      addresses learnt
     * @param kernelDrops packets the kernel dropped for want of room in the socket's buffer
     * @param lastRefusal why the last refused message was refused
     */
    public record Counts(long answers, long noAddress, long refused, long unhandled, long learnt, long kernelDrops,
                         String lastRefusal) {
    }

    private final PeerHosts hosts;
    private final DnsResponseParser parser = new DnsResponseParser();
    private final byte[] packet = new byte[MAX_PACKET_BYTES];
    private final DnsResponseParser.Addresses learn = this::learn;
    private PacketSocket socket;
    private long now;
    private long answers;
    private long noAddress;
    private long refused;
    private long unhandled;
    private long learnt;
    private long kernelDrops;
    private String lastRefusal = "";

    /** @param hosts where the names learnt go; read by the agent as events enter its queue */
    public DnsAnswersProbe(PeerHosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public String description() {
        return "DNS answers (AF_PACKET, classic BPF: UDP/TCP from port 53)";
    }

    @Override
    public void arm() throws IOException {
        socket = new PacketSocket(DnsAnswerFilter.program(), true, BUFFER_BYTES, MAX_PACKET_BYTES,
                "AF_PACKET socket for DNS answers");
    }

    @Override
    public int fd() {
        return socket.fd();
    }

    /** The names it learns give connects their {@code host} as they leave the queue. */
    @Override
    public boolean namesOthersEvents() {
        return true;
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        int read = 0;
        while (read < MAX_PACKETS_PER_WAKE) {
            int n = socket.receive();
            if (n == 0) {
                break;
            }
            read++;
            if (socket.packetType() == PacketSocket.PACKET_OUTGOING) {
                continue; // a kernel without PACKET_IGNORE_OUTGOING: on lo it arrives too; else it is not ours
            }
            if (socket.length() > n) {
                unhandled++;
                continue;
            }
            MemorySegment.copy(socket.buffer(), JAVA_BYTE, 0, packet, 0, n);
            onPacket(packet, n, socket.protocol(), System.nanoTime());
        }
        if (read > 0) {
            kernelDrops += socket.takeDrops();
        }
    }

    /**
     * Reads one packet of {@code len} bytes from its network header, of link-level protocol
     * {@code protocol}, at {@code now}: the DNS message it carries, if any, is parsed and learnt.
     */
    void onPacket(byte[] p, int len, int protocol, long now) {
        this.now = now;
        int l4;
        int end;
        int transport;
        if (protocol == PacketSocket.ETH_P_IP) {
            if (len < 20 || (p[0] & 0xff) >>> 4 != 4) {
                unhandled++;
                return;
            }
            l4 = (p[0] & 0xf) * 4;
            end = u16(p, 2);
            if (l4 < 20 || end < l4 || end > len) {
                unhandled++;
                return;
            }
            if ((u16(p, 6) & 0x3fff) != 0) {
                unhandled++; // a fragment: the message is not whole in it
                return;
            }
            transport = p[9] & 0xff;
        } else if (protocol == PacketSocket.ETH_P_IPV6) {
            if (len < 40 || (p[0] & 0xff) >>> 4 != 6) {
                unhandled++;
                return;
            }
            l4 = 40;
            end = 40 + u16(p, 4);
            if (end > len) {
                unhandled++;
                return;
            }
            transport = p[6] & 0xff;
        } else {
            unhandled++;
            return;
        }
        if (transport == IPPROTO_UDP) {
            if (l4 + 8 > end || u16(p, l4) != DnsAnswerFilter.DNS_PORT) {
                unhandled++;
                return;
            }
            int udpLength = u16(p, l4 + 4);
            if (udpLength < 8 || l4 + udpLength > end) {
                unhandled++;
                return;
            }
            message(p, l4 + 8, udpLength - 8);
        } else if (transport == IPPROTO_TCP) {
            if (l4 + 20 > end || u16(p, l4) != DnsAnswerFilter.DNS_PORT) {
                unhandled++;
                return;
            }
            int data = l4 + ((p[l4 + 12] & 0xff) >>> 4) * 4;
            if (data < l4 + 20 || data > end) {
                unhandled++;
                return;
            }
            if (data == end) {
                return; // no payload: a handshake, an acknowledgement, a close
            }
            if (end - data < 2 || u16(p, data) != end - data - 2) {
                unhandled++; // not exactly one whole message in this segment
                return;
            }
            message(p, data + 2, end - data - 2);
        } else {
            unhandled++;
        }
    }

    private void message(byte[] p, int at, int len) {
        DnsResponseParser.Outcome o;
        try {
            o = parser.parse(p, at, len, learn);
        } catch (RuntimeException e) {
            // the parser checks every read; should one slip, a crafted packet must still not stop the agent
            refused++;
            lastRefusal = "parser fault: " + e;
            return;
        }
        switch (o) {
            case ADDRESSES -> answers++;
            case NO_ADDRESS, NOT_AN_ANSWER -> noAddress++;
            case MALFORMED -> {
                refused++;
                lastRefusal = parser.refusal();
            }
        }
    }

    private void learn(byte[] m, int at, int length, String name, long ttlSeconds) {
        hosts.learn(m, at, length, name, ttlSeconds, now);
        learnt++;
    }

    /** What the probe read so far; from the loop thread. */
    public Counts counts() {
        return new Counts(answers, noAddress, refused, unhandled, learnt, kernelDrops, lastRefusal);
    }

    /** Whether the kernel shows this socket only arriving packets ({@code PACKET_IGNORE_OUTGOING}). */
    public boolean ignoresOutgoing() {
        return socket != null && socket.ignoresOutgoing();
    }

    private static int u16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | p[at + 1] & 0xff;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
