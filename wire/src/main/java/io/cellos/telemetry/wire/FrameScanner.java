package io.cellos.telemetry.wire;

/**
 * Cuts a byte stream into frames: the framing rule of protocol.md §2, shared by every reader of a
 * stream (the host receiver, {@code cellos frame decode}).
 *
 * <p>A frame whose body is refused is reported and skipped: its length prefix still says where
 * the next frame starts. A prefix that is itself unusable (zero, or over the limit) loses the
 * framing: the scan stops there and the reader must give up the stream.
 */
public final class FrameScanner {
    /** What a scan reports, frame by frame, in stream order. */
    public interface Handler {
        /** A frame was accepted. {@code offset} is where its prefix starts in the scanned array. */
        void onFrame(ProbeEvent event, int offset);

        /**
         * A frame was refused. When {@code e.error().losesFraming()} no more frames follow from
         * this stream.
         */
        void onRejected(FrameException e, int offset);
    }

    /** What {@link #scan} returns when the framing was lost. */
    public static final int FRAMING_LOST = -1;

    private FrameScanner() {
    }

    /**
     * Handles every whole frame in the {@code len} bytes at {@code off}.
     *
     * @return the bytes consumed (whole frames; the rest is the start of a frame still to come),
     *         or {@link #FRAMING_LOST}
     */
    public static int scan(byte[] src, int off, int len, Handler handler) {
        int pos = off;
        int end = off + len;
        while (end - pos >= Wire.HEADER_BYTES) {
            long length = Wire.readLength(src, pos);
            try {
                FrameDecoder.checkBodyLength(length);
            } catch (FrameException e) {
                handler.onRejected(e, pos);
                return FRAMING_LOST;
            }
            if (end - pos - Wire.HEADER_BYTES < length) {
                break;
            }
            try {
                handler.onFrame(FrameDecoder.decodeBody(src, pos + Wire.HEADER_BYTES, (int) length), pos);
            } catch (FrameException e) {
                handler.onRejected(e, pos);
            }
            pos += Wire.HEADER_BYTES + (int) length;
        }
        return pos - off;
    }
}
