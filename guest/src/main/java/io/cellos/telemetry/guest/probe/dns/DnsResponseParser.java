package io.cellos.telemetry.guest.probe.dns;

import java.util.Arrays;

/**
 * Reads the addresses a DNS response (RFC 1035 §4) gives the name it was asked: each {@code A} and
 * {@code AAAA} record of the answer section whose owner is the question's name, or a name the
 * question's name leads to through the answer's {@code CNAME} records.
 *
 * <p><b>The name given.</b> Every address is given the <em>question's</em> name, not its record's
 * owner: a program that resolved {@code www.example.com} and got it as a {@code CNAME} of
 * {@code e1234.cdn.example.net} connects to {@code www.example.com} in its own terms, which is what
 * a person reading the connect wants to see. Its TTL is the least of the address record's and of
 * every {@code CNAME} on the way to it, as a resolver's cache would keep it. Address records of
 * other owners (unasked-for, as a cache-poisoning answer carries) are left out.
 *
 * <p><b>Hostile input.</b> The bytes come from any program that can send a packet from port 53.
 * Every read is bounds-checked against the message; a compression pointer must point strictly
 * before the labels it continues (so it cannot loop) and a name may follow at most
 * {@link #MAX_POINTERS} of them; a label is at most 63 bytes and a name at most 255 on the wire; a
 * label holds only letters, digits, {@code -} and {@code _}; the record count must fit in the
 * message and in {@link #MAX_ANSWERS}; an {@code A} carries 4 bytes, an {@code AAAA} 16. A message
 * that breaks any rule is refused whole ({@link Outcome#MALFORMED}, {@link #refusal} says why):
 * nothing of it is learnt. Nothing is thrown.
 *
 * <p>Names are lower-cased: DNS names compare without case, and a resolver may randomise the case
 * of what it asks (the "0x20" defence against spoofing). Allocates the names it reads, nothing
 * else. Not thread-safe; one per reader, reused for every message.
 */
public final class DnsResponseParser {
    /** The most records of the answer section a message may declare. */
    public static final int MAX_ANSWERS = 256;
    /** The most compression pointers one name may follow. */
    public static final int MAX_POINTERS = 32;
    /** The most {@code CNAME}s followed from the question's name. */
    public static final int MAX_CHAIN = 16;
    /** RFC 1035 §2.3.4. */
    public static final int MAX_NAME_WIRE_BYTES = 255;
    public static final int MAX_LABEL_BYTES = 63;
    static final int HEADER_BYTES = 12;
    /** The smallest resource record: a root owner name, type, class, TTL, and an empty RDATA. */
    private static final int MIN_RECORD_BYTES = 11;
    private static final int TYPE_A = 1;
    private static final int TYPE_CNAME = 5;
    private static final int TYPE_AAAA = 28;
    private static final int CLASS_IN = 1;

    /** What a message was. */
    public enum Outcome {
        /** A response that gave the question's name one address or more. */
        ADDRESSES,
        /** A well-formed response that gave no address for its question (an error code, no data, another type). */
        NO_ADDRESS,
        /** Not a response to a standard query (a query, a notify, an update). */
        NOT_AN_ANSWER,
        /** Refused: it breaks a rule of the format or of this parser's bounds ({@link #refusal}). */
        MALFORMED
    }

    /** Receives each address learnt; called only for a message read whole and well-formed. */
    @FunctionalInterface
    public interface Addresses {
        /**
         * @param message    the message's bytes
         * @param at         where the address is in {@code message}
         * @param length     4 (IPv4) or 16 (IPv6)
         * @param name       the question's name, lower case, without the final dot
         * @param ttlSeconds the least TTL on the way to the address, 0 to 2^31-1
         */
        void address(byte[] message, int at, int length, String name, long ttlSeconds);
    }

    private final StringBuilder text = new StringBuilder(MAX_NAME_WIRE_BYTES);
    private final String[] owner = new String[MAX_ANSWERS];
    private final int[] type = new int[MAX_ANSWERS];
    private final long[] ttl = new long[MAX_ANSWERS];
    private final int[] rdata = new int[MAX_ANSWERS];
    private final int[] rdlength = new int[MAX_ANSWERS];
    /** A {@code CNAME}'s target; null for other records. */
    private final String[] target = new String[MAX_ANSWERS];
    private final String[] chain = new String[MAX_CHAIN + 1];
    private final long[] chainTtl = new long[MAX_CHAIN + 1];
    /** Where {@link #readName} ended in the record it read; -1 when it refused the name. */
    private int after;
    private String refusal = "";

