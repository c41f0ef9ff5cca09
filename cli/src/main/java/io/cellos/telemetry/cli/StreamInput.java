package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** A frame stream on standard input: hex by default, raw bytes with {@code --binary}. */
final class StreamInput {
    private StreamInput() {
    }

    /**
     * Reads all of standard input. Hex input is every hex digit in order; white space and line
     * breaks are ignored, so the output of {@code frame encode} can be pasted or piped as is.
     */
    static byte[] read(Args a, Io io) throws IOException, UsageException {
        byte[] input = io.in().readAllBytes();
        return a.has("binary") ? input : fromHex(a, input);
    }

    private static byte[] fromHex(Args a, byte[] text) throws UsageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 2);
        int high = -1;
        int line = 1;
        for (byte c : text) {
            if (c == '\n') {
                line++;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0) {
                throw a.usage("input line " + line + " holds '" + (char) (c & 0xff)
                        + "', which is not a hex digit; use --binary for a raw capture");
            }
            if (high < 0) {
                high = d;
            } else {
                out.write(high << 4 | d);
                high = -1;
            }
        }
        if (high >= 0) {
            throw a.usage("the hex input has an odd number of digits");
        }
        return out.toByteArray();
    }
}
