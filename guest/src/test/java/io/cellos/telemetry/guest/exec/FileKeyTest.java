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
}