    /** Why the last message was {@link Outcome#MALFORMED}, naming the byte; empty otherwise. */
    public String refusal() {
        return refusal;
    }

    /**
     * Reads the DNS message of {@code len} bytes at {@code off} in {@code m} and hands each address
     * it gives its question's name to {@code out}.
     */
    public Outcome parse(byte[] m, int off, int len, Addresses out) {
        refusal = "";
        try {
            return read(m, off, len, out);
        } finally {
            Arrays.fill(owner, null);
            Arrays.fill(target, null);
            Arrays.fill(chain, null);
        }
    }

    private Outcome read(byte[] m, int off, int len, Addresses out) {
        if (off < 0 || len < 0 || off > m.length - len) {
            return refuse("message of " + len + " bytes at " + off + " is not within its buffer");
        }
        int end = off + len;
        if (len < HEADER_BYTES) {
            return refuse("message of " + len + " bytes is shorter than a header");
        }
        int flags = u16(m, off + 2);
        if ((flags & 0x8000) == 0 || (flags >>> 11 & 0xf) != 0) {
            return Outcome.NOT_AN_ANSWER; // a query, or not a standard query's response
        }
        int questions = u16(m, off + 4);
        int answers = u16(m, off + 6);
        if ((flags & 0xf) != 0) {
            return Outcome.NO_ADDRESS; // NXDOMAIN, SERVFAIL, ...: nothing to learn
        }
        if (questions != 1) {
            return refuse("question count " + questions + " (a response answers exactly one)");
        }
        int p = off + HEADER_BYTES;
        String question = readName(m, off, end, p);
        if (question == null) {
            return Outcome.MALFORMED;
        }
        p = after;
        if (p + 4 > end) {
            return refuse("question ends at byte " + (p - off) + " without its type and class");
        }
        int qclass = u16(m, p + 2);
        p += 4;
        if (answers > MAX_ANSWERS || (long) answers * MIN_RECORD_BYTES > end - p) {
            return refuse("answer count " + answers + " cannot fit in the " + (end - p) + " bytes left (or exceeds "
                    + MAX_ANSWERS + ")");
        }
        for (int i = 0; i < answers; i++) {
            String name = readName(m, off, end, p);
            if (name == null) {
                return Outcome.MALFORMED;
            }
            p = after;
            if (p + 10 > end) {
                return refuse("answer " + i + " at byte " + (p - off) + " is cut in its fixed fields");
            }
            int t = u16(m, p);
            int c = u16(m, p + 2);
            long seconds = u32(m, p + 4);
            int n = u16(m, p + 8);
            p += 10;
            if (n > end - p) {
                return refuse("answer " + i + "'s data of " + n + " bytes at byte " + (p - off) + " runs past the end");
            }
            owner[i] = name;
            type[i] = c == CLASS_IN ? t : -1;
            // RFC 2181 §8: a TTL with the top bit set is taken as 0
            ttl[i] = seconds > Integer.MAX_VALUE ? 0 : seconds;
            rdata[i] = p;
            rdlength[i] = n;
            target[i] = null;
            if (type[i] == TYPE_A && n != 4 || type[i] == TYPE_AAAA && n != 16) {
                return refuse("answer " + i + " of type " + t + " has " + n + " bytes of address");
            }
            if (type[i] == TYPE_CNAME) {
                String to = readName(m, off, p + n, p); // the target must lie within its RDATA
                if (to == null) {
                    return Outcome.MALFORMED;
                }
                if (after != p + n) {
                    return refuse("answer " + i + "'s CNAME ends at byte " + (after - off) + ", not at its data's end");
                }
                target[i] = to;
            }
            p += n;
        }
        if (qclass != CLASS_IN || question.isEmpty()) {
            return Outcome.NO_ADDRESS;
        }
        int links = follow(question, answers);
        boolean any = false;
        for (int i = 0; i < answers; i++) {
            if (type[i] != TYPE_A && type[i] != TYPE_AAAA) {
                continue;
            }
            for (int k = 0; k <= links; k++) {
                if (chain[k].equals(owner[i])) {
                    out.address(m, rdata[i], rdlength[i], question, Math.min(ttl[i], chainTtl[k]));
                    any = true;
                    break;
                }
            }
        }
        return any ? Outcome.ADDRESSES : Outcome.NO_ADDRESS;
    }

