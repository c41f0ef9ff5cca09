package io.cellos.telemetry.host.receiver;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds a CBOR map body by hand, in the order given, for frames our encoder would never write. */
final class CborMap {
    private final ByteArrayOutputStream entries = new ByteArrayOutputStream();
    private int count;

    CborMap uint(String key, long v) {
        text0(key);
        head(0, v);
        count++;
        return this;
    }

    CborMap text(String key, String v) {
        text0(key);
        text0(v);
        count++;
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xa0 | count);
        out.writeBytes(entries.toByteArray());
        return out.toByteArray();
    }

    private void text0(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        head(3, b.length);
        entries.writeBytes(b);
    }

    private void head(int major, long v) {
        if (v < 24) {
            entries.write(major << 5 | (int) v);
        } else {
            entries.write(major << 5 | 27);
            for (int s = 56; s >= 0; s -= 8) {
                entries.write((int) (v >>> s));
            }
        }
    }
}
