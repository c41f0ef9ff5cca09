package io.cellos.telemetry.guest.exec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A key equals another of the same file, size and change time, and no other. */
class FileKeyTest {
    @Test
    void keysAreEqualExactlyWhenEveryPartIs() {
        FileKey k = new FileKey(1, 2, 3, 4, 5);
        FileKey same = new FileKey(1, 2, 3, 4, 5);
        assertEquals(k, same);
        assertEquals(k.hashCode(), same.hashCode());
        assertNotEquals(k, new FileKey(9, 2, 3, 4, 5), "another device");
        assertNotEquals(k, new FileKey(1, 9, 3, 4, 5), "another inode");
        assertNotEquals(k, new FileKey(1, 2, 9, 4, 5), "another size");
        assertNotEquals(k, new FileKey(1, 2, 3, 9, 5), "rewritten: another ctime");
        assertNotEquals(k, new FileKey(1, 2, 3, 4, 9), "rewritten within the second");
        assertNotEquals(k, null);
        assertNotEquals(k, "a string");
    }

    @Test
    void theKernelsDeviceNumberIsNumberedAsStatNumbersIt() {
        // the kernel's dev_t: major above bit 20, minor below; stat's st_dev: new_encode_dev
        assertEquals(65024, FileKey.userDevice(254L << 20), "254:0, the root disk here: stat -c %d says 65024");
        assertEquals(20, FileKey.userDevice(20), "0:20, an anonymous device (proc)");
        assertEquals(0x45 | 0x12300L << 12, FileKey.userDevice(0x12345), "0:0x12345: the minor's upper bits move up");
        assertEquals(0x45 | 0x123 << 8 | 0x45600L << 12, FileKey.userDevice(0x123L << 20 | 0x45645),
                "0x123:0x45645");
        assertEquals(new FileKey(65024, 7, 8, 9, 10), FileKey.ofKernelInode(254L << 20, 7, 8, 9, 10));
        assertEquals(new FileKey(65024, 7, 8, 9, 42_300_433), FileKey.ofKernelInode(254L << 20, 7, 8, 9,
                Integer.toUnsignedLong(42_300_433 | 1 << 31)), "a queried change time's flag is not nanoseconds");
    }
}
