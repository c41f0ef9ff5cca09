package io.cellos.telemetry.guest.probe.dns;

import io.cellos.telemetry.guest.probe.dns.DnsResponseParser.Outcome;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DNS response parser against crafted messages, well-formed and hostile, and a seeded flood of
 * mutated ones: no read out of bounds, no loop, no throw, and nothing learnt of a refused message.
 * No root, no socket.
 */
class DnsResponseParserTest {
    private static final int A = 1;
    private static final int CNAME = 5;
    private static final int TXT = 16;
    private static final int AAAA = 28;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,63}(\\.[a-z0-9_-]{1,63})*");

    /** What one parse gave. */
    record Learnt(String address, String name, long ttl) {
    }

    private final DnsResponseParser parser = new DnsResponseParser();
    private final List<Learnt> learnt = new ArrayList<>();

    private Outcome parse(byte[] m) {
        return parse(m, 0, m.length);
    }

    private Outcome parse(byte[] m, int off, int len) {
        learnt.clear();
        return parser.parse(m, off, len, (b, at, length, name, ttl) -> {
            StringBuilder s = new StringBuilder();
            assertTrue(io.cellos.telemetry.guest.linux.PeerAddress.appendIp(b, at, length, s));
            learnt.add(new Learnt(s.toString(), name, ttl));
        });
    }

    /** Builds a message: a header, then whatever bytes the test writes. */
    static final class Msg {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Msg(int flags, int qd, int an) {
            u16(0x1234).u16(flags).u16(qd).u16(an).u16(0).u16(0);
        }

        static Msg response(int an) {
            return new Msg(0x8180, 1, an);
        }

        Msg u16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Msg u32(long v) {
            return u16((int) (v >>> 16)).u16((int) v & 0xffff);
        }

        Msg bytes(int... b) {
            for (int x : b) {
                out.write(x);
            }
            return this;
        }

        Msg name(String n) {
            for (String label : n.split("\\.")) {
                out.write(label.length());
                out.writeBytes(label.getBytes());
            }
            out.write(0);
            return this;
        }

        Msg pointer(int to) {
            return u16(0xc000 | to);
        }

        Msg question(String n, int type) {
            return name(n).u16(type).u16(1);
        }

        /** A record whose owner is the question's name (a pointer to byte 12). */
        Msg record(int type, long ttl, int... rdata) {
            return pointer(12).fixed(type, ttl, rdata.length).bytes(rdata);
        }

        Msg fixed(int type, long ttl, int rdlength) {
            return u16(type).u16(1).u32(ttl).u16(rdlength);
        }

        int size() {
            return out.size();
        }

        byte[] build() {
            return out.toByteArray();
        }
    }

    static int[] v6(int last) {
        int[] a = new int[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = 0xb8;
        a[15] = last;
        return a;
    }

    @Test
    void anAAndAnAaaaAreLearntUnderTheQuestionsName() {
        byte[] m = Msg.response(2).question("Example.COM", A).record(A, 300, 192, 0, 2, 1).record(AAAA, 60, v6(1))
                .build();
        assertEquals(Outcome.ADDRESSES, parse(m));
        assertEquals(List.of(new Learnt("192.0.2.1", "example.com", 300), new Learnt("2001:db8::1", "example.com", 60)),
                learnt);
    }

    @Test
    void aCnameChainNamesTheAddressByTheQuestionWithTheLeastTtlOnTheWay() {
        Msg m = Msg.response(3).question("www.example.com", A);
        int edge = m.size() + 12; // the first CNAME's target, after its owner pointer and fixed fields
        m.record(CNAME, 600, bytesOf(name("edge.cdn.net")));
        int node = m.size() + 2 + 10;
        m.pointer(edge).fixed(CNAME, 30, "node".length() + 3).bytes(4, 'n', 'o', 'd', 'e').pointer(edge + 5);
        m.pointer(node).fixed(A, 120, 4).bytes(198, 51, 100, 7);
        assertEquals(Outcome.ADDRESSES, parse(m.build()));
        assertEquals(List.of(new Learnt("198.51.100.7", "www.example.com", 30)), learnt,
                "the question's name, not node.cdn.net; TTL min(600, 30, 120)");
    }

    @Test
    void aChainInAnyOrderAndOneThatLoopsStillEnds() {
        // a -> b, then b -> a: a loop; the address is b's
        Msg m = Msg.response(3).question("a.test", A);
        int b = m.size() + 12;
        m.record(CNAME, 100, bytesOf(name("b.test")));
        m.pointer(b).fixed(CNAME, 100, 2).pointer(12);
        m.pointer(b).fixed(A, 50, 4).bytes(10, 0, 0, 1);
        assertEquals(Outcome.ADDRESSES, parse(m.build()));
        assertEquals(List.of(new Learnt("10.0.0.1", "a.test", 50)), learnt);
    }

    @Test
    void aChainLongerThanTheBoundGivesNothingBeyondIt() {
        Msg m = Msg.response(DnsResponseParser.MAX_CHAIN + 2).question("q.test", A);
        int owner = 12;
        for (int i = 0; i <= DnsResponseParser.MAX_CHAIN; i++) {
            int target = m.size() + 12;
            m.pointer(owner).fixed(CNAME, 100, 5).bytes(2, 'c', 'x').pointer(owner);
            owner = target;
        }
        m.pointer(owner).fixed(A, 50, 4).bytes(10, 0, 0, 2);
        assertEquals(Outcome.NO_ADDRESS, parse(m.build()), "the address lies " + (DnsResponseParser.MAX_CHAIN + 1)
                + " CNAMEs away");
    }

    @Test
    void anAddressOfAnotherOwnerIsNotLearnt() {
        Msg m = Msg.response(1).question("asked.test", A);
        m.name("other.test").fixed(A, 60, 4).bytes(10, 9, 9, 9);
        assertEquals(Outcome.NO_ADDRESS, parse(m.build()));
        assertTrue(learnt.isEmpty());
    }

    @Test
    void queriesErrorsAndOtherTypesLearnNothing() {
        assertEquals(Outcome.NOT_AN_ANSWER, parse(new Msg(0x0100, 1, 0).question("x.test", A).build()), "a query");
        assertEquals(Outcome.NOT_AN_ANSWER, parse(new Msg(0xa800, 1, 0).question("x.test", A).build()), "an update");
        assertEquals(Outcome.NO_ADDRESS, parse(new Msg(0x8183, 1, 0).question("x.test", A).build()), "NXDOMAIN");
        assertEquals(Outcome.NO_ADDRESS, parse(Msg.response(1).question("x.test", TXT).record(TXT, 5, 1, 'x').build()));
        assertEquals(Outcome.NO_ADDRESS, parse(Msg.response(0).question("x.test", A).build()), "no data");
        assertTrue(learnt.isEmpty());
    }

    @Test
    void aTtlWithItsTopBitSetIsZero() {
        assertEquals(Outcome.ADDRESSES, parse(Msg.response(1).question("x.test", A).record(A, 0x8000_0000L, 1, 2, 3, 4)
                .build()));
        assertEquals(0, learnt.getFirst().ttl());
    }

    @Test
    void aMessageWithinALargerBufferIsReadWhereItIs() {
        byte[] m = Msg.response(1).question("x.test", A).record(A, 9, 1, 2, 3, 4).build();
        byte[] buf = new byte[m.length + 40];
        Arrays.fill(buf, (byte) 0xc0);
        System.arraycopy(m, 0, buf, 17, m.length);
        assertEquals(Outcome.ADDRESSES, parse(buf, 17, m.length));
        assertEquals("1.2.3.4", learnt.getFirst().address());
    }

    @Test
    void malformedMessagesAreRefusedWhole() {
        refused(new byte[11], "shorter than a header");
        refused(new Msg(0x8180, 0, 0).build(), "question count 0");
        refused(new Msg(0x8180, 2, 0).question("a.test", A).question("b.test", A).build(), "question count 2");
        refused(Msg.response(65535).question("x.test", A).record(A, 5, 1, 2, 3, 4).build(), "answer count 65535");
        refused(Msg.response(1).question("x.test", A).record(A, 5, 1, 2, 3, 4, 5).build(), "5 bytes of address");
        refused(Msg.response(1).question("x.test", A).record(AAAA, 5, 1, 2, 3, 4).build(), "4 bytes of address");
        refused(Msg.response(1).question("x.test", A).pointer(12).fixed(A, 5, 40).bytes(1, 2, 3, 4).build(),
                "runs past the end");
        // a good A after a second, malformed one: nothing is learnt
        refused(Msg.response(2).question("x.test", A).record(A, 5, 1, 2, 3, 4).pointer(12).fixed(A, 5, 2).bytes(1, 2)
                .build(), "2 bytes of address");
        refused(Msg.response(0).name("x.test").build(), "without its type and class");
    }

    @Test
    void hostileNamesAreRefused() {
        Msg self = Msg.response(1).question("x.test", A);
        refused(self.pointer(self.size()).fixed(A, 5, 4).bytes(1, 2, 3, 4).build(), "compression pointer");
        Msg forward = Msg.response(1).question("x.test", A);
        refused(forward.pointer(forward.size() + 2).name("y").fixed(A, 5, 4).bytes(1, 2, 3, 4).build(),
                "compression pointer");
        refused(Msg.response(1).question("x.test", A).pointer(2).fixed(A, 5, 4).bytes(1, 2, 3, 4).build(),
                "compression pointer"); // into the header
        // a question whose labels point back into themselves: 1 'a' then a pointer to that same label
        refused(Msg.response(0).bytes(1, 'a').pointer(12).u16(A).u16(1).build(), "compression pointer");
        refused(Msg.response(0).bytes(1, 'a', 0x40).u16(A).u16(1).build(), "label type 0x40");
        refused(Msg.response(0).bytes(1, 'a', 0x80).u16(A).u16(1).build(), "label type 0x80");
        refused(Msg.response(0).bytes(3, 'a', '.', 'b', 0).u16(A).u16(1).build(), "byte 0x2e");
        refused(Msg.response(0).bytes(2, 'a', 0, 0).u16(A).u16(1).build(), "byte 0x0");
        refused(Msg.response(0).bytes(1, 'a', 0xc0).build(), "pointer cut");
        refused(Msg.response(0).bytes(5, 'a').build(), "runs past the end");
        String label = "x".repeat(63);
        refused(Msg.response(0).question(String.join(".", label, label, label, label), A).build(), "longer than 255");
        // 63 * 3 + 61 + 4 length bytes + the root = 255: the longest name there is
        assertEquals(Outcome.NO_ADDRESS, parse(Msg.response(0).question(String.join(".", label, label, label,
                "y".repeat(61)), A).build()));
    }

    @Test
    void aNameMayFollowOnlySoManyPointers() {
        int hops = DnsResponseParser.MAX_POINTERS + 1;
        Msg m = Msg.response(2).question("x.test", A);
        int first = m.size() + 12; // the TXT's data: a ladder of pointers, each to the one before
        m.record(TXT, 5, new int[2 * hops]);
        byte[] ladder = m.build();
        Msg built = Msg.response(2);
        built.out.reset();
        built.out.write(ladder, 0, first);
        built.pointer(12);
        for (int i = 1; i < hops; i++) {
            built.pointer(first + 2 * (i - 1));
        }
        built.pointer(first + 2 * (hops - 1)).fixed(A, 5, 4).bytes(1, 2, 3, 4);
        refused(built.build(), "more than " + DnsResponseParser.MAX_POINTERS);
    }

    @Test
    void everyCutOfAGoodAnswerIsRefusedAndNeverThrows() {
        Msg m = Msg.response(3).question("www.example.com", A);
        int edge = m.size() + 12;
        m.record(CNAME, 600, bytesOf(name("edge.cdn.net")));
        m.pointer(edge).fixed(A, 50, 4).bytes(10, 0, 0, 1);
        m.record(AAAA, 50, v6(9));
        byte[] whole = m.build();
        for (int len = 0; len < whole.length; len++) {
            assertEquals(Outcome.MALFORMED, parse(whole, 0, len), "cut at " + len);
            assertTrue(learnt.isEmpty());
        }
        assertEquals(Outcome.ADDRESSES, parse(whole));
        assertEquals(2, learnt.size());
    }

    @Test
    void aSeededFloodOfMutatedMessagesNeverThrowsAndLearnsOnlyWellFormedNames() {
        Random random = new Random(0xd115);
        List<byte[]> seeds = new ArrayList<>();
        Msg chain = Msg.response(3).question("www.example.com", A);
        int edge = chain.size() + 12;
        chain.record(CNAME, 600, bytesOf(name("edge.cdn.net")));
        chain.pointer(edge).fixed(A, 50, 4).bytes(10, 0, 0, 1);
        chain.record(AAAA, 50, v6(9));
        seeds.add(chain.build());
        seeds.add(Msg.response(2).question("a.b", A).record(A, 1, 1, 1, 1, 1).record(A, 2, 2, 2, 2, 2).build());
        int[] outcomes = new int[Outcome.values().length];
        for (int i = 0; i < 200_000; i++) {
            byte[] m = seeds.get(random.nextInt(seeds.size())).clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(m.length);
                switch (random.nextInt(4)) {
                    case 0 -> m[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> m[at] = (byte) random.nextInt(256);
                    case 2 -> m[at] = (byte) (0xc0 | random.nextInt(2)); // a pointer's first byte
                    default -> m = Arrays.copyOf(m, Math.max(0, m.length - random.nextInt(8) + random.nextInt(8)));
                }
                if (m.length == 0) {
                    break;
                }
            }
            Outcome o = parse(m);
            outcomes[o.ordinal()]++;
            if (o == Outcome.MALFORMED) {
                assertTrue(learnt.isEmpty(), "a refused message taught " + learnt);
                assertTrue(!parser.refusal().isEmpty());
            }
            for (Learnt l : learnt) {
                assertTrue(NAME.matcher(l.name()).matches() && l.name().length() <= 253, l.name());
                assertTrue(l.ttl() >= 0 && l.ttl() <= Integer.MAX_VALUE);
            }
        }
        for (Outcome o : Outcome.values()) {
            assertTrue(outcomes[o.ordinal()] > 0, "the mutations reach " + o + ": " + Arrays.toString(outcomes));
        }
    }

    private void refused(byte[] m, String why) {
        assertEquals(Outcome.MALFORMED, parse(m), why);
        assertTrue(parser.refusal().contains(why), "'" + parser.refusal() + "' says " + why);
        assertTrue(learnt.isEmpty());
    }

    private static byte[] name(String n) {
        return new Msg(0, 0, 0).name(n).build();
    }

    /** The bytes of a name without the header {@link #name} built it after. */
    private static int[] bytesOf(byte[] withHeader) {
        int[] out = new int[withHeader.length - 12];
        for (int i = 0; i < out.length; i++) {
            out[i] = withHeader[12 + i] & 0xff;
        }
        return out;
    }
}
