package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Directories made as the kernel walks a path, against the real filesystem. */
class LiteralDirectoriesTest {
    @TempDir
    Path dir;

    @Test
    void everyComponentOnTheWayIsMadeDotDotIncludedButNotTheLast() throws Exception {
        LiteralDirectories.makeParents((dir + "/a/../b/./c//x").getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isDirectory(dir.resolve("a")), "the kernel walks through /a to reach /a/..");
        assertTrue(Files.isDirectory(dir.resolve("b/c")));
        assertFalse(Files.exists(dir.resolve("b/c/x")), "the last component is the file's, not made");
        LiteralDirectories.makeParents((dir + "/a/../b/./c//x").getBytes(StandardCharsets.UTF_8)); // again: all there
    }

    @Test
    void bytesThatAreNoUtf8AreTakenAsTheyAre() throws Exception {
        byte[] name = {(byte) 0xff};
        byte[] path = (dir + "/" + new String(name, StandardCharsets.ISO_8859_1) + "/x").getBytes(StandardCharsets.ISO_8859_1);
        LiteralDirectories.makeParents(path);
        try (var listed = Files.list(dir)) {
            assertEquals(1, listed.count());
        }
    }

    @Test
    void aFileOnTheWayIsRefusedSayingWhere() throws Exception {
        Files.writeString(dir.resolve("f"), "");
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> LiteralDirectories.makeParents((dir + "/f/g/x").getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("ENOTDIR"), e.getMessage());
    }
}
