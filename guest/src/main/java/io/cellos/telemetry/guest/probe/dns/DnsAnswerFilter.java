package io.cellos.telemetry.guest.probe.dns;

import io.cellos.telemetry.guest.linux.BpfProgram;

/**
 * The classic BPF socket filter of {@link DnsAnswersProbe}'s packet socket: it keeps the UDP and
 * TCP packets from source port 53 — DNS answers — and drops everything else in the kernel, before
 * any copy reaches the agent.
 *
 * <p>It runs on a {@code SOCK_DGRAM} packet socket, so offset 0 is the network header. IPv4: any
 * header length (options included); a fragment other than the first is dropped (it has no ports).
 * IPv6: only a UDP or TCP header right after the fixed 40-byte header; a packet with extension
 * headers (hop-by-hop, routing, fragment, destination options) is dropped. Bytes kept: the whole
 * packet.
 */
final class DnsAnswerFilter {
    static final int DNS_PORT = 53;
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_IPV6 = 0x86dd;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    /** The filter's verdict for a kept packet: how many bytes to keep, all of them. */
    private static final int KEEP_ALL = -1;
    private static final int DROP = 0;

    private DnsAnswerFilter() {
    }

    static BpfProgram program() {
        BpfProgram p = new BpfProgram();
        p.loadHalf(BpfProgram.SKF_AD_PROTOCOL)          //         ldh  #proto         ; skb->protocol
                .jumpIfEqual(ETH_P_IP, "ipv4")           //         jeq  #0x0800, ipv4
                .jumpIfEqual(ETH_P_IPV6, "ipv6")         //         jeq  #0x86dd, ipv6
                .ret(DROP)                               //         ret  #0             ; ARP, ...
                .label("ipv4")
                .loadByte(9)                             // ipv4:   ldb  [9]            ; protocol
                .jumpIfEqual(IPPROTO_UDP, "ipv4ports")   //         jeq  #17, ipv4ports
                .jumpIfEqual(IPPROTO_TCP, "ipv4ports")   //         jeq  #6, ipv4ports
                .ret(DROP)                               //         ret  #0
                .label("ipv4ports")
                .loadHalf(6)                             // ipv4ports: ldh [6]          ; flags, fragment offset
                .jumpIfAnySet(0x1fff, "drop")            //         jset #0x1fff, drop  ; a later fragment: no ports
                .loadHeaderLengthX(0)                    //         ldxb 4*([0]&0xf)    ; X = header length
                .loadHalfAfterX(0)                       //         ldh  [x+0]          ; source port
                .jumpIfEqual(DNS_PORT, "keep")           //         jeq  #53, keep
                .ret(DROP)                               //         ret  #0
                .label("ipv6")
                .loadByte(6)                             // ipv6:   ldb  [6]            ; next header
                .jumpIfEqual(IPPROTO_UDP, "ipv6ports")   //         jeq  #17, ipv6ports
                .jumpIfEqual(IPPROTO_TCP, "ipv6ports")   //         jeq  #6, ipv6ports
                .ret(DROP)                               //         ret  #0             ; extension headers too
                .label("ipv6ports")
                .loadHalf(40)                            // ipv6ports: ldh [40]         ; source port
                .jumpIfEqual(DNS_PORT, "keep")           //         jeq  #53, keep
                .label("drop")
                .ret(DROP)                               // drop:   ret  #0
                .label("keep")
                .ret(KEEP_ALL);                          // keep:   ret  #-1            ; the whole packet
        return p;
    }
}