    /**
     * Fills {@link #chain} with the question's name and the names its {@code CNAME}s lead to, each
     * with the least TTL on the way ({@link #chainTtl}); returns the index of the last.
     */
    private int follow(String question, int answers) {
        chain[0] = question;
        chainTtl[0] = Long.MAX_VALUE;
        int last = 0;
        while (last < MAX_CHAIN) {
            int next = -1;
            for (int i = 0; i < answers; i++) {
                if (target[i] != null && owner[i].equals(chain[last])) {
                    next = i;
                    break;
                }
            }
            if (next < 0 || seen(target[next], last)) {
                break; // the end of the chain, or a loop in it
            }
            chain[last + 1] = target[next];
            chainTtl[last + 1] = Math.min(chainTtl[last], ttl[next]);
            last++;
        }
        return last;
    }

    private boolean seen(String name, int last) {
        for (int k = 0; k <= last; k++) {
            if (chain[k].equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the name at {@code p}, following compression pointers, with the message at
     * {@code base} and its readable bytes ending at {@code end}; sets {@link #after} to the byte
     * after the name where it started. Returns the name in lower case without its final dot
     * ({@code ""} for the root), or null having said why ({@link #refusal}).
     */
    private String readName(byte[] m, int base, int end, int p) {
        text.setLength(0);
        after = -1;
        int wire = 1; // the root label's length byte
        int pointers = 0;
        int runStart = p; // a pointer must point before the labels it continues: no loop
        while (true) {
            if (p >= end) {
                refuse("name runs past the end at byte " + (p - base));
                return null;
            }
            int b = m[p] & 0xff;
            if (b == 0) {
                if (after < 0) {
                    after = p + 1;
                }
                return text.toString();
            }
            if ((b & 0xc0) == 0xc0) {
                if (p + 1 >= end) {
                    refuse("compression pointer cut at byte " + (p - base));
                    return null;
                }
                int to = base + ((b & 0x3f) << 8 | m[p + 1] & 0xff);
                if (to >= runStart || to < base + HEADER_BYTES) {
                    refuse("compression pointer at byte " + (p - base) + " points to byte " + (to - base)
                            + ", not back into the message's names");
                    return null;
                }
                if (++pointers > MAX_POINTERS) {
                    refuse("name follows more than " + MAX_POINTERS + " compression pointers");
                    return null;
                }
                if (after < 0) {
                    after = p + 2;
                }
                runStart = to;
                p = to;
                continue;
            }
            if ((b & 0xc0) != 0) {
                refuse("label type 0x" + Integer.toHexString(b & 0xc0) + " at byte " + (p - base));
                return null;
            }
            wire += b + 1;
            if (wire > MAX_NAME_WIRE_BYTES) {
                refuse("name longer than " + MAX_NAME_WIRE_BYTES + " bytes at byte " + (p - base));
                return null;
            }
            if (b > end - p - 1) {
                refuse("label of " + b + " bytes at byte " + (p - base) + " runs past the end");
                return null;
            }
            if (!text.isEmpty()) {
                text.append('.');
            }
            for (int i = p + 1; i <= p + b; i++) {
                int c = m[i] & 0xff;
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                } else if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    refuse("byte 0x" + Integer.toHexString(c) + " in a label at byte " + (i - base));
                    return null;
                }
                text.append((char) c);
            }
            p += b + 1;
        }
    }

    private Outcome refuse(String why) {
        refusal = why;
        return Outcome.MALFORMED;
    }

    private static int u16(byte[] m, int at) {
        return (m[at] & 0xff) << 8 | m[at + 1] & 0xff;
    }

    private static long u32(byte[] m, int at) {
        return (m[at] & 0xffL) << 24 | (m[at + 1] & 0xffL) << 16 | (m[at + 2] & 0xffL) << 8 | m[at + 3] & 0xffL;
    }
}
